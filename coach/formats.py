"""Dates, times, numbers and durations as people read them: the app's named formats, in one place, on Babel.

Every function takes its locale and time zone as arguments, so code that runs outside a request (the PDF, the
assessment's reasons, notification text) formats the same way as a page. Inside a request, templates use the
filters registered by `register_filters`, which take both from Flask-Babel's selectors (the signed-in person's
zone, UTC when signed out). Machine formats (the API's and the CSV's ISO 8601, iCalendar, <time datetime>) are
not here: they never change with the reader.

The English words below ("Once", "Every", "on", "just now") are the only ones a translation would add to: each
sits in the one function that uses it, and the date and number parts already come from the locale's CLDR data.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from itertools import groupby
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_interval,
    format_skeleton,
    format_timedelta,
    get_datetime_format,
    get_day_names,
    get_relative_name,
)
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from .domain.schedule import ALL_DAYS, Daily, Once, Schedule, parse_schedule

# British English: CLDR's en_GB reproduces the app's wording ("6 Dec 2026", "Sun 6 Dec", "Dec 2026", Monday-first
# weeks, "2,001"), and the times are asked for as 24-hour skeletons ("07:30") whatever the locale prefers. Plain
# "en" is American ("Dec 6, 2026", "7:30 AM" with a narrow no-break space). One form is CLDR's British style
# rather than the old hand-written one: September is "Sept".
DEFAULT_LOCALE = "en_GB"
LocaleArg = Locale | str

# The named formats, as CLDR skeletons: each locale orders and punctuates them its own way.
DAY = "yMMMd"  # 6 Dec 2026
SHORT_DAY = "MMMd"  # 6 Dec
WEEKDAY = "MMMEd"  # Sun 6 Dec
WEEKDAY_YEAR = "yMMMEd"  # Sun, 6 Dec 2026
LONG_DAY = "MMMMd"  # 6 December
LONG_DAY_YEAR = "yMMMMd"  # 6 December 2026
MONTH = "yMMM"  # Dec 2026
TIME = "Hm"  # 07:30, always 24-hour

# Where the app keeps its own order for a locale: CLDR's en_GB writes "Sun, 6 Dec 2026" with the year but
# "Sun 6 Dec" without it; the app has always written "Sun 6 Dec 2026", which keeps a diary row on one line at 320 px.
_PATTERNS = {"en_GB": {WEEKDAY_YEAR: "EEE d MMM y"}}
# ... and "Today 07:30" without CLDR's comma ("Today, 07:30" wraps "Next: Today, 07:30" on a 320 px phone).
_RELATIVE_GLUE = {"en_GB": "{1} {0}"}

# English duration units are the app's own short ones, the same the routines' step texts use ("3 s each way");
# CLDR's British short units say "mins" and "secs". Other languages take CLDR's short units.
_UNIT_PATTERNS = {"en": {"duration-hour": "{0} h", "duration-minute": "{0} min", "duration-second": "{0} s"}}
_NAMED_DAYS = {frozenset(range(1, 6)): "weekdays", frozenset({6, 7}): "weekends"}
WORD_JOINER = "\u2060"  # no line break on either side, and nothing shown
NO_BREAK_SPACE = "\u00a0"


def _locale(locale: LocaleArg) -> Locale:
    return locale if isinstance(locale, Locale) else Locale.parse(locale)


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _local(moment: datetime, tz: str | tzinfo | None) -> datetime:
    """`moment` in `tz`; with no `tz`, in its own zone. A moment without a zone is UTC (as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment if tz is None else moment.astimezone(_zone(tz))


def _day_of(value: date | datetime | str, tz: str | tzinfo | None) -> date:
    if isinstance(value, str):  # an ISO date from a JSON shape (the diary chart's weeks)
        return date.fromisoformat(value)
    return _local(value, tz).date() if isinstance(value, datetime) else value


@lru_cache(maxsize=4096)  # pure; a diary names the same days on every request
def _date(skeleton: str, value: date, locale: LocaleArg) -> str:
    loc = _locale(locale)
    pattern = _PATTERNS.get(str(loc), {}).get(skeleton)
    if pattern:
        return format_date(value, pattern, locale=loc)
    return format_skeleton(skeleton, value, locale=loc)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _date_and_time(day_text: str, time_text: str, locale: LocaleArg, relative: bool = False) -> str:
    # The locale's own glue between a date and a time ("{1}, {0}" in British English).
    loc = _locale(locale)
    glue = (relative and _RELATIVE_GLUE.get(str(loc))) or get_datetime_format("short", locale=loc)
    return glue.replace("{1}", day_text).replace("{0}", time_text)


# ---------- numbers and durations ----------

def number(value: int | float, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """2001 -> '2,001'; 72.5 -> '72.5'; 72.0 -> '72'."""
    return format_decimal(value, locale=_locale(locale))


def decimal(value: float | None, places: int | None = None, locale: LocaleArg = DEFAULT_LOCALE,
            missing: str = "-") -> str:
    """A measured value: as many decimals as it has (up to 3), or exactly `places`; `missing` for None."""
    if value is None:
        return missing
    pattern = None if places is None else ("#,##0." + "0" * places) if places else "#,##0"
    return format_decimal(value, format=pattern, locale=_locale(locale))


def _unit(value: int, unit: str, locale: LocaleArg, long: bool = False) -> str:
    loc = _locale(locale)
    pattern = None if long else _UNIT_PATTERNS.get(loc.language, {}).get(unit)
    if pattern:
        return pattern.format(format_decimal(value, locale=loc))
    return format_unit(value, unit, length="long" if long else "short", locale=loc)


def _units(parts: list[str], locale: LocaleArg) -> str:
    return format_list(parts, style="unit-narrow", locale=_locale(locale))


@lru_cache(maxsize=1024)  # pure, and a routine page asks for the same few durations on every request
def duration(seconds: int, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """250 -> '4 min 10 s'; 900 -> '15 min'; 45 -> '45 s'."""
    minutes, rest = divmod(int(seconds), 60)
    parts = [_unit(minutes, "duration-minute", locale)] if minutes else []
    if rest or not minutes:
        parts.append(_unit(rest, "duration-second", locale))
    return _units(parts, locale)


@lru_cache(maxsize=1024)
def minutes(total: int, locale: LocaleArg = DEFAULT_LOCALE, long: bool = False) -> str:
    """90 -> '1 h 30 min'; 45 -> '45 min'; 120 -> '2 h'. Long: '1 hour 30 minutes'."""
    hours, rest = divmod(int(total), 60)
    parts = [_unit(hours, "duration-hour", locale, long)] if hours else []
    if rest or not hours:
        parts.append(_unit(rest, "duration-minute", locale, long))
    return _units(parts, locale)


# ---------- dates and times ----------

def day(value: date | datetime | str, tz: str | tzinfo | None = None, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """'6 Dec 2026' (a datetime's date in `tz`; with no `tz`, in its own zone; an ISO date as it is)."""
    return _date(DAY, _day_of(value, tz), locale)


def short_day(value: date | datetime, tz: str | tzinfo | None = None, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """'6 Dec'."""
    return _date(SHORT_DAY, _day_of(value, tz), locale)


def weekday(value: date | datetime, tz: str | tzinfo | None = None, locale: LocaleArg = DEFAULT_LOCALE,
            year: bool = True) -> str:
    """'Sun 6 Dec 2026'; without the year 'Sun 6 Dec'."""
    return _date(WEEKDAY_YEAR if year else WEEKDAY, _day_of(value, tz), locale)


def month(value: date, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """'Dec 2026'."""
    return _date(MONTH, value, locale)


def clock_time(value: time | datetime, tz: str | tzinfo | None = None, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """'07:30'. A wall time is shown as it is; a datetime in `tz`."""
    if isinstance(value, datetime):
        value = _local(value, tz)
    else:
        value = datetime.combine(date(2000, 1, 1), value.replace(tzinfo=None))
    return format_skeleton(TIME, value, tzinfo=value.tzinfo, locale=_locale(locale))


def time_range(start: time, end: time, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """Wall times '08:00–20:00' (the locale's range form; the end may be earlier, past midnight)."""
    loc, start, end = _locale(locale), start.replace(tzinfo=None), end.replace(tzinfo=None)
    if start == end:  # Babel writes a range of no length as one time; quiet hours 08:00 to 08:00 show both ends
        return loc.interval_formats.get(None, "{0}–{1}").format(clock_time(start, locale=loc), clock_time(end, locale=loc))
    return format_interval(start, end, TIME, locale=loc)


def moment(value: datetime, tz: str | tzinfo | None = None, locale: LocaleArg = DEFAULT_LOCALE,
           weekday_name: bool = True) -> str:
    """An instant in `tz`: 'Sun 6 Dec 2026, 07:30' (without the weekday: '6 Dec 2026, 07:30')."""
    local = _local(value, tz)
    day_text = weekday(local.date(), locale=locale) if weekday_name else day(local.date(), locale=locale)
    return _date_and_time(day_text, clock_time(local, locale=locale), locale)


def when(value: datetime | None, tz: str | tzinfo | None, now: datetime, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """A coming or recent time in `tz`: 'Today 07:30', 'Tomorrow 07:30', 'Mon 2 Dec, 07:30'; a day in
    another year says which ('Mon 4 Jan 2027, 09:00'). Today is `now`'s date in `tz`."""
    if value is None:
        return ""
    local, today = _local(value, tz), _local(now, tz).date()
    offset = (local.date() - today).days
    named = get_relative_name("day", offset, locale=_locale(locale)) if offset in (0, 1) else None
    if named:
        return _date_and_time(_capital(named), clock_time(local, locale=locale), locale, relative=True)
    day_text = weekday(local.date(), locale=locale, year=local.year != today.year)
    return _date_and_time(day_text, clock_time(local, locale=locale), locale)


def on_day(value: date, today: date, with_year: bool = False, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """When something happened, to go in a sentence: 'today', 'yesterday', 'on 6 December', 'on 6 December 2025'
    (the year when asked for, or when it is not this year)."""
    offset = (value - today).days
    if not with_year and offset in (0, -1):
        return get_relative_name("day", offset, locale=_locale(locale))
    skeleton = LONG_DAY_YEAR if with_year or value.year != today.year else LONG_DAY
    return f"on {_date(skeleton, value, locale)}"


def _ago(count: int, unit: str, locale: LocaleArg) -> str:
    # A very high threshold keeps Babel on the unit asked for ("14 days ago", never "2 weeks ago").
    return format_timedelta(-count * _UNIT_SPAN[unit], granularity=unit, threshold=1e9, add_direction=True,
                            locale=_locale(locale))


_UNIT_SPAN = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1),
              "week": timedelta(weeks=1), "month": timedelta(days=30), "year": timedelta(days=365)}


def time_since(started_at: datetime, now: datetime, tz: str | tzinfo | None,
               locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """How long ago something started, in plain words: minutes and hours within a day, then the person's calendar
    days ('yesterday', '14 days ago'), then weeks, months and years."""
    elapsed = now - started_at
    if elapsed < timedelta(hours=1):
        count = max(int(elapsed.total_seconds() // 60), 0)
        return "just now" if count < 1 else _ago(count, "minute", locale)
    if elapsed < timedelta(hours=24):
        return _ago(int(elapsed.total_seconds() // 3600), "hour", locale)
    days = (_local(now, tz).date() - _local(started_at, tz).date()).days
    if days <= 1:
        return get_relative_name("day", -1, locale=_locale(locale))
    if days < 21:
        return _ago(days, "day", locale)
    if days < 60:
        return _ago(days // 7, "week", locale)
    if days < 365:
        return _ago(days // 30, "month", locale)
    return _ago(days // 365, "year", locale)


# ---------- schedules ----------

def weekday_names(locale: LocaleArg = DEFAULT_LOCALE) -> dict[int, str]:
    """ISO weekday (1 = Monday) -> its short name: {1: 'Mon', ..., 7: 'Sun'}."""
    names = get_day_names("abbreviated", locale=_locale(locale))
    return {iso: names[iso - 1] for iso in range(1, 8)}


def weekdays(days, locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """ISO weekdays as a short list: runs of three or more as ranges ('Mon–Fri'), shorter runs listed
    ('Mon–Wed, Fri', 'Sat, Sun')."""
    names, parts = weekday_names(locale), []
    for _, run in groupby(enumerate(sorted(days)), key=lambda pair: pair[1] - pair[0]):
        run_names = [names[d] for _, d in run]
        parts.extend([f"{run_names[0]}–{run_names[-1]}"] if len(run_names) >= 3 else run_names)
    return format_list(parts, style="standard-narrow", locale=_locale(locale))


def schedule_text(schedule: Schedule | dict, tz: str | tzinfo | None = None,
                  locale: LocaleArg = DEFAULT_LOCALE) -> str:
    """A reminder's schedule in a few words, the same on its card and in the presets: '07:30, weekdays',
    '17:30 and 19:30, Mon, Wed, Fri', 'Every 1 hour 30 minutes, 08:00–20:00, weekends', 'Once, Wed 25 Nov 2026, 15:00'
    (a one-off in `tz`, UTC when None: with its weekday, as the card's 'Next: Wed 25 Nov 2026, 15:00' says it). On a 320 px phone it wraps between its parts, not after a range's dash
    ('09:00–' above '17:00' reads as two times) nor between a number and its unit ('30' above 'minutes')."""
    if isinstance(schedule, dict):
        schedule = parse_schedule(schedule)
    if isinstance(schedule, Once):
        return f"Once, {moment(schedule.at, tz, locale)}"
    days = schedule.weekdays
    named_days = _NAMED_DAYS.get(days) or weekdays(days, locale)
    if isinstance(schedule, Daily):
        times = format_list([clock_time(t, locale=locale) for t in schedule.times], locale=_locale(locale))
        parts = [times, "daily" if days == ALL_DAYS else named_days]
    else:
        every = "hour" if schedule.every_minutes == 60 else minutes(schedule.every_minutes, locale, long=True)
        every = re.sub(r"(\d) ", r"\1" + NO_BREAK_SPACE, every)
        parts = [f"Every {every}", time_range(schedule.start, schedule.end, locale)]
        parts += [named_days] if days != ALL_DAYS else []
    return ", ".join(parts).replace("–", "–" + WORD_JOINER)


# ---------- in requests: the person's locale and zone, and the template filters ----------

def person_locale() -> str:
    """Flask-Babel's locale selector: one language for now (a person's choice goes here when a second comes)."""
    return DEFAULT_LOCALE


def person_timezone() -> tzinfo:
    """Flask-Babel's time zone selector: the signed-in person's zone, UTC when signed out."""
    user = current_user
    zone = getattr(user, "timezone", None) if user and user.is_authenticated else None
    return ZoneInfo(zone) if zone else UTC


def _now() -> datetime:
    return datetime.now(UTC)


def _request_filters() -> dict:
    loc, zone = get_locale, get_timezone
    return {
        "number": lambda value: number(value, loc()),
        "decimal": lambda value, places=None: decimal(value, places, loc()),
        "duration": lambda seconds: duration(seconds, loc()),
        "minutes": lambda total, long=False: minutes(total, loc(), long),
        "day": lambda value, tz=None: day(value, tz or zone(), loc()),  # tz: another person's zone (a client's page)
        "short_day": lambda value: short_day(value, zone(), loc()),
        "weekday": lambda value, year=True: weekday(value, zone(), loc(), year=year),
        "time": lambda value: clock_time(value, zone(), loc()),
        "time_range": lambda start, end: time_range(start, end, loc()),
        "moment": lambda value, weekday_name=True: moment(value, zone(), loc(), weekday_name=weekday_name),
        "when": lambda value: when(value, zone(), _now(), loc()),
        "since": lambda value: time_since(value, _now(), zone(), loc()),
        "schedule": lambda value: schedule_text(value, zone(), loc()),
    }


def register_filters(app) -> None:
    """The named formats as Jinja filters: {{ moment|when }}, {{ day|day }}, {{ seconds|duration }}, ..."""
    app.jinja_env.filters.update(_request_filters())
