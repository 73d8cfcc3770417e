"""Schedule maths: fixed tables across DST, quiet hours, parsing, and properties against brute force."""

from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coach.domain.schedule import (
    Daily,
    Interval,
    Once,
    QuietHours,
    ScheduleError,
    hour_minute,
    is_quiet,
    next_fire_time,
    occurrences,
    parse_schedule,
    schedule_to_dict,
)

BERLIN, NEW_YORK, LORD_HOWE, KOLKATA = "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"
NUUK = "America/Nuuk"  # springs forward at 23:00, so a gap-shifted time crosses midnight
ZONES = [BERLIN, NEW_YORK, LORD_HOWE, KOLKATA, NUUK]
WEEKDAYS = frozenset(range(1, 6))


def U(text):  # "YYYY-MM-DD HH:MM" in UTC
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def daily(*hhmm, days=None):
    times = tuple(time.fromisoformat(t) for t in hhmm)
    return Daily(times) if days is None else Daily(times, frozenset(days))


def every(minutes, start, end, days=None):
    window = (minutes, time.fromisoformat(start), time.fromisoformat(end))
    return Interval(*window) if days is None else Interval(*window, frozenset(days))


def table(*rows):  # rows of (id, *values), so each line of a table reads as one case
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


# ---------------------------------------------------------------- next fire time
# Changes in 2026: Berlin 29 Mar / 25 Oct, New York 8 Mar / 1 Nov, Lord Howe 5 Apr (02:00 -> 01:30)
# and 4 Oct (02:00 -> 02:30), Nuuk 28 Mar (23:00 -> 00:00: the gap straddles midnight).
NEXT = table(
    ("berlin-spring-same-wall-time-not-plus-24h", BERLIN, daily("07:00"), U("2026-03-28 06:00"), U("2026-03-29 05:00")),
    ("berlin-spring-gap-0230-fires-0330-cest", BERLIN, daily("02:30"), U("2026-03-28 12:00"), U("2026-03-29 01:30")),
    ("berlin-spring-0315-before-shifted-0230", BERLIN, daily("02:30", "03:15"), U("2026-03-29 00:00"), U("2026-03-29 01:15")),
    ("berlin-spring-then-shifted-0230", BERLIN, daily("02:30", "03:15"), U("2026-03-29 01:15"), U("2026-03-29 01:30")),
    ("berlin-spring-0230-and-0330-fire-once", BERLIN, daily("02:30", "03:30"), U("2026-03-29 01:30"), U("2026-03-30 00:30")),
    ("berlin-fall-same-wall-time", BERLIN, daily("07:00"), U("2026-10-24 05:00"), U("2026-10-25 06:00")),
    ("berlin-fall-0230-first-pass", BERLIN, daily("02:30"), U("2026-10-24 12:00"), U("2026-10-25 00:30")),
    ("berlin-fall-0230-second-pass-skipped", BERLIN, daily("02:30"), U("2026-10-25 00:30"), U("2026-10-26 01:30")),
    ("new-york-spring-same-wall-time", NEW_YORK, daily("08:00"), U("2026-03-07 13:00"), U("2026-03-08 12:00")),
    ("new-york-spring-gap-0230-fires-0330-edt", NEW_YORK, daily("02:30"), U("2026-03-07 12:00"), U("2026-03-08 07:30")),
    ("new-york-fall-same-wall-time", NEW_YORK, daily("08:00"), U("2026-10-31 12:00"), U("2026-11-01 13:00")),
    ("new-york-fall-0130-first-pass", NEW_YORK, daily("01:30"), U("2026-10-31 12:00"), U("2026-11-01 05:30")),
    ("new-york-fall-0130-second-pass-skipped", NEW_YORK, daily("01:30"), U("2026-11-01 05:30"), U("2026-11-02 06:30")),
    ("lord-howe-spring-gap-0215-fires-0245", LORD_HOWE, daily("02:15"), U("2026-10-03 03:00"), U("2026-10-03 15:45")),
    ("lord-howe-spring-same-wall-time", LORD_HOWE, daily("08:00"), U("2026-10-02 21:30"), U("2026-10-03 21:00")),
    ("lord-howe-autumn-0145-first-pass", LORD_HOWE, daily("01:45"), U("2026-04-04 03:00"), U("2026-04-04 14:45")),
    ("lord-howe-autumn-0145-second-pass-skipped", LORD_HOWE, daily("01:45"), U("2026-04-04 14:45"), U("2026-04-05 15:15")),
    ("nuuk-next-days-0015-beats-shifted-2330", NUUK, daily("00:15", "23:30"), U("2026-03-29 00:00"), U("2026-03-29 01:15")),
    ("nuuk-shifted-2330-fires-0030-next-day", NUUK, daily("00:15", "23:30"), U("2026-03-29 01:15"), U("2026-03-29 01:30")),
    ("kolkata-no-dst", KOLKATA, daily("07:30"), U("2026-03-29 02:00"), U("2026-03-30 02:00")),
    ("kolkata-year-end", KOLKATA, daily("07:30"), U("2026-12-31 03:00"), U("2027-01-01 02:00")),
    ("berlin-year-end-midnight", BERLIN, daily("00:00"), U("2026-12-31 22:59"), U("2026-12-31 23:00")),
    ("strictly-after", BERLIN, daily("00:00"), U("2026-12-31 23:00"), U("2027-01-01 23:00")),
    ("monday-only-across-year-end", KOLKATA, daily("09:00", days=[1]), U("2026-12-28 04:00"), U("2027-01-04 03:30")),
    ("weekdays-friday-to-monday", KOLKATA, daily("07:30", days=WEEKDAYS), U("2026-11-27 12:00"), U("2026-11-30 02:00")),
    ("weekday-is-the-local-date", NEW_YORK, daily("23:30", days=[6]), U("2026-11-27 12:00"), U("2026-11-29 04:30")),
    ("interval-before-window", BERLIN, every(120, "09:00", "17:00"), U("2026-06-10 05:00"), U("2026-06-10 07:00")),
    ("interval-mid-window", BERLIN, every(120, "09:00", "17:00"), U("2026-06-10 07:00"), U("2026-06-10 09:00")),
    ("interval-after-window", BERLIN, every(120, "09:00", "17:00"), U("2026-06-10 15:00"), U("2026-06-11 07:00")),
    ("interval-end-not-on-step", BERLIN, every(90, "09:00", "17:00"), U("2026-06-10 14:30"), U("2026-06-11 07:00")),
    ("interval-weekdays", BERLIN, every(60, "09:00", "10:00", WEEKDAYS), U("2026-11-27 10:00"), U("2026-11-30 08:00")),
    ("once-future", BERLIN, Once(U("2026-11-25 14:00")), U("2026-11-25 09:00"), U("2026-11-25 14:00")),
    ("once-exactly-now-is-passed", BERLIN, Once(U("2026-11-25 14:00")), U("2026-11-25 14:00"), None),
    ("once-past", BERLIN, Once(U("2026-11-25 14:00")), U("2026-12-01 00:00"), None),
)


