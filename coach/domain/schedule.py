"""Reminder schedules: parse the API shapes and compute fire times on local wall clocks.

Design notes (schedule maths):
* Times in a schedule are wall-clock times in the user's IANA zone. A fire time
  is found by combining a local *date* with the wall time and converting that to
  UTC; never by adding 24 h to the previous fire time, which drifts an hour at
  every DST change.
* One rule resolves every wall time (reminder times and quiet-hour boundaries
  alike): PEP 495 ``fold=0``.
  - A wall time that does not exist (spring forward) fires at the instant of
    wall time + gap length: 02:30 on the Berlin spring change fires at 03:30
    CEST. That can come after a later wall time of the same day (03:15 CEST),
    so fire times are ordered by instant; equal instants fire once.
  - A wall time that happens twice (fall back) fires once, at the first pass.
    Intervals follow the wall clock, not elapsed time: the repeated hour is
    skipped, and in spring the hour that does not exist collapses.
* Quiet hours are the instants from their start to their end wall time, both
  resolved by that rule (so with a boundary in a repeated hour only the first
  pass is quiet), wrapping midnight when end < start; equal means none; the end
  itself is not quiet. An occurrence inside is held back to the end; held ones
  collapse into that one instant. next_fire_time is the first instant of this
  held-back set strictly after ``after``: with ``after`` inside quiet hours that
  already held one, the answer is their end.
* Cost: no minute-by-minute walk. On a day without an offset change wall order
  is instant order, so a bisect finds the first time after ``after``. The scan
  starts the day before ``after`` (a gap can push a late time past midnight) and
  stops one day after the first day with a hit: at most 10 local days.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property
from zoneinfo import ZoneInfo

from .isodates import DateTextError, iso_utc, parse_moment

ALL_DAYS = frozenset(range(1, 8))
MAX_TIMES = 24
MIN_EVERY, MAX_EVERY = 15, 720
_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)  # the smallest step: "strictly after t" == "at or after t + tick"
_SEARCH_DAYS = 10  # the day before, 7 weekdays, one day of DST overlap, one spare
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


class ScheduleError(ValueError):
    """Invalid schedule input; ``fields`` maps a field path to a message for people."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = dict(fields)


def _wall(t: time) -> time:
    # A wall time carries no zone; fold is dropped so that resolution is always fold=0.
    if not isinstance(t, time) or t.tzinfo is not None:
        raise ValueError("wall times must be naive datetime.time values")
    return t.replace(fold=0)


def _days(days) -> frozenset[int]:
    days = frozenset(days)
    if not days or not days <= ALL_DAYS:
        raise ValueError("weekdays must be a non-empty subset of 1..7")
    return days


@dataclass(frozen=True)
class Daily:
    times: tuple[time, ...]
    weekdays: frozenset[int] = ALL_DAYS

    def __post_init__(self):
        times = tuple(sorted({_wall(t) for t in self.times}))
        if not times:
            raise ValueError("a daily schedule needs at least one time")
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "weekdays", _days(self.weekdays))

    wall_times = property(lambda self: self.times)  # the same name Interval computes


@dataclass(frozen=True)
class Interval:
    every_minutes: int
    start: time
    end: time
    weekdays: frozenset[int] = ALL_DAYS

    def __post_init__(self):
        # The API's 15..720 limit is policy and lives in parse_schedule; the maths only needs >= 1.
        if isinstance(self.every_minutes, bool) or not isinstance(self.every_minutes, int) or self.every_minutes < 1:
            raise ValueError("every_minutes must be a positive int")
        object.__setattr__(self, "start", _wall(self.start))
        object.__setattr__(self, "end", _wall(self.end))
        if not self.start < self.end:
            raise ValueError("an interval window must start before it ends")
        object.__setattr__(self, "weekdays", _days(self.weekdays))

    @cached_property
    def wall_times(self) -> tuple[time, ...]:
        base, step = datetime.combine(date.min, self.start), timedelta(minutes=self.every_minutes)
        count = (datetime.combine(date.min, self.end) - base) // step + 1
        return tuple((base + k * step).time() for k in range(count))


@dataclass(frozen=True)
class Once:
    at: datetime

    def __post_init__(self):
        if not isinstance(self.at, datetime) or self.at.utcoffset() is None:
            raise ValueError("Once.at must be a timezone-aware datetime")
        object.__setattr__(self, "at", self.at.astimezone(UTC))


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def __post_init__(self):
        object.__setattr__(self, "start", _wall(self.start))
        object.__setattr__(self, "end", _wall(self.end))

    @property
    def active(self) -> bool:
        return self.start != self.end


Schedule = Daily | Interval | Once


