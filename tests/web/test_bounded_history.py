"""The assessment reads only what the rules can see (coach/episodes/history.py), and gives exactly the answer of the
engine over the whole history: on random histories stored in the database (years long, many logs on some days, late
check-ins, old and new symptoms, any zone and `now`), and on every case of the triage tables."""
from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from coach.domain import triage
from coach.domain.codes import FOLLOW_UP_STATUSES, LOCATIONS, SYMPTOM_CODES, TRIGGERS
from coach.episodes.service import assess_user, profile_of
from coach.extensions import db
from coach.formats import on_day
from coach.models import RISK_FIELDS, Episode, FollowUp, User
from tests.unit.test_triage import NOW, RULE_TABLE, TZ
from tests.unit.test_triage_2026_2 import CHANGED

_people = itertools.count(1)
# Zones with DST at midnight (Santiago), half-hour DST (Lord Howe), far east and west of UTC.
ZONES = ("Europe/London", "Pacific/Auckland", "America/Los_Angeles", "America/Santiago", "Australia/Lord_Howe",
         "Asia/Kolkata", "UTC")


def add_person(profile: triage.Profile, zone: str) -> User:
    n = next(_people)
    user = User(email=f"bounded{n}@example.com", password_hash="x", display_name=f"Bounded {n}", role="athlete",
                timezone=zone, country="GB", birth_year=profile.birth_year,
                **{name: getattr(profile, name) for name in RISK_FIELDS})
    db.session.add(user)
    db.session.flush()
    return user


def store(user: User, episodes, follow_ups) -> tuple[list[triage.Episode], list[triage.FollowUp]]:
    """Save the engine's records as rows of `user`; returns them with the ids the database gave."""
    ids = {}
    for e in episodes:
        row = Episode(user_id=user.id, started_at=e.started_at, trigger=e.trigger, during_exercise=e.during_exercise,
                      locations=list(e.locations), side=e.side, severity=e.severity, locked_minutes=e.locked_minutes,
                      eased_by_stretch=e.eased_by_stretch, symptoms=list(e.symptoms))
        db.session.add(row)
        db.session.flush()
        ids[e.id] = row.id
    saved = []
    for f in follow_ups:
        row = FollowUp(episode_id=ids[f.episode_id], user_id=user.id, at=f.at, severity=f.severity, status=f.status,
                       symptoms=list(f.symptoms))
        db.session.add(row)
        db.session.flush()
        saved.append(replace(f, id=row.id, episode_id=ids[f.episode_id]))
    db.session.commit()
    return [replace(e, id=ids[e.id]) for e in episodes], saved


def full_history(user: User) -> tuple[list[triage.Episode], list[triage.FollowUp]]:
    """Every row of the person, read back as the engine's records (what assess_user read before it was bounded)."""
    episodes = [triage.Episode(id=r.id, started_at=r.started_at, trigger=r.trigger, during_exercise=r.during_exercise,
                               locations=tuple(r.locations), side=r.side, severity=r.severity,
                               locked_minutes=r.locked_minutes, eased_by_stretch=r.eased_by_stretch,
                               symptoms=tuple(r.symptoms))
                for r in db.session.scalars(select(Episode).where(Episode.user_id == user.id))]
    follow_ups = [triage.FollowUp(id=r.id, episode_id=r.episode_id, at=r.at, severity=r.severity, status=r.status,
                                  symptoms=tuple(r.symptoms))
                  for r in db.session.scalars(select(FollowUp).where(FollowUp.user_id == user.id))]
    return episodes, follow_ups


def assert_bounded_is_full(user: User, now: datetime) -> triage.Assessment:
    episodes, follow_ups = full_history(user)
    expected = triage.assess(episodes, follow_ups, profile_of(user), now, user.timezone, on_day)
    assert assess_user(user, now) == expected
    return expected


# ---------------------------------------------------------------- random histories

# Where a log falls, in days before `now`: mostly the last 200 days, then the edges of the window, then years back;
# a few fixed days get many logs each, a few are just after `now`.
BUSY_DAYS = (0, 1, 2, 29, 30, 89, 178, 179, 180, 181, 182, 400, 2000)
day_before_now = st.one_of(
    st.sampled_from(BUSY_DAYS), st.integers(0, 200), st.integers(150, 400), st.integers(0, 3650), st.just(-1))
few_places = st.lists(st.sampled_from(("lower_back", "calf", "neck", "chest", "thigh")), max_size=3, unique=True)
any_places = st.lists(st.sampled_from(LOCATIONS), max_size=4, unique=True)
symptoms = st.one_of(st.just([]), st.just([]), st.lists(st.sampled_from(SYMPTOM_CODES), max_size=2, unique=True))

def log_on(days):
    return st.fixed_dictionaries({
    "days": days, "minute": st.integers(0, 1439), "trigger": st.sampled_from((*TRIGGERS, None)),
    "during_exercise": st.sampled_from((True, False, None)), "locations": st.one_of(few_places, any_places),
    "severity": st.one_of(st.none(), st.integers(0, 10)), "locked": st.sampled_from((None, 0, 11, 61)),
    "eased": st.sampled_from((True, False, None)), "symptoms": symptoms,
    # Check-ins: hours after the log (negative: the log's start was edited to after its check-in).
    "checks": st.lists(st.fixed_dictionaries({
        "hours": st.one_of(st.integers(-48, 24 * 40), st.integers(24 * 13, 24 * 400), st.integers(0, 24 * 3650)),
        "status": st.sampled_from(FOLLOW_UP_STATUSES), "severity": st.one_of(st.none(), st.integers(0, 10)),
        "symptoms": symptoms,
    }), max_size=2),
    })