@pytest.mark.parametrize("zone, schedule, after, expected", NEXT)
def test_next_fire_time(zone, schedule, after, expected):
    assert next_fire_time(schedule, after, zone) == expected


def test_result_is_utc_takes_a_zoneinfo_and_a_local_after_and_refuses_a_naive_one():
    got = next_fire_time(daily("07:00"), datetime(2026, 6, 10, 8, tzinfo=ZoneInfo(BERLIN)), ZoneInfo(BERLIN))
    assert got == U("2026-06-11 05:00") and got.tzinfo is UTC
    with pytest.raises(ValueError):
        next_fire_time(daily("07:00"), datetime(2026, 6, 10), BERLIN)


INTERVAL_DST = table(  # expected fire times in UTC, all in 2026
    ("berlin-spring-missing-hour-fires-once", BERLIN, every(60, "01:00", "05:00"), U("2026-03-29 00:00"),
     "03-29 00:00, 03-29 01:00, 03-29 02:00, 03-29 03:00"),
    ("berlin-fall-repeated-hour-first-pass-only", BERLIN, every(30, "01:00", "04:00"), U("2026-10-24 22:00"),
     "10-24 23:00, 10-24 23:30, 10-25 00:00, 10-25 00:30, 10-25 02:00, 10-25 02:30, 10-25 03:00"),
    ("new-york-spring-sorted-by-instant", NEW_YORK, every(45, "01:00", "04:00"), U("2026-03-08 00:00"),
     "03-08 06:00, 03-08 06:45, 03-08 07:15, 03-08 07:30, 03-08 08:00"),
    ("lord-howe-spring-half-hour-gap", LORD_HOWE, every(15, "01:45", "02:45"), U("2026-10-03 12:00"),
     "10-03 15:15, 10-03 15:30, 10-03 15:45"),
    ("berlin-window-keeps-wall-times-over-spring", BERLIN, every(240, "09:00", "17:00"), U("2026-03-28 00:00"),
     "03-28 08:00, 03-28 12:00, 03-28 16:00, 03-29 07:00, 03-29 11:00, 03-29 15:00"),
)


