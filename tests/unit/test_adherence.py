"""Adherence (coach/domain/adherence.py) with fixed dates: DST in London and New York, pauses, no schedule,
the tolerance's edges, sessions started on the client's own, unfinished sessions and future occurrences."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from coach.domain import adherence as adh
from coach.domain.adherence import Completion, Plan
from coach.domain.schedule import Daily, Interval, Once

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
MORNING = Daily((time(7, 30),))


def at(day: date, hh: int, mm: int, zone=LONDON) -> datetime:
    return datetime.combine(day, time(hh, mm), zone)


def every_day(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


PLAN = Plan(1, MORNING, created_at=datetime(2026, 1, 1, tzinfo=UTC))
FIRST, LAST = date(2026, 3, 25), date(2026, 4, 2)  # the clocks go forward in London on Sun 29 March 2026
END_OF_LAST = datetime(2026, 4, 3, tzinfo=UTC)


def test_every_morning_done_across_the_spring_change_is_100_percent():
    done = [Completion(1, at(day, 7, 40)) for day in every_day(FIRST, LAST)]
    result = adh.adherence([PLAN], done, FIRST, LAST, "Europe/London", END_OF_LAST)
    assert (result.due, result.done, result.pct) == (9, 9, 100)
    assert [d.status for d in result.days] == ["done"] * 9


def test_the_occurrence_follows_the_wall_clock_after_the_change():
    # 07:30 BST is 06:30 UTC: a session at 06:35 UTC on the 30th is that morning's, not 13 hours early.
    days = adh.days([PLAN], [Completion(1, datetime(2026, 3, 30, 6, 35, tzinfo=UTC))], date(2026, 3, 30),
                    date(2026, 3, 30), "Europe/London", END_OF_LAST)
    assert days[0].status == "done"


@pytest.mark.parametrize("offset, counted", [
    (timedelta(hours=12), True), (timedelta(hours=-12), True),
    (timedelta(hours=12, minutes=1), False), (timedelta(hours=-12, minutes=-1), False),
])
def test_a_completion_counts_within_12_hours_of_a_daily_occurrence(offset, counted):
    day = date(2026, 3, 31)
    session = Completion(1, at(day, 7, 30) + offset)
    result = adh.adherence([PLAN], [session], day, day, LONDON, END_OF_LAST)
    assert result.due == 1
    assert result.done == (1 if counted else 0)


@pytest.mark.parametrize("minutes_before, counted", [(60, True), (61, False)])
def test_an_interval_schedule_reaches_one_interval_either_side(minutes_before, counted):
    plan = Plan(2, Interval(60, time(9), time(11)), created_at=datetime(2026, 1, 1, tzinfo=UTC))
    day = date(2026, 3, 31)
    session = Completion(2, at(day, 9, 0) - timedelta(minutes=minutes_before))
    result = adh.adherence([plan], [session], day, day, LONDON, END_OF_LAST)
    assert (result.due, result.done) == (3, 1 if counted else 0)


def test_sessions_on_their_own_and_unfinished_ones_do_not_count():
    day = date(2026, 3, 31)
    sessions = [Completion(None, at(day, 7, 30)), Completion(1, at(day, 7, 35), completed=False),
                Completion(99, at(day, 7, 40))]  # another trainer's assignment
    result = adh.adherence([PLAN], sessions, day, day, LONDON, END_OF_LAST)
    assert (result.due, result.done, result.pct) == (1, 0, 0)
    assert result.days[0].status == "missed"


def test_two_sessions_for_one_occurrence_count_once_so_adherence_never_passes_100():
    day = date(2026, 3, 31)
    result = adh.adherence([PLAN], [Completion(1, at(day, 7, 30)), Completion(1, at(day, 8, 0))], day, day, LONDON,
                           END_OF_LAST)
    assert (result.due, result.done, result.pct) == (1, 1, 100)


def test_future_occurrences_are_not_due_unless_already_done():
    today = date(2026, 4, 2)
    now = at(today, 7, 0)  # before today's 07:30
    missed_today = adh.adherence([PLAN], [], today, today, LONDON, now)
    assert (missed_today.due, missed_today.pct, missed_today.days[0].status) == (0, None, "not_due")
    early = adh.adherence([PLAN], [Completion(1, at(today, 6, 50))], today, today, LONDON, now)
    assert (early.due, early.done, early.pct) == (1, 1, 100)


def test_no_schedule_is_none_not_zero():
    result = adh.adherence([], [Completion(None, at(FIRST, 8, 0))], FIRST, LAST, LONDON, END_OF_LAST)
    assert result.pct is None and result.due == 0
    assert {d.status for d in result.days} == {"not_due"}


def test_paused_days_are_left_out_and_shown_as_paused():
    pause = (at(date(2026, 3, 27), 20, 0), at(date(2026, 3, 29), 9, 0))
    plan = Plan(1, MORNING, created_at=datetime(2026, 1, 1, tzinfo=UTC), pauses=(pause,))
    result = adh.adherence([plan], [], FIRST, LAST, LONDON, END_OF_LAST)
    statuses = {d.day: d.status for d in result.days}
    assert statuses[date(2026, 3, 27)] == statuses[date(2026, 3, 28)] == statuses[date(2026, 3, 29)] == "paused"
    assert statuses[date(2026, 3, 26)] == statuses[date(2026, 3, 30)] == "missed"
    assert result.due == 6


def test_an_open_pause_runs_until_now():
    plan = Plan(1, MORNING, created_at=datetime(2026, 1, 1, tzinfo=UTC), pauses=((at(date(2026, 3, 30), 0, 0), None),))
    result = adh.adherence([plan], [], FIRST, LAST, LONDON, END_OF_LAST)
    assert [d.status for d in result.days][-4:] == ["paused"] * 4
    assert result.due == 5


def test_recovering_days_are_excused_and_a_done_one_still_counts():
    spans = adh.recovering_spans([(at(date(2026, 3, 28), 18, 0), at(date(2026, 3, 30), 12, 0))], END_OF_LAST)
    done = [Completion(1, at(date(2026, 3, 30), 7, 30))]
    result = adh.adherence([PLAN], done, FIRST, LAST, LONDON, END_OF_LAST, recovering=spans)
    statuses = {d.day: d.status for d in result.days}
    assert statuses[date(2026, 3, 28)] == statuses[date(2026, 3, 29)] == "recovering"
    assert statuses[date(2026, 3, 30)] == "done"
    assert (result.due, result.done) == (7, 1)  # 3 missed before, 3 after, 1 done
    assert result.recovering_days == 2


def test_recovering_lasts_at_most_14_days_without_a_resolved_check_in():
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert adh.recovering_spans([(start, None)], datetime(2026, 4, 1, tzinfo=UTC)) == [(start, start + timedelta(days=14))]
    assert adh.recovering_spans([(start, None)], datetime(2026, 3, 3, tzinfo=UTC)) == [(start, datetime(2026, 3, 3, tzinfo=UTC))]


def test_only_days_between_created_and_ended_count():
    plan = Plan(1, MORNING, created_at=at(date(2026, 3, 27), 12, 0), ended_at=at(date(2026, 3, 31), 7, 0))
    result = adh.adherence([plan], [], FIRST, LAST, LONDON, END_OF_LAST)
    assert [d.day for d in result.days if d.status == "missed"] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]


def test_a_time_in_the_repeated_hour_fires_once_when_new_york_falls_back():
    plan = Plan(1, Daily((time(1, 30),)), created_at=datetime(2026, 1, 1, tzinfo=UTC))
    first, last = date(2026, 10, 31), date(2026, 11, 2)  # clocks go back on Sun 1 November 2026
    result = adh.adherence([plan], [Completion(1, at(date(2026, 11, 1), 1, 45, NEW_YORK))], first, last, NEW_YORK,
                           datetime(2026, 11, 3, tzinfo=UTC))
    assert [(d.due, d.done) for d in result.days] == [(1, 0), (1, 1), (1, 0)]


def test_london_autumn_change_days_are_the_local_days():
    # Sun 25 October 2026 has 25 hours; an evening routine at 23:30 stays on its own day.
    plan = Plan(1, Daily((time(23, 30),)), created_at=datetime(2026, 1, 1, tzinfo=UTC))
    first, last = date(2026, 10, 24), date(2026, 10, 26)
    done = [Completion(1, at(day, 23, 40)) for day in every_day(first, last)]
    result = adh.adherence([plan], done, first, last, LONDON, datetime(2026, 10, 28, tzinfo=UTC))
    assert [(d.day, d.status) for d in result.days] == [(day, "done") for day in every_day(first, last)]


def test_weekday_schedules_leave_the_weekend_not_due():
    plan = Plan(1, Daily((time(7, 30),), frozenset({1, 2, 3, 4, 5})), created_at=datetime(2026, 1, 1, tzinfo=UTC))
    result = adh.adherence([plan], [], FIRST, LAST, LONDON, END_OF_LAST)
    statuses = {d.day: d.status for d in result.days}
    assert statuses[date(2026, 3, 28)] == statuses[date(2026, 3, 29)] == "not_due"
    assert result.due == 7


def test_a_one_off_occurrence_and_partial_days():
    once = Plan(3, Once(at(date(2026, 3, 31), 18, 0)), created_at=datetime(2026, 1, 1, tzinfo=UTC))
    day = date(2026, 3, 31)
    result = adh.adherence([PLAN, once], [Completion(3, at(day, 18, 5))], day, day, LONDON, END_OF_LAST)
    assert (result.due, result.done, result.pct) == (2, 1, 50)
    assert result.days[0].words == "1 of 2 done"


def test_windows_cut_from_one_run_of_days():
    today = date(2026, 4, 2)
    assert adh.last_days(today, 7) == (date(2026, 3, 27), today)
    assert adh.last_days(today, 30, skip=7) == (date(2026, 2, 25), date(2026, 3, 26))
    days = adh.days([PLAN], [Completion(1, at(d, 7, 30)) for d in every_day(date(2026, 2, 25), date(2026, 3, 26))],
                    date(2026, 2, 25), today, LONDON, END_OF_LAST)
    assert adh.window(days, *adh.last_days(today, 30, skip=7)).pct == 100
    assert adh.window(days, *adh.last_days(today, 7)).pct == 0


@pytest.mark.parametrize("schedule", [
    Daily((time(1, 30), time(2, 30), time(7, 30), time(23, 59))),
    Daily((time(0, 0), time(12, 0)), frozenset({1, 3, 5})),
    Interval(15, time(0, 30), time(3, 0)),
    Interval(720, time(0, 0), time(12, 0), frozenset({6, 7})),
    Once(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
])
@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe",
                                  "America/Havana", "Pacific/Chatham"])
def test_fire_times_agree_with_the_schedule_search_across_dst(schedule, zone):
    from coach.domain.schedule import occurrences

    for start in (datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 3, 31, 23, tzinfo=UTC)):
        end = start + timedelta(days=40)
        assert adh.fire_times(schedule, start, end, ZoneInfo(zone)) == occurrences(schedule, start, end, zone, limit=10_000)
