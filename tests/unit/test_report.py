"""The doctor report's maths and the diary's follow-up prompts, with fixed dates and zones (no app, no database)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coach.domain import diary
from coach.domain.report import (
    EpisodeRow,
    FollowUpRow,
    SessionRow,
    Trend,
    build_report,
    count_trend,
    median_trend,
    part_of_day,
    period_for,
)

LONDON = ZoneInfo("Europe/London")
LA = ZoneInfo("America/Los_Angeles")
END = date(2026, 3, 31)
START = date(2026, 1, 1)  # 90 days: 1 Jan .. 31 Mar 2026


def ep(ident, when, severity=5, **kw):
    defaults = dict(trigger="lifting", during_exercise=True, locations=("lower_back",), side="left")
    defaults.update(kw)
    return EpisodeRow(id=ident, started_at=when, severity=severity, **defaults)


def at(y, m, d, h=12, mi=0, tz=LONDON):
    return datetime(y, m, d, h, mi, tzinfo=tz)


def test_period_for_is_inclusive_of_both_ends():
    assert period_for(END, 90) == (START, END)
    assert period_for(END, 1) == (END, END)


def test_empty_diary_gives_an_empty_report():
    r = build_report([], [], [], start=START, end=END, tz="Europe/London")
    assert r.total == 0 and r.first_episode is None and r.severity_min is None and r.severity_median is None
    assert r.frequency_trend.word == "not enough data" and r.per_week == 0
    assert len(r.weekly) == 14 and all(count == 0 for _, count in r.weekly)
    assert r.monthly == [("2026-01", 0), ("2026-02", 0), ("2026-03", 0)]


def test_counts_distribution_and_severity():
    episodes = [
        ep(1, at(2026, 1, 5, 7), 3, locations=("lower_back", "buttock"), side="left", trigger="bending", during_exercise=False),
        ep(2, at(2026, 2, 10, 13), 6, locations=("lower_back",), side="left", exercise="Deadlift", load_kg=100),
        ep(3, at(2026, 3, 20, 19), 8, locations=("calf",), side=None, exercise="deadlift", load_kg=120, locked_minutes=15),
        ep(4, at(2026, 3, 30, 23, 30), 7, locations=("lower_back", "lower_back"), side="right", locked_minutes=70,
           symptoms=("night_pain",), relief_used="Heat", eased_by_stretch=False),
    ]
    episodes.append(ep(5, at(2026, 3, 31, 9), 5, relief_used=" heat "))
    r = build_report(episodes[:4], [], [], start=START, end=END, tz="Europe/London")
    assert build_report(episodes, [], [], start=START, end=END, tz="Europe/London").relief_used == [("Heat", 2)]
    assert r.total == 4
    assert r.by_location == [("lower_back", 3), ("buttock", 1), ("calf", 1)]  # a repeated code counts once
    assert dict(r.by_side) == {"left": 2, "not_recorded": 1, "right": 1}
    assert r.triggers == [("lifting", 3), ("bending", 1)]
    assert r.time_of_day == [("night", 0), ("morning", 1), ("afternoon", 1), ("evening", 2)]
    assert (r.during_exercise, r.at_rest) == (3, 1)
    assert len(r.exercises) == 1 and r.exercises[0].count == 2  # names grouped case-insensitively
    assert (r.exercises[0].min_load, r.exercises[0].max_load) == (100, 120)
    assert (r.severity_min, r.severity_median, r.severity_max) == (3, 6.5, 8)
    assert (r.locked_max, r.locked_over_10, r.locked_over_60) == (70, 2, 1)
    assert r.symptoms == [("night_pain", [date(2026, 3, 30)])]
    assert r.relief_used == [("Heat", 1)] and r.eased_by_stretch == {"no": 1, "not_recorded": 3}
    assert r.per_week == pytest.approx(4 / (90 / 7)) and r.per_month == pytest.approx(4 / (90 / 30.44))
    assert r.monthly == [("2026-01", 1), ("2026-02", 1), ("2026-03", 2)]


def test_skipped_answers_are_counted_apart_and_left_out_of_medians():
    """None is "not recorded": never a "no", a 0 or "not sure" (CONTENT.md section 0)."""
    episodes = [
        ep(1, at(2026, 3, 1), 2, locked_minutes=5, eased_by_stretch=True, trigger="unknown"),
        ep(2, at(2026, 3, 2), 8, locked_minutes=30, during_exercise=False),
        ep(3, at(2026, 3, 3), None, trigger=None, during_exercise=None, locked_minutes=None, locations=(), side=None),
        ep(4, at(2026, 3, 4), None, trigger=None, during_exercise=None, eased_by_stretch=False),
    ]
    r = build_report(episodes, [], [], start=START, end=END, tz="Europe/London")
    assert r.total == 4
    assert (r.severity_recorded, r.severity_not_recorded) == (2, 2)
    # The median of the two scores given, not of 2, 8, 0, 0.
    assert (r.severity_min, r.severity_median, r.severity_max) == (2, 5, 8)
    assert dict(r.severity_counts) == {**{v: 0 for v in range(11)}, 2: 1, 8: 1}
    assert r.severity_points == [(date(2026, 3, 1), 2), (date(2026, 3, 2), 8)]
    assert dict(r.triggers) == {"lifting": 1, "unknown": 1, "not_recorded": 2}
    assert (r.during_exercise, r.at_rest, r.exercise_not_recorded) == (1, 1, 2)
    # Locked minutes: 5 and 30 recorded, episode 4's default None is not 0 either.
    assert r.locked_recorded == 2 and (r.locked_median, r.locked_max, r.locked_over_10) == (17.5, 30, 1)
    assert r.eased_by_stretch == {"yes": 1, "no": 1, "not_recorded": 2}
    assert r.location_not_recorded == 1 and dict(r.by_side)["not_recorded"] == 1


def test_severity_trend_uses_only_scored_episodes():
    # Each half has two scored episodes and one unscored one: the medians are of the scores alone.
    episodes = [ep(1, at(2026, 1, 5), 3), ep(2, at(2026, 1, 6), 3), ep(3, at(2026, 1, 7), None),
                ep(4, at(2026, 3, 5), 7), ep(5, at(2026, 3, 6), 7), ep(6, at(2026, 3, 7), None)]
    r = build_report(episodes, [], [], start=START, end=END, tz="Europe/London")
    assert r.severity_trend == Trend(3, 7, "rising")
    assert r.frequency_trend.first == 3 and r.frequency_trend.second == 3  # frequency counts every episode


def test_onset_is_the_first_episode_ever_even_before_the_period():
    episodes = [ep(1, at(2025, 6, 1), 4, trigger="sport"), ep(2, at(2026, 2, 1), 6)]
    r = build_report(episodes, [], [], start=START, end=END, tz="Europe/London")
    assert r.first_episode.id == 1 and r.first_date == date(2025, 6, 1) and r.onset_before_period
    assert r.total == 1


def test_episodes_after_the_end_are_left_out():
    r = build_report([ep(1, at(2026, 4, 1, 0, 30))], [], [], start=START, end=END, tz="Europe/London")
    assert r.total == 0 and r.first_episode is None


@pytest.mark.parametrize(
    ("days_before_end", "in_30", "in_90"),
    [(0, 1, 1), (29, 1, 1), (30, 0, 1), (89, 0, 1), (90, 0, 0)],
)
def test_last_30_and_90_days_are_rolling_inclusive_windows(days_before_end, in_30, in_90):
    when = datetime.combine(END - timedelta(days=days_before_end), datetime.min.time(), LONDON).replace(hour=12)
    r = build_report([ep(1, when)], [], [], start=START, end=END, tz="Europe/London")
    assert (r.last_30, r.last_90) == (in_30, in_90)


def test_local_date_decides_the_day_in_a_zone_far_from_utc():
    # 23:30 in Los Angeles on 31 March is 1 April in UTC: it is still inside a period ending 31 March.
    late = datetime(2026, 3, 31, 23, 30, tzinfo=LA)
    assert late.astimezone(UTC).date() == date(2026, 4, 1)
    r = build_report([ep(1, late)], [], [], start=START, end=END, tz="America/Los_Angeles")
    assert r.total == 1 and r.severity_points == [(date(2026, 3, 31), 5)]
    assert r.time_of_day[-1] == ("evening", 1)
    utc = build_report([ep(1, late)], [], [], start=START, end=END, tz="UTC")
    assert utc.total == 0


@pytest.mark.parametrize(
    ("first", "second", "word"),
    [(0, 1, "not enough data"), (1, 1, "steady"), (2, 3, "steady"), (2, 4, "rising"), (8, 10, "steady"),
     (8, 11, "rising"), (5, 3, "falling"), (4, 3, "steady")],
)
def test_count_trend_needs_2_episodes_and_a_quarter(first, second, word):
    assert count_trend(first, second) == Trend(first, second, word)


@pytest.mark.parametrize(
    ("first", "second", "word"),
    [([5], [7, 8], "not enough data"), ([5, 5], [5, 6], "steady"), ([4, 6], [6, 6], "rising"),
     ([7, 7], [5, 6], "falling"), ([5, 6], [6, 6], "steady")],
)
def test_severity_trend_compares_medians_of_the_halves(first, second, word):
    assert median_trend(first, second).word == word


def test_halves_split_the_period_in_the_middle():
    # 90 days: the first half is 1 Jan .. 14 Feb (45 days), the second 15 Feb .. 31 Mar.
    episodes = [ep(1, at(2026, 2, 14), 4), ep(2, at(2026, 2, 15), 6)]
    r = build_report(episodes, [], [], start=START, end=END, tz="Europe/London")
    assert (r.frequency_trend.first, r.frequency_trend.second) == (1, 1)


def test_weekly_counts_start_on_monday_and_include_empty_weeks():
    episodes = [ep(1, at(2026, 1, 4)), ep(2, at(2026, 1, 5)), ep(3, at(2026, 1, 11))]  # Sun, Mon, Sun
    r = build_report(episodes, [], [], start=START, end=date(2026, 1, 18), tz="Europe/London")
    assert r.weekly == [(date(2025, 12, 29), 1), (date(2026, 1, 5), 2), (date(2026, 1, 12), 0)]


def test_follow_ups_give_symptoms_on_their_own_date_and_the_course():
    episodes = [ep(1, at(2026, 3, 1)), ep(2, at(2026, 3, 10)), ep(3, at(2026, 3, 20))]
    follow_ups = [
        FollowUpRow(1, at(2026, 3, 2), 3, "improving"),
        FollowUpRow(1, at(2026, 3, 15), 1, "resolved", ("hands_feet_tingling",)),
        FollowUpRow(2, at(2026, 3, 11), 6, "same"),
    ]
    r = build_report(episodes, follow_ups, [], start=START, end=END, tz="Europe/London")
    assert r.symptoms == [("hands_feet_tingling", [date(2026, 3, 15)])]
    assert r.course == [("resolved", 1), ("same", 1), ("no_check_in", 1)]


def test_routine_sessions_give_pain_before_and_after():
    sessions = [
        SessionRow(at(2026, 3, 1), "heat", True, 7, 4),
        SessionRow(at(2026, 3, 2), "heat", False, 6, 5),
        SessionRow(at(2026, 3, 3), "walk-it-off", True, None, None),
        SessionRow(at(2025, 3, 3), "walk-it-off", True, 8, 2),  # before the period
    ]
    r = build_report([], [], sessions, start=START, end=END, tz="Europe/London")
    assert r.sessions_total == 3
    heat, walk = r.routines
    assert (heat.routine, heat.count, heat.completed) == ("heat", 2, 1)
    assert (heat.median_before, heat.median_after, heat.median_change) == (6.5, 4.5, -2)
    assert walk.median_change is None and walk.count == 1


def test_stop_reasons_are_listed_by_code_with_local_dates():
    sessions = [
        SessionRow(at(2026, 3, 9), "heat", False, 5, 7, stop_reason="pain_below_knee"),
        SessionRow(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), "heat", False, 6, 6, stop_reason="pain_below_knee"),
        SessionRow(at(2026, 3, 4), "walk-it-off", False, 6, None, stop_reason="done_for_now"),
        SessionRow(at(2026, 3, 5), "walk-it-off", True, 6, 3),
        SessionRow(at(2025, 3, 5), "walk-it-off", False, 6, 3, stop_reason="new_numbness"),  # before the period
    ]
    r = build_report([], [], sessions, start=START, end=END, tz="Asia/Tokyo")
    # Earliest first; 23:30 UTC on 2 March is 3 March in Tokyo.
    assert r.stop_reasons == [("pain_below_knee", [date(2026, 3, 3), date(2026, 3, 9)]),
                              ("done_for_now", [date(2026, 3, 4)])]


@pytest.mark.parametrize(("hour", "part"), [(0, "night"), (5, "night"), (6, "morning"), (12, "afternoon"), (18, "evening"), (23, "evening")])
def test_part_of_day(hour, part):
    assert part_of_day(hour) == part


def test_end_before_start_is_refused():
    with pytest.raises(ValueError):
        build_report([], [], [], start=END, end=START, tz="UTC")


# ---------- Follow-up prompts ----------

STARTED = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "milestone"),
    [
        (timedelta(hours=23, minutes=59), None),
        (timedelta(hours=24), 0),
        (timedelta(hours=71), 0),
        (timedelta(hours=72), 1),
        (timedelta(days=13, hours=23), 1),
        (timedelta(days=14), 2),
        (timedelta(days=28), 3),
        (timedelta(days=34, hours=23), 3),
        (timedelta(days=35), None),
    ],
)
def test_prompts_open_at_24h_72h_14d_28d_and_the_last_closes_a_week_later(after, milestone):
    due = diary.due_follow_up(1, STARTED, [], STARTED + after)
    assert (due.milestone if due else None) == milestone


def test_a_check_in_after_the_milestone_answers_it_and_the_next_opens_later():
    follow_ups = [(STARTED + timedelta(hours=30), "improving")]
    assert diary.due_follow_up(1, STARTED, follow_ups, STARTED + timedelta(hours=40)) is None
    assert diary.due_follow_up(1, STARTED, follow_ups, STARTED + timedelta(hours=72)).label == "3 days"


def test_a_check_in_before_the_milestone_does_not_answer_it():
    follow_ups = [(STARTED + timedelta(hours=2), "same")]
    assert diary.due_follow_up(1, STARTED, follow_ups, STARTED + timedelta(hours=24)).milestone == 0


def test_resolved_ends_all_prompts_and_future_check_ins_are_ignored():
    assert diary.due_follow_up(1, STARTED, [(STARTED + timedelta(hours=2), "resolved")], STARTED + timedelta(days=14)) is None
    later = [(STARTED + timedelta(days=20), "same")]
    assert diary.due_follow_up(1, STARTED, later, STARTED + timedelta(days=14)).milestone == 2


def test_group_by_week_keeps_newest_first():
    days = [date(2026, 3, 18), date(2026, 3, 16), date(2026, 3, 15), date(2026, 3, 2)]
    groups = diary.group_by_week(days, lambda d: d)
    assert [(monday, len(items)) for monday, items in groups] == [
        (date(2026, 3, 16), 2), (date(2026, 3, 9), 1), (date(2026, 3, 2), 1),
    ]


@pytest.mark.parametrize(("value", "band"), [(0, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")])
def test_severity_band(value, band):
    assert diary.severity_band(value) == band


def test_domain_modules_import_neither_flask_nor_sqlalchemy():
    import ast
    from pathlib import Path

    for name in ("report.py", "diary.py"):
        tree = ast.parse((Path(diary.__file__).parent / name).read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not imported & {"flask", "sqlalchemy", "flask_sqlalchemy"}, name


@pytest.mark.parametrize(("count", "noun", "text"), [
    (0, "episode", "0 episodes"), (1, "episode", "1 episode"), (2, "episode", "2 episodes"), (1, "week", "1 week"),
    (13, "week", "13 weeks"), (1, "day", "1 day"), (90, "day", "90 days"), (1, "session", "1 session"),
])
def test_a_count_and_its_noun_agree(count, noun, text):
    from coach.episodes.report_text import plural

    assert plural(count, noun) == text


def test_months_say_where_the_period_cuts_them():
    from coach.episodes.report_text import month_list

    whole = [("2026-01", 3), ("2026-02", 0), ("2026-03", 1)]
    assert month_list(whole, START, END) == "3 in Jan 2026, 0 in Feb 2026, 1 in Mar 2026"
    cut = [("2025-12", 1), ("2026-01", 2)]
    assert month_list(cut, date(2025, 12, 8), date(2026, 1, 6)) == "1 in Dec 2025 (from 8 Dec), 2 in Jan 2026 (to 6 Jan)"
    assert month_list([("2026-02", 1)], date(2026, 2, 3), date(2026, 2, 10)) == "1 in Feb 2026 (from 3 Feb, to 10 Feb)"