# Mixed: most logs in the window. Sparse: a quiet window and years before it, where P3's last three spasms and A1's
# first one lie.
years = st.integers(170, 3650)
mixed, sparse = log_on(day_before_now), log_on(st.one_of(years, years, years, st.sampled_from((0, 3, 178))))
profiles = st.builds(triage.Profile, birth_year=st.one_of(st.none(), st.integers(1930, 2015)),
                     **{name: st.booleans() for name in RISK_FIELDS})
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC))


def build(logs, now: datetime, zone: str, rising: bool = False):
    """The records of `logs`; `rising`: severities climb with the date, so P3 (stronger each time) can fire."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    episodes, follow_ups = [], []
    if rising:
        logs = [dict(spec, severity=max(0, 10 - (len(logs) - 1 - rank))) for rank, spec in
                enumerate(sorted(logs, key=lambda spec: (-spec["days"], spec["minute"])))]
    for i, spec in enumerate(logs, start=1):
        day = today - timedelta(days=spec["days"])
        started = (datetime.combine(day, datetime.min.time(), tz) + timedelta(minutes=spec["minute"])).astimezone(UTC)
        episodes.append(triage.Episode(
            id=i, started_at=started, trigger=spec["trigger"], during_exercise=spec["during_exercise"],
            locations=tuple(spec["locations"]), side="left", severity=spec["severity"],
            locked_minutes=spec["locked"], eased_by_stretch=spec["eased"], symptoms=tuple(spec["symptoms"])))
        for check in spec["checks"]:
            follow_ups.append(triage.FollowUp(
                id=len(follow_ups) + 1, episode_id=i, at=started + timedelta(hours=check["hours"]),
                severity=check["severity"], status=check["status"], symptoms=tuple(check["symptoms"])))
    return episodes, follow_ups


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(st.lists(mixed, max_size=60), st.lists(sparse, max_size=12)), profiles, st.sampled_from(ZONES),
       moments, st.integers(0, 4), st.booleans())
def test_bounded_history_gives_the_full_history_answer(app, logs, profile, zone, now, repeat, rising):
    # A few logs are copied onto their own day several times: busy days of one spasm logged again and again.
    logs = logs + [dict(spec, minute=(spec["minute"] + 7 * k) % 1440) for spec in logs[:repeat] for k in range(6)]
    with app.app_context():
        user = add_person(profile, zone)
        store(user, *build(logs, now, zone, rising))
        assert_bounded_is_full(user, now)
        # The same diary a little later and a day later: the windows move, the answer stays the full history's.
        assert_bounded_is_full(user, now + timedelta(hours=5))
        assert_bounded_is_full(user, now + timedelta(days=1))


def plain(days, severity=3, symptoms=(), checks=()):
    return dict(days=days, minute=600, trigger="lifting", during_exercise=True, locations=["lower_back"],
                severity=severity, locked=0, eased=True, symptoms=list(symptoms), checks=list(checks))


# Three quiet days before the window (what P3 reads) and a spasm in it, so each older fact stands alone.
QUIET = [plain(500), plain(400), plain(300), plain(3)]


@pytest.mark.parametrize("logs, rule, reason", [
    pytest.param([plain(2000, symptoms=["chest_pain"])] + QUIET, "history_red_flag",
                 "You reported chest pain on 23 December 2020.", id="old-symptom-on-a-log"),
    pytest.param([plain(2000, checks=[{"hours": 240, "status": "same", "severity": 5, "symptoms": ["chest_pain"]}])]
                 + QUIET, "history_red_flag", "You reported chest pain on 2 January 2021.",
                 id="old-symptom-at-a-check-in"),
    pytest.param([plain(900, checks=[{"hours": 24 * 880, "status": "same", "severity": 5, "symptoms": []}])] + QUIET,
                 "P8", "Your spasm on 28 December 2023 was still the same 880 days later.",
                 id="check-in-in-the-window-on-a-log-from-years-ago"),
    pytest.param([plain(600, severity=9)] + [plain(d, severity=s) for d, s in ((500, 7), (400, 8), (300, 9))]
                 + [plain(3, severity=10)], "P3", "Your last 3 spasms got stronger each time: 8, 9, then 10 out of 10.",
                 id="last-three-spasms-before-a-quiet-window"),
    pytest.param([plain(d, severity=s) for d, s in ((600, 9), (400, 7), (300, 8), (250, 9))], "P3",
                 "Your last 3 spasms got stronger each time: 7, 8, then 9 out of 10.",
                 id="last-three-spasms-before-an-empty-window"),
])
def test_each_older_fact_the_rules_use_is_read(app, logs, rule, reason):
    now = datetime(2026, 6, 15, 11, tzinfo=UTC)
    with app.app_context():
        user = add_person(triage.Profile(birth_year=1990), "Europe/London")
        store(user, *build(logs, now, "Europe/London"))
        result = assert_bounded_is_full(user, now)
    said = [flag.reason for flag in result.flags if flag.rule == rule] + [
        info.message for info in result.info if info.rule == rule]
    assert len(said) == 1 and said[0].startswith(reason), said


# ---------------------------------------------------------------- the triage tables, through the database

CASES = [pytest.param(*case.values[:3], id=case.id) for case in RULE_TABLE + CHANGED]


@pytest.mark.parametrize("episodes, follow_ups, profile", CASES)
def test_triage_table_cases_through_the_database(app, episodes, follow_ups, profile):
    with app.app_context():
        user = add_person(profile, TZ.key)
        stored, checks = store(user, episodes, follow_ups)
        expected = triage.assess(stored, checks, profile, NOW, TZ, on_day)
        assert assess_user(user, NOW) == expected