# ---------------------------------------------------------------- fire times
def _zone(tz: str | tzinfo) -> tzinfo:
    # An unknown name raises zoneinfo.ZoneInfoNotFoundError: zones are validated when stored.
    return tz if isinstance(tz, tzinfo) else ZoneInfo(tz)


def _utc(moment: datetime, name: str = "after") -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment.astimezone(UTC)


def _resolve(day: date, wall: time, zone: tzinfo) -> datetime:
    """The instant a wall time on a local date means: fold=0 (see the module notes)."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _first_on_day(day: date, walls: tuple[time, ...], after: datetime, zone: tzinfo) -> datetime | None:
    """The earliest instant strictly after ``after`` among the walls on one local date."""
    offset = datetime.combine(day, time(0), tzinfo=zone).utcoffset()
    if offset == datetime.combine(day + _DAY, time(0), tzinfo=zone).utcoffset():
        # One offset all day, so instant = wall - offset and wall order is instant order.
        threshold = (after + offset).replace(tzinfo=None)
        if threshold.date() > day:
            return None
        i = 0 if threshold.date() < day else bisect_right(walls, threshold.time())
        return _resolve(day, walls[i], zone) if i < len(walls) else None
    # The clocks change today: a gap-shifted time may overtake later ones, so try them all.
    hits = [r for r in (_resolve(day, w, zone) for w in walls) if r > after]
    return min(hits, default=None)


def _next_occurrence(schedule: Schedule, after: datetime, zone: tzinfo) -> datetime | None:
    """The first occurrence strictly after ``after`` (UTC), ignoring quiet hours."""
    if isinstance(schedule, Once):
        return schedule.at if schedule.at > after else None
    walls = schedule.wall_times
    try:
        day = after.astimezone(zone).date() - _DAY
        best, hit_day = None, None
        for _ in range(_SEARCH_DAYS):
            # A hit on day X can only be beaten by day X+1 (a gap shifts by < 1 day).
            if hit_day is not None and day > hit_day + _DAY:
                break
            if day.isoweekday() in schedule.weekdays:
                hit = _first_on_day(day, walls, after, zone)
                if hit is not None and (best is None or hit < best):
                    best, hit_day = hit, hit_day or day
            day += _DAY
        return best
    except OverflowError:  # the search ran past year 9999
        return None


def _quiet_span(moment: datetime, zone: tzinfo, quiet: QuietHours) -> tuple[datetime, datetime] | None:
    """The (start, end) in UTC of the quiet span containing ``moment``, or None."""
    wraps = quiet.end < quiet.start
    local_day = moment.astimezone(zone).date()
    periods = []
    for k in range(-3, 3):  # periods that may contain the moment, or join the span that does
        day = local_day + timedelta(days=k)
        start = _resolve(day, quiet.start, zone)
        end = _resolve(day + _DAY if wraps else day, quiet.end, zone)
        if start < end:  # a period swallowed by a DST gap is empty
            periods.append((start, end))
    # Periods only touch or overlap when a boundary sits in a DST gap: join them.
    spans: list[list[datetime]] = []
    for start, end in sorted(periods):
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    for start, end in spans:
        if start <= moment < end:
            return start, end
    return None


def is_quiet(instant: datetime, tz: str | tzinfo, quiet: QuietHours | None) -> bool:
    """Whether quiet hours hold back an occurrence at ``instant`` (the end is not quiet)."""
    if quiet is None or not quiet.active:
        return False
    return _quiet_span(_utc(instant, "instant"), _zone(tz), quiet) is not None


def next_fire_time(
    schedule: Schedule, after: datetime, tz: str | tzinfo, quiet: QuietHours | None = None
) -> datetime | None:
    """The first fire time strictly after ``after``, in UTC; None when there is none."""
    zone, after = _zone(tz), _utc(after)
    if quiet is None or not quiet.active:
        return _next_occurrence(schedule, after, zone)
    span = _quiet_span(after, zone, quiet)
    if span is not None:
        # An occurrence held earlier in this span is still owed at its end.
        held = _next_occurrence(schedule, span[0] - _TICK, zone)
        if held is not None and held < span[1]:
            return span[1]
    nxt = _next_occurrence(schedule, after, zone)
    if nxt is None:
        return None
    span = _quiet_span(nxt, zone, quiet)
    return nxt if span is None else span[1]


def occurrences(
    schedule: Schedule, start: datetime, end: datetime | None, tz: str | tzinfo,
    quiet: QuietHours | None = None, limit: int = 500,
) -> list[datetime]:
    """Fire times t with start <= t < end (end None: unbounded), at most ``limit``, in UTC."""
    zone, out = _zone(tz), []
    end = None if end is None else _utc(end, "end")
    t = _utc(start, "start") - _TICK
    while len(out) < limit:
        t = next_fire_time(schedule, t, zone, quiet)
        if t is None or (end is not None and t >= end):
            break
        out.append(t)
    return out


# ---------------------------------------------------------------- API shapes
_KEYS = {
    "daily": {"type", "times", "weekdays"},
    "interval": {"type", "every_minutes", "start", "end", "weekdays"},
    "once": {"type", "at"},
}
_MSG_TIME = "use HH:MM 24-hour times, e.g. 07:30"
_MSG_AT = "use an ISO 8601 date-time with a UTC offset, e.g. 2026-11-25T15:00:00+01:00"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1


def _hhmm(value) -> time | None:
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    return time(int(match[1]), int(match[2])) if match else None


def hour_minute(value: time) -> str:
    """A wall time as the API, the stored schedule and the profile's quiet hours write it: 'HH:MM', 24-hour."""
    return f"{value:%H:%M}"