@pytest.mark.parametrize("zone, schedule, start, expected", INTERVAL_DST)
def test_interval_across_dst(zone, schedule, start, expected):
    expected = [U(f"2026-{t}") for t in expected.split(", ")]
    assert occurrences(schedule, start, start + timedelta(days=2), zone, limit=len(expected)) == expected


def test_occurrences_is_half_open_and_limited():
    s = daily("07:00")
    got = occurrences(s, U("2026-06-10 05:00"), U("2026-06-13 05:00"), BERLIN)
    assert got == [U("2026-06-10 05:00"), U("2026-06-11 05:00"), U("2026-06-12 05:00")]
    assert occurrences(s, U("2026-06-10 05:00"), None, BERLIN, limit=5)[-1] == U("2026-06-14 05:00")


# ---------------------------------------------------------------- quiet hours (Berlin, CEST = UTC+2 in June)
NIGHT, LUNCH, NONE = QuietHours(time(22), time(7)), QuietHours(time(12), time(14)), QuietHours(time(7), time(7))
QUIET = table(
    ("held-to-morning", daily("23:00"), NIGHT, U("2026-06-10 12:00"), U("2026-06-11 05:00")),
    ("exactly-at-start-is-held", daily("22:00"), NIGHT, U("2026-06-10 12:00"), U("2026-06-11 05:00")),
    ("exactly-at-end-fires", daily("07:00"), NIGHT, U("2026-06-10 12:00"), U("2026-06-11 05:00")),
    ("just-before-start-fires", daily("21:59"), NIGHT, U("2026-06-10 12:00"), U("2026-06-10 19:59")),
    ("after-midnight-held", daily("03:00"), NIGHT, U("2026-06-10 12:00"), U("2026-06-11 05:00")),
    ("after-inside-owes-a-held-one", daily("23:00"), NIGHT, U("2026-06-10 21:30"), U("2026-06-11 05:00")),
    ("after-inside-later-one-held", daily("23:00"), NIGHT, U("2026-06-10 20:30"), U("2026-06-11 05:00")),
    ("after-inside-nothing-held", daily("21:00"), NIGHT, U("2026-06-10 20:30"), U("2026-06-11 19:00")),
    ("after-at-release-moves-on", daily("23:00"), NIGHT, U("2026-06-11 05:00"), U("2026-06-12 05:00")),
    ("inside-one-day", daily("13:00"), LUNCH, U("2026-06-10 05:00"), U("2026-06-10 12:00")),
    ("inside-one-day-before", daily("11:59"), LUNCH, U("2026-06-10 05:00"), U("2026-06-10 09:59")),
    ("equal-start-and-end-is-none", daily("23:00"), NONE, U("2026-06-10 12:00"), U("2026-06-10 21:00")),
    ("once-held", Once(U("2026-06-10 21:00")), NIGHT, U("2026-06-10 12:00"), U("2026-06-11 05:00")),
    ("once-released-already", Once(U("2026-06-10 21:00")), NIGHT, U("2026-06-11 05:00"), None),
    ("across-spring-change", daily("23:00"), NIGHT, U("2026-03-28 12:00"), U("2026-03-29 05:00")),
    ("across-fall-change", daily("23:00"), NIGHT, U("2026-10-24 12:00"), U("2026-10-25 06:00")),
    ("end-in-gap-is-shifted", daily("23:00"), QuietHours(time(22), time(2, 30)), U("2026-03-28 12:00"), U("2026-03-29 01:30")),
    ("overlaps-in-a-gap-join", daily("02:00"), QuietHours(time(3, 10), time(2, 30)), U("2026-03-28 12:00"), U("2026-03-30 00:30")),
)


