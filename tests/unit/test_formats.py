"""The named formats (coach/formats.py): British English from CLDR, 24-hour times, the person's zone across DST
changes, Today/Tomorrow at local midnight, durations, numbers, schedules and the assessment's dates."""

import re
from datetime import UTC, date, datetime, time

import pytest

from coach.domain.schedule import Daily, Interval, Once
from coach.domain.triage import Profile, assess
from coach.formats import (
    clock_time,
    day,
    decimal,
    duration,
    minutes,
    moment,
    month,
    number,
    on_day,
    schedule_text,
    short_day,
    time_range,
    time_since,
    weekday,
    weekdays,
    when,
)
from tests.unit.test_triage import NOW, eps

LONDON, NEW_YORK, AUCKLAND, BERLIN = "Europe/London", "America/New_York", "Pacific/Auckland", "Europe/Berlin"
WEEKDAYS = frozenset(range(1, 6))


def U(text):  # "YYYY-MM-DD HH:MM" in UTC
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def hm(text):
    return time.fromisoformat(text)


# ---------- dates, British style ----------

@pytest.mark.parametrize("value, expected", [
    (day(date(2026, 12, 6)), "6 Dec 2026"),
    (short_day(date(2026, 12, 6)), "6 Dec"),
    (weekday(date(2026, 12, 6)), "Sun 6 Dec 2026"),  # the app's order (CLDR en_GB adds a comma)
    (weekday(date(2026, 12, 6), year=False), "Sun 6 Dec"),
    (month(date(2026, 9, 1)), "Sept 2026"),  # CLDR en_GB's September
    (short_day(date(2026, 3, 1)), "1 Mar"),
    (day("2026-09-07"), "7 Sept 2026"),  # an ISO date from a JSON shape (the diary chart's table)
])
def test_dates_read_the_british_way(value, expected):
    assert value == expected


def test_times_are_24_hour_with_no_narrow_space_whatever_the_locale():
    assert clock_time(hm("07:30")) == "07:30" and clock_time(hm("19:05")) == "19:05"
    for locale in ("en", "en_US", "en_GB"):
        text = clock_time(hm("19:05"), locale=locale)
        assert text == "19:05" and "\u202f" not in text and "PM" not in text


def test_a_date_of_an_instant_is_the_date_where_the_person_is():
    instant = U("2026-03-01 22:15")  # 11:15 on 2 March in Auckland (NZDT, UTC+13)
    assert day(instant, AUCKLAND) == "2 Mar 2026" and day(instant, UTC) == "1 Mar 2026"
    assert moment(instant, AUCKLAND) == "Mon 2 Mar 2026, 11:15"
    assert moment(instant, LONDON) == "Sun 1 Mar 2026, 22:15"
    assert moment(instant, AUCKLAND, weekday_name=False) == "2 Mar 2026, 11:15"
    # A stored moment without a zone is UTC (as the database keeps it).
    assert moment(instant.replace(tzinfo=None), AUCKLAND) == "Mon 2 Mar 2026, 11:15"


@pytest.mark.parametrize("instant, zone, expected", [
    # London falls back at 02:00 BST on 25 Oct 2026: 01:30 happens twice, an hour apart.
    (U("2026-10-25 00:30"), LONDON, "Sun 25 Oct 2026, 01:30"),
    (U("2026-10-25 01:30"), LONDON, "Sun 25 Oct 2026, 01:30"),
    (U("2026-10-24 23:30"), LONDON, "Sun 25 Oct 2026, 00:30"),  # BST: already the 25th
    (U("2026-10-25 23:30"), LONDON, "Sun 25 Oct 2026, 23:30"),  # GMT: still the 25th
    # New York falls back at 02:00 EDT on 1 Nov 2026 and springs forward on 8 Mar 2026.
    (U("2026-11-01 05:30"), NEW_YORK, "Sun 1 Nov 2026, 01:30"),  # EDT
    (U("2026-11-01 06:30"), NEW_YORK, "Sun 1 Nov 2026, 01:30"),  # EST
    (U("2026-11-01 03:59"), NEW_YORK, "Sat 31 Oct 2026, 23:59"),
    (U("2026-03-08 06:59"), NEW_YORK, "Sun 8 Mar 2026, 01:59"),  # EST
    (U("2026-03-08 07:00"), NEW_YORK, "Sun 8 Mar 2026, 03:00"),  # EDT: 02:00-03:00 does not exist
])
def test_moments_across_the_dst_changes(instant, zone, expected):
    assert moment(instant, zone) == expected


