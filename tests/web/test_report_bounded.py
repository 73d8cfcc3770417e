"""The doctor report reads only the spasms its numbers rest on (the period, the 90 days before its end and the
first one ever), and says exactly what it said when it read the whole diary."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coach.domain.report import build_report, period_for
from coach.episodes.reports import _episode_rows, _follow_up_rows, build_context, read_bounds, session_rows
from coach.extensions import db
from coach.models import Episode, FollowUp, User
from tests.reminder_helpers import make_user

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # a week after the clocks went back in London
CODES = {"trigger": ["lifting", "bending", "running", None], "side": ["left", "right", "central", None],
         "locations": [["lower_back"], ["lower_back", "buttock"], ["calf"], []],
         "symptoms": [[], [], ["one_leg_symptoms"], ["fever"]], "status": ["resolved", "improving", "same", "worse"]}


def _diary(user: User, years: int = 4, seed: int = 12) -> None:
    """A spasm on most days for `years`, some at night (the local date differs from UTC's), check-ins on a third,
    some made weeks later; deterministic."""
    rng = random.Random(seed)
    for days_ago in range(years * 365, -1, -1):
        if rng.random() < 0.3:
            continue
        started = NOW - timedelta(days=days_ago, hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
        episode = Episode(
            user_id=user.id, started_at=started, trigger=rng.choice(CODES["trigger"]), side=rng.choice(CODES["side"]),
            during_exercise=rng.choice([True, False, None]), locations=rng.choice(CODES["locations"]),
            severity=rng.choice([None, *range(11)]), locked_minutes=rng.choice([None, 0, 5, 30, 90]),
            eased_by_stretch=rng.choice([True, False, None]), symptoms=rng.choice(CODES["symptoms"]),
            exercise=rng.choice([None, "Deadlift", "deadlift", "squat"]), load_kg=rng.choice([None, 60.0, 100.0]),
            relief_used=rng.choice([None, "heat", "Heat", "walking"]), created_at=started,
        )
        db.session.add(episode)
        db.session.flush()
        if rng.random() < 0.35:
            for later in sorted(rng.sample([1, 3, 14, 28, 60], rng.randint(1, 2))):
                at = started + timedelta(days=later)
                if at < NOW:
                    db.session.add(FollowUp(episode_id=episode.id, user_id=user.id, at=at, severity=rng.randint(0, 10),
                                            status=rng.choice(CODES["status"]), symptoms=rng.choice(CODES["symptoms"]),
                                            created_at=at))
    db.session.commit()


def _whole_diary_report(user: User, start: date, end: date):
    """The report as it was made before: from every spasm and check-in the person has."""
    begin, _, finish = read_bounds(user, start, end)
    return build_report(_episode_rows(user, user), _follow_up_rows(user, user), session_rows(user, begin, finish),
                        start=start, end=end, tz=user.timezone)


PERIODS = [  # (days, days before today that the report ends)
    (90, 0), (7, 0), (1, 0), (30, 3), (90, 40), (365, 0), (3660, 0), (14, 400), (90, 1500), (5, 1600),
]


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Auckland"])
def test_a_bounded_report_says_what_the_whole_diary_said(app, zone):
    with app.app_context():
        user = make_user(zone)
        _diary(user)
        today = NOW.astimezone(ZoneInfo(zone)).date()
        reports = {}
        for days, ago in PERIODS:
            start, end = period_for(today - timedelta(days=ago), days)
            reports[days, ago] = build_context(user, start, end, NOW).report
            assert reports[days, ago] == _whole_diary_report(user, start, end), (days, ago)
        assert reports[90, 0].onset_before_period and reports[90, 0].last_90 > reports[90, 0].last_30 > 0
        assert reports[7, 0].last_90 > reports[7, 0].total  # counted beyond a short period
        assert reports[5, 1600].total == 0 and reports[5, 1600].first_episode is None  # before the diary began


def test_a_90_day_report_of_a_long_diary_reads_about_90_days_of_it(app):
    with app.app_context():
        user = make_user("Europe/London")
        _diary(user, years=3)
        everything = len(_episode_rows(user, user))
        start, end = period_for(NOW.date(), 90)
        _, since, finish = read_bounds(user, start, end)
        read = _episode_rows(user, user, since, finish)
        assert len(read) <= 91 < everything  # the days of the period (a spasm on most) and the first one ever
        assert min(row.started_at for row in read) < since  # the onset is among them