@pytest.mark.parametrize("schedule, quiet, after, expected", QUIET)
def test_quiet_hours(schedule, quiet, after, expected):
    assert next_fire_time(schedule, after, BERLIN, quiet) == expected


def test_held_occurrences_collapse_into_one():
    got = occurrences(every(60, "20:00", "23:59"), U("2026-06-10 06:00"), U("2026-06-11 12:00"), BERLIN, NIGHT)
    assert got == [U("2026-06-10 18:00"), U("2026-06-10 19:00"), U("2026-06-11 05:00")]
    both = occurrences(daily("06:00", "07:00"), U("2026-06-10 00:00"), U("2026-06-12 00:00"), BERLIN, NIGHT)
    assert both == [U("2026-06-10 05:00"), U("2026-06-11 05:00")]


@pytest.mark.parametrize("instant, quiet, expected", [
    ("2026-06-10 19:59", NIGHT, False), ("2026-06-10 20:00", NIGHT, True), ("2026-06-11 04:59", NIGHT, True),
    ("2026-06-11 05:00", NIGHT, False), ("2026-06-10 10:00", LUNCH, True), ("2026-06-10 12:00", LUNCH, False),
    ("2026-06-10 10:00", NONE, False), ("2026-06-10 22:00", None, False)])
def test_is_quiet(instant, quiet, expected):
    assert is_quiet(U(instant), BERLIN, quiet) is expected