# ---------- Today / Tomorrow ----------

@pytest.mark.parametrize("value, now, zone, expected", [
    # One second before local midnight in Auckland: midnight is tomorrow, the minute before it today.
    (U("2026-06-30 12:00"), U("2026-06-30 11:59"), AUCKLAND, "Tomorrow 00:00"),  # NZST, UTC+12
    (U("2026-06-30 11:59"), U("2026-06-30 11:58"), AUCKLAND, "Today 23:59"),
    # ... and just after it, the same instant is today; the next local midnight is tomorrow.
    (U("2026-06-30 12:00"), U("2026-06-30 12:00"), AUCKLAND, "Today 00:00"),
    (U("2026-07-01 12:00"), U("2026-06-30 12:00"), AUCKLAND, "Tomorrow 00:00"),
    (U("2026-07-02 12:01"), U("2026-06-30 12:00"), AUCKLAND, "Fri 3 Jul, 00:01"),
    # The same instants in UTC fall on other days: the zone decides.
    (U("2026-06-30 12:00"), U("2026-06-30 11:59"), UTC, "Today 12:00"),
    # The day London falls back has 25 hours: 23:30 GMT is still today for a person who looked at 00:10 BST.
    (U("2026-10-25 23:30"), U("2026-10-24 23:10"), LONDON, "Today 23:30"),
    (U("2026-10-26 00:00"), U("2026-10-24 23:10"), LONDON, "Tomorrow 00:00"),
    # New York's fall-back night: 00:30 EDT to 00:00 EST the next day is tomorrow.
    (U("2026-11-02 05:00"), U("2026-11-01 04:30"), NEW_YORK, "Tomorrow 00:00"),
    (U("2026-11-01 06:30"), U("2026-11-01 04:30"), NEW_YORK, "Today 01:30"),
    # Another year says which; yesterday and earlier read as a date.
    (U("2027-01-04 08:00"), U("2026-12-30 20:00"), BERLIN, "Mon 4 Jan 2027, 09:00"),
    (U("2026-12-29 20:00"), U("2026-12-30 20:00"), BERLIN, "Tue 29 Dec, 21:00"),
])
def test_when_says_today_and_tomorrow_by_the_persons_midnight(value, now, zone, expected):
    assert when(value, zone, now) == expected


def test_when_of_nothing_is_empty():
    assert when(None, LONDON, U("2026-12-30 20:00")) == ""


@pytest.mark.parametrize("started, now, zone, expected", [
    (U("2026-03-20 11:59"), U("2026-03-20 12:00"), LONDON, "1 minute ago"),
    (U("2026-03-20 11:59:30"), U("2026-03-20 12:00"), LONDON, "just now"),
    (U("2026-03-20 07:00"), U("2026-03-20 12:00"), LONDON, "5 hours ago"),
    # Calendar days where the person is: 23:00 yesterday and 01:00 today are a day apart in London...
    (U("2026-03-18 23:00"), U("2026-03-20 01:00"), LONDON, "2 days ago"),
    # ... but the same instants in Auckland are 19 and 20 March, local 12:00 and 14:00: yesterday.
    (U("2026-03-18 23:00"), U("2026-03-20 01:00"), AUCKLAND, "yesterday"),
    (U("2026-03-06 12:00"), U("2026-03-20 12:00"), LONDON, "14 days ago"),
    (U("2026-02-01 12:00"), U("2026-03-20 12:00"), LONDON, "6 weeks ago"),
    (U("2025-03-01 12:00"), U("2026-03-20 12:00"), LONDON, "1 year ago"),
])
def test_time_since_in_plain_words_and_the_persons_days(started, now, zone, expected):
    assert time_since(started, now, zone) == expected


@pytest.mark.parametrize("value, today, with_year, expected", [
    (date(2026, 6, 15), date(2026, 6, 15), False, "today"),
    (date(2026, 6, 14), date(2026, 6, 15), False, "yesterday"),
    (date(2026, 6, 7), date(2026, 6, 15), False, "on 7 June"),
    (date(2025, 12, 30), date(2026, 1, 2), False, "on 30 December 2025"),
    (date(2026, 6, 15), date(2026, 6, 15), True, "on 15 June 2026"),
])
def test_on_day_is_the_wording_of_the_assessments_reasons(value, today, with_year, expected):
    assert on_day(value, today, with_year) == expected