# Each check takes the raw JSON value and returns the clean one or raises ValueError(message).
def _check_wall(raw) -> time:
    if (value := _hhmm(raw)) is None:
        raise ValueError(_MSG_TIME)
    return value


def _check_times(raw) -> tuple[time, ...]:
    if not isinstance(raw, list):
        raise ValueError(f"must be a list of times; {_MSG_TIME}")
    times = {_hhmm(v) for v in raw}
    if None in times:
        raise ValueError(_MSG_TIME)
    # Different times are counted (a time twice is once), and the list has at most MAX_TIMES entries, as the
    # API document says (maxItems): a longer list is refused even when it repeats itself.
    if not 1 <= len(times) <= MAX_TIMES or len(raw) > MAX_TIMES:
        raise ValueError(f"give 1 to {MAX_TIMES} different times")
    return tuple(sorted(times))


def _check_weekdays(raw) -> frozenset[int]:
    if not isinstance(raw, list) or not all(_is_int(d) and 1 <= d <= 7 for d in raw):
        raise ValueError("use a list of ISO weekdays, 1 (Monday) to 7 (Sunday)")
    if not raw:
        raise ValueError("pick at least one weekday")
    if len(set(raw)) != len(raw):
        raise ValueError("list each weekday once")
    return frozenset(raw)


def _check_every(raw) -> int:
    if not (_is_int(raw) and MIN_EVERY <= raw <= MAX_EVERY):
        raise ValueError(f"must be a whole number of minutes from {MIN_EVERY} to {MAX_EVERY}")
    return raw


def _check_at(raw) -> datetime:
    try:
        at = parse_moment(raw)
    except DateTextError:
        raise ValueError(_MSG_AT) from None
    if at.utcoffset() is None:
        raise ValueError("include a UTC offset, e.g. +01:00 or Z")
    try:
        return at.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 has no UTC form
        raise ValueError(_MSG_AT) from None


def parse_schedule(data: dict, prefix: str = "schedule") -> Schedule:
    """Validate one API schedule object; raise ScheduleError with every bad field."""
    if not isinstance(data, dict):
        raise ScheduleError({prefix: "must be an object with a type"})
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in _KEYS:
        raise ScheduleError({f"{prefix}.type": "must be one of: daily, interval, once"})
    errors = {f"{prefix}.{key}": f"unknown field for a {kind} schedule"
              for key in data if key not in _KEYS[kind]}

    def get(key, check, default=None):
        if default is not None and data.get(key) is None:  # optional: omitted or null
            return default
        if key not in data:
            errors[f"{prefix}.{key}"] = "is required"
            return None
        try:
            return check(data[key])
        except ValueError as exc:
            errors[f"{prefix}.{key}"] = str(exc)
            return None

    if kind == "once":
        at = get("at", _check_at)
    elif kind == "daily":
        times, days = get("times", _check_times), get("weekdays", _check_weekdays, ALL_DAYS)
    else:
        every, days = get("every_minutes", _check_every), get("weekdays", _check_weekdays, ALL_DAYS)
        start, end = get("start", _check_wall), get("end", _check_wall)
        if start is not None and end is not None and not start < end:
            errors[f"{prefix}.end"] = "must be later than start on the same day"
    if errors:
        raise ScheduleError(errors)
    if kind == "once":
        return Once(at)
    return Daily(times, days) if kind == "daily" else Interval(every, start, end, days)


def schedule_to_dict(schedule: Schedule) -> dict:
    """The canonical API form: sorted lists, weekdays always present, ``at`` in UTC with Z."""
    if isinstance(schedule, Once):
        return {"type": "once", "at": iso_utc(schedule.at)}
    days = sorted(schedule.weekdays)
    if isinstance(schedule, Daily):
        return {"type": "daily", "times": [hour_minute(t) for t in schedule.times], "weekdays": days}
    return {"type": "interval", "every_minutes": schedule.every_minutes,
            "start": hour_minute(schedule.start), "end": hour_minute(schedule.end), "weekdays": days}