# ---------------------------------------------------------------- parsing
M_TYPE, M_TIME = "must be one of: daily, interval, once", "use HH:MM 24-hour times, e.g. 07:30"
M_DAYS, M_EVERY = "use a list of ISO weekdays, 1 (Monday) to 7 (Sunday)", "must be a whole number of minutes from 15 to 720"
M_AT, M_OFFSET = "use an ISO 8601 date-time with a UTC offset, e.g. 2026-11-25T15:00:00+01:00", "include a UTC offset, e.g. +01:00 or Z"
D = {"type": "daily", "times": ["07:30"]}
IV = {"type": "interval", "every_minutes": 60, "start": "09:00", "end": "17:00"}
BAD = [
    ([], "schedule", "must be an object with a type"),
    *[(data, "schedule.type", M_TYPE) for data in ({}, {"type": "weekly"}, {"type": ["daily"]}, {"type": None})],
    ({**D, "colour": 1}, "schedule.colour", "unknown field for a daily schedule"),
    ({"type": "once", "at": "2026-11-25T15:00Z", "times": []}, "schedule.times", "unknown field for a once schedule"),
    ({"type": "daily"}, "schedule.times", "is required"),
    ({**D, "times": "07:30"}, "schedule.times", f"must be a list of times; {M_TIME}"),
    *[({**D, "times": ["07:30", bad]}, "schedule.times", M_TIME)  # full-width digits are not ASCII digits
      for bad in ("7:30", "24:00", "07:60", "07:30:00", " 07:30", "\uff10\uff17:30", 730, None, ["07:30"])],
    ({**D, "times": []}, "schedule.times", "give 1 to 24 different times"),
    ({**D, "times": [f"{h:02}:00" for h in range(24)] + ["23:30"]}, "schedule.times", "give 1 to 24 different times"),
    *[({**D, "weekdays": bad}, "schedule.weekdays", M_DAYS) for bad in ([0], [8], [True], [1.0], ["1"], "1-5", 5)],
    ({**D, "weekdays": [1, 1]}, "schedule.weekdays", "list each weekday once"),
    ({**D, "weekdays": []}, "schedule.weekdays", "pick at least one weekday"),
    ({"type": "interval", "start": "09:00", "end": "17:00"}, "schedule.every_minutes", "is required"),
    *[({**IV, "every_minutes": bad}, "schedule.every_minutes", M_EVERY) for bad in (14, 721, True, 60.0, "60", None)],
    ({"type": "interval", "every_minutes": 60, "end": "17:00"}, "schedule.start", "is required"),
    ({**IV, "start": "9am"}, "schedule.start", M_TIME),
    ({**IV, "start": "17:00", "end": "09:00"}, "schedule.end", "must be later than start on the same day"),
    ({**IV, "end": "09:00"}, "schedule.end", "must be later than start on the same day"),
    ({"type": "once"}, "schedule.at", "is required"),
    ({"type": "once", "at": "2026-11-25T15:00"}, "schedule.at", M_OFFSET),
    ({"type": "once", "at": "2026-11-25"}, "schedule.at", M_OFFSET),
    ({"type": "once", "at": "tomorrow"}, "schedule.at", M_AT),
    ({"type": "once", "at": 1764082800}, "schedule.at", M_AT),
    ({"type": "once", "at": "0001-01-01T00:00:00+01:00"}, "schedule.at", M_AT),  # no UTC form
]


@pytest.mark.parametrize("data, field, message", BAD, ids=[f"{i}-{row[1]}" for i, row in enumerate(BAD)])
def test_parse_schedule_errors(data, field, message):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(data)
    assert caught.value.fields == {field: message}


def test_parse_schedule_reports_every_bad_field_under_the_prefix():
    with pytest.raises(ScheduleError) as caught:
        parse_schedule({**IV, "every_minutes": 5, "start": "x", "weekdays": [9], "extra": 1}, prefix="a.schedule")
    assert set(caught.value.fields) == {"a.schedule.every_minutes", "a.schedule.start", "a.schedule.weekdays",
                                        "a.schedule.extra"}


ALL = [1, 2, 3, 4, 5, 6, 7]
GOOD = [
    ({**D, "times": ["18:00", "07:30", "07:30"]}, daily("07:30", "18:00"), {**D, "times": ["07:30", "18:00"], "weekdays": ALL}),
    ({**D, "times": ["23:59", "00:00"], "weekdays": [5, 1]}, daily("00:00", "23:59", days=[1, 5]), {**D, "times": ["00:00", "23:59"], "weekdays": [1, 5]}),
    ({**D, "weekdays": None}, daily("07:30"), {**D, "weekdays": ALL}),
    ({**IV, "every_minutes": 720, "weekdays": [2, 1]}, every(720, "09:00", "17:00", [1, 2]), {**IV, "every_minutes": 720, "weekdays": [1, 2]}),
    ({"type": "once", "at": "2026-11-25T15:00:00+01:00"}, Once(U("2026-11-25 14:00")), {"type": "once", "at": "2026-11-25T14:00:00Z"}),
    ({"type": "once", "at": "2026-11-25T14:00Z"}, Once(U("2026-11-25 14:00")), {"type": "once", "at": "2026-11-25T14:00:00Z"}),
]


@pytest.mark.parametrize("data, schedule, canonical", GOOD)
def test_parse_and_canonical_dict(data, schedule, canonical):
    assert parse_schedule(data) == schedule
    assert schedule_to_dict(schedule) == canonical
    assert parse_schedule(canonical) == schedule