def test_the_assessment_says_its_dates_through_the_formatter_it_is_given():
    episodes = eps(8, symptoms=("chest_pain",))  # 8 days before Monday 15 June 2026 in London
    app_words = assess(episodes, [], Profile(), NOW, LONDON, on_day).info[0].message
    neutral = assess(episodes, [], Profile(), NOW, LONDON).info[0].message
    assert "You reported chest pain on 7 June 2026." in app_words
    assert "You reported chest pain on 2026-06-07." in neutral  # the pure domain's own form, no month names


# ---------- numbers and durations ----------

@pytest.mark.parametrize("value, expected", [
    (duration(250), "4 min 10 s"), (duration(900), "15 min"), (duration(45), "45 s"), (duration(0), "0 s"),
    (minutes(90), "1 h 30 min"), (minutes(120), "2 h"), (minutes(45), "45 min"),
    (minutes(90, long=True), "1 hour 30 minutes"), (minutes(60, long=True), "1 hour"),
    (number(2001), "2,001"), (number(12), "12"),
    (decimal(72.5), "72.5"), (decimal(72.0), "72"), (decimal(None), "-"), (decimal(2.25, 1), "2.2"),
    (decimal(1.0, 1), "1.0"), (decimal(12345.678), "12,345.678"),
])
def test_numbers_and_durations(value, expected):
    assert value == expected


def test_another_language_takes_cldr_units_and_separators():
    assert duration(250, locale="de") == "4 Min., 10 Sek."
    assert number(2001, locale="de") == "2.001"
    assert weekday(date(2026, 12, 6), locale="en_US") == "Sun, Dec 6, 2026"  # the app's order is en_GB's only
    assert time_range(hm("08:00"), hm("20:00"), locale="de").startswith("08:00")


# ---------- schedules (the domain keeps the maths; the words are here) ----------

@pytest.mark.parametrize("schedule, zone, text", [
    (Daily((hm("07:30"),), WEEKDAYS), None, "07:30, weekdays"),
    (Daily((hm("18:00"), hm("07:30"))), None, "07:30 and 18:00, daily"),
    (Daily((hm("18:00"), hm("07:30"), hm("12:00")), frozenset({2, 3, 4})), None, "07:30, 12:00 and 18:00, Tue–Thu"),
    (Daily((hm("09:00"),), frozenset({1, 3, 6, 7})), None, "09:00, Mon, Wed, Sat, Sun"),
    (Interval(120, hm("09:00"), hm("17:00"), WEEKDAYS), None, "Every 2 hours, 09:00–17:00, weekdays"),
    (Interval(60, hm("09:00"), hm("17:00")), None, "Every hour, 09:00–17:00"),
    (Interval(90, hm("08:00"), hm("20:00"), frozenset({6, 7})), None, "Every 1 hour 30 minutes, 08:00–20:00, weekends"),
    (Interval(45, hm("08:00"), hm("20:00"), frozenset({1, 2, 3, 5})), None, "Every 45 minutes, 08:00–20:00, Mon–Wed, Fri"),
    (Once(U("2026-11-25 14:00")), BERLIN, "Once, Wed 25 Nov 2026, 15:00"),
    (Once(U("2026-11-25 14:00")), None, "Once, Wed 25 Nov 2026, 14:00"),
    (Once(U("2026-10-25 00:30")), LONDON, "Once, Sun 25 Oct 2026, 01:30"),  # before London falls back
    ({"type": "daily", "times": ["07:30"], "weekdays": [6, 7]}, None, "07:30, weekends"),  # the stored shape
])
def test_schedule_text(schedule, zone, text):
    # A 320 px phone never breaks '09:00–' / '17:00' (a word joiner, U+2060, follows every range's dash) nor
    # '30' / 'minutes' (a no-break space joins an interval's number and unit).
    words = schedule_text(schedule, zone)
    assert words.count("–") == words.count("–\u2060") and words.replace("\u2060", "").replace("\u00a0", " ") == text
    assert not re.search(r"\d (hour|minute)", words)


def test_time_ranges_keep_both_ends():
    assert time_range(hm("22:30"), hm("07:00")) == "22:30–07:00"  # quiet hours past midnight
    assert time_range(hm("08:00"), hm("08:00")) == "08:00\u2009–\u200908:00"  # no length: CLDR's fallback range


def test_weekday_runs():
    assert weekdays({1, 2, 3, 4, 5, 6, 7}) == "Mon–Sun"
    assert weekdays({1, 2}) == "Mon, Tue"
    assert weekdays({5, 6, 7, 1}) == "Mon, Fri–Sun"