def test_constructors_normalise_and_guard():
    assert Daily((time(9), time(7), time(9))).times == (time(7), time(9))
    assert every(120, "09:00", "17:00").wall_times == tuple(time(h) for h in range(9, 18, 2))
    assert Once(datetime(2026, 11, 25, 15, tzinfo=ZoneInfo(BERLIN))).at == U("2026-11-25 14:00")
    for bad in (lambda: Daily(()), lambda: daily("07:00", days=[0]), lambda: every(60, "09:00", "09:00"),
                lambda: Interval(0, time(9), time(10)), lambda: Once(datetime(2026, 1, 1))):
        with pytest.raises(ValueError):
            bad()


# ---------------------------------------------------------------- properties against a brute-force oracle
# The oracle shares no code with the module: it finds the instants whose local wall time is the wanted one
# by trying each offset the zone uses nearby, and treats a gap as documented: "wall time + gap length".
@cache
def _offsets_near(zone, day):
    base = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return sorted({(base + timedelta(hours=h)).astimezone(ZoneInfo(zone)).utcoffset() for h in range(-36, 61, 3)})


def _wall_of(zone, instant):
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


@cache
def oracle_resolve(zone, naive):
    offsets = _offsets_near(zone, naive.date())
    hits = sorted(i for i in ((naive - o).replace(tzinfo=UTC) for o in offsets) if _wall_of(zone, i) == naive)
    # Happens twice: the first pass. Does not exist: the wall time shifted by the gap.
    return hits[0] if hits else oracle_resolve(zone, naive + (offsets[-1] - offsets[0]))


def scheduled_walls(schedule, day):
    if day.isoweekday() not in schedule.weekdays:
        return []
    if isinstance(schedule, Daily):
        minutes = [t.hour * 60 + t.minute for t in schedule.times]
    else:
        start, end = (t.hour * 60 + t.minute for t in (schedule.start, schedule.end))
        minutes = range(start, end + 1, schedule.every_minutes)
    return [datetime(day.year, day.month, day.day) + timedelta(minutes=m) for m in minutes]


def oracle_release(zone, quiet, instant):
    """Where quiet hours move an occurrence: the first period boundary after it that is not quiet."""
    local, wraps = _wall_of(zone, instant).date(), quiet.end < quiet.start
    days = [local + timedelta(days=k) for k in range(-3, 4)]
    periods = [(oracle_resolve(zone, datetime.combine(d, quiet.start)),
                oracle_resolve(zone, datetime.combine(d + timedelta(days=wraps), quiet.end))) for d in days]

    def quiet_at(t):
        return any(s <= t < e for s, e in periods)

    if not quiet_at(instant):
        return instant
    return min(b for pair in periods for b in pair if b > instant and not quiet_at(b))


def oracle_next(schedule, zone, after, quiet=None):
    if isinstance(schedule, Once):
        raws = [schedule.at]
    else:
        local = _wall_of(zone, after).date()
        days = [local + timedelta(days=k) for k in range(-3, 10)]
        raws = [oracle_resolve(zone, w) for d in days for w in scheduled_walls(schedule, d)]
    if quiet is not None and quiet.start != quiet.end:
        raws = [oracle_release(zone, quiet, r) for r in raws]
    return min((r for r in raws if r > after), default=None)


INTERESTING = [time.fromisoformat(t) for t in "00:00 00:30 01:00 01:30 01:45 02:00 02:15 02:30 02:59 03:00 03:15 "
               "03:30 07:00 22:00 23:00 23:30 23:59".split()]
walls = st.one_of(st.sampled_from(INTERESTING), st.builds(time, st.integers(0, 23), st.integers(0, 59)))
weekday_sets = st.frozensets(st.integers(1, 7), min_size=1)
intervals = st.builds(lambda every, window, days: Interval(every, *sorted(window), days), st.integers(15, 720),
                      st.lists(walls, min_size=2, max_size=2, unique=True), weekday_sets)


def _transitions():  # six-hour windows that hold an offset change, 2026-2028, in every zone tested
    starts = [U("2026-01-01 00:00") + timedelta(hours=6 * k) for k in range(3 * 366 * 4)]
    return [t for zone in map(ZoneInfo, ZONES) for t in starts
            if t.astimezone(zone).utcoffset() != (t + timedelta(hours=6)).astimezone(zone).utcoffset()]


instants = st.one_of(  # uniform over 2026-2028, or within three days of a DST change
    st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31, 23, 59)).map(lambda d: d.replace(tzinfo=UTC)),
    st.builds(lambda t, m: t + timedelta(minutes=m), st.sampled_from(_transitions()), st.integers(-4320, 4320)),
)
schedules = st.one_of(
    st.builds(Daily, st.lists(walls, min_size=1, max_size=6).map(tuple), weekday_sets), intervals,
    st.builds(Once, instants),
)
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(st.sampled_from(ZONES), schedules, instants)
def test_next_fire_time_is_the_first_occurrence_strictly_after(zone, schedule, after):
    got = next_fire_time(schedule, after, zone)
    assert got == oracle_next(schedule, zone, after)  # so nothing between after and got is skipped
    assert got is None or got > after


@example(zone="Europe/Berlin", schedule=Once(datetime(2026, 10, 25, 1, 0, tzinfo=UTC)), after=datetime(2026, 3, 29, tzinfo=UTC))
@PROPS
@given(st.sampled_from(ZONES), schedules, instants)
def test_repeated_next_fire_times_increase_and_land_on_scheduled_walls(zone, schedule, after):
    t = after
    for _ in range(8):
        nxt = next_fire_time(schedule, t, zone)
        if nxt is None:
            assert isinstance(schedule, Once) and schedule.at <= t
            break
        assert nxt > t and nxt == oracle_next(schedule, zone, t)
        local = nxt.astimezone(ZoneInfo(zone))
        if not isinstance(schedule, Once):  # a scheduled wall time, or the gap-shifted one
            # A wall time that happens twice fires at its first pass (a Once is an instant: it may be the second).
            assert local.fold == 0
            days = (local.date() - timedelta(days=1), local.date())
            allowed = {_wall_of(zone, oracle_resolve(zone, w)) for d in days for w in scheduled_walls(schedule, d)}
            assert local.replace(tzinfo=None) in allowed
        t = nxt


@PROPS
@given(st.sampled_from(ZONES), schedules, instants, walls, walls)
def test_quiet_hours_hold_back_to_their_end(zone, schedule, after, quiet_start, quiet_end):
    quiet = QuietHours(quiet_start, quiet_end)
    got = next_fire_time(schedule, after, zone, quiet)
    assert got == oracle_next(schedule, zone, after, quiet)
    assert got is None or (got > after and not is_quiet(got, zone, quiet))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ZONES), schedules, instants)
def test_occurrences_match_the_oracle(zone, schedule, start):
    end, expected, t = start + timedelta(days=4), [], start - timedelta(microseconds=1)
    while (t := oracle_next(schedule, zone, t)) is not None and t < end and len(expected) < 40:
        expected.append(t)
    assert occurrences(schedule, start, end, zone, limit=40) == expected


@settings(max_examples=200, deadline=None)
@given(schedules)
def test_canonical_dict_round_trips(schedule):
    assert parse_schedule(schedule_to_dict(schedule)) == schedule


@pytest.mark.parametrize(("wall", "text"), [(time(0, 0), "00:00"), (time(7, 5, 59), "07:05"), (time(23, 59), "23:59")])
def test_a_wall_time_is_written_hh_mm_everywhere(wall, text):
    """One writer for HH:MM: the stored schedule, the API's profile (quiet hours) and the reminder form."""
    assert hour_minute(wall) == text
    assert schedule_to_dict(Daily((wall,)))["times"] == [text]
