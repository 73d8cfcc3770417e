"""Ten years of a realistic diary for bench/load.py, inserted in bulk through SQLAlchemy Core into a migrated schema.

The tables are reflected from the database, so the same code seeds the schema of an older revision (--compare).
3,650 spasms on random days (some days have two or three), follow-ups on about a quarter of them, a symptom on a
few: old red flags are part of the history, but nothing in the last 7 days may put the person at emergency
(coach/level.py sends every page to the emergency screen then): no red-flag symptom, accident, chest or jaw.
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import MetaData, create_engine, select, update

from coach.domain.codes import LOCATIONS, SIDES, SYMPTOM_CODES, SYMPTOMS, TRIGGERS

SPASMS = 3_650
YEARS = 10
# A realistic profile for someone who trains: 48, sweats a lot in training, none of the medical risk flags.
PROFILE = {"birth_year": 1978, "heavy_sweater": True}
SAFE_DAYS = 7  # the triage rules' red-flag window: nothing in it may reach emergency
COMMON_LOCATIONS = ("lower_back",) * 5 + ("mid_back", "upper_back", "neck", "between_shoulder_blades", "buttock",
                                          "thigh", "calf", "calf", "foot")
RARE_LOCATIONS = tuple(loc for loc in LOCATIONS if loc not in COMMON_LOCATIONS)  # hand, arm, chest, abdomen, jaw
# Pain between the shoulder blades is a red flag of its own (P9, urgent): only in the older history.
RECENT_LOCATIONS = tuple(loc for loc in COMMON_LOCATIONS if loc != "between_shoulder_blades")
EVERYDAY_TRIGGERS = tuple(t for t in TRIGGERS if t != "accident")
URGENT_SYMPTOMS = tuple(code for code in SYMPTOM_CODES if SYMPTOMS[code][1] != "emergency")
EMERGENCY_SYMPTOMS = tuple(code for code in SYMPTOM_CODES if SYMPTOMS[code][1] == "emergency")


def make_history(now: datetime, seed: int = 12) -> tuple[list[dict], list[list[dict]]]:
    """The spasms (oldest first) and, for each, its follow-ups; datetimes aware, in UTC."""
    rng = random.Random(seed)
    span = int(timedelta(days=365 * YEARS).total_seconds())
    starts = sorted(now - timedelta(seconds=rng.randint(3600, span)) for _ in range(SPASMS))
    safe_from = now - timedelta(days=SAFE_DAYS + 1)
    episodes, follow_ups = [], []
    for started in starts:
        old = started < safe_from
        locations = rng.sample(COMMON_LOCATIONS if old else RECENT_LOCATIONS, rng.choice((1, 1, 1, 2)))
        if old and rng.random() < 0.01:
            locations = [rng.choice(RARE_LOCATIONS)]
        symptoms = []
        if old and rng.random() < 0.008:  # now and then a symptom worth asking about; a red flag years ago
            symptoms = [rng.choice(EMERGENCY_SYMPTOMS if started < now - timedelta(days=730) and rng.random() < 0.1
                                   else URGENT_SYMPTOMS)]
        severity = rng.randint(1, 9)
        episodes.append({
            "started_at": started,
            "trigger": rng.choice(TRIGGERS if old and rng.random() < 0.05 else EVERYDAY_TRIGGERS),
            "during_exercise": rng.choice((True, False, None)),
            "locations": list(dict.fromkeys(locations)),
            "side": rng.choice((*SIDES, None)),
            "severity": severity,
            "locked_minutes": rng.choice((None, 0, 1, 2, 5, 10, 20)),
            "eased_by_stretch": rng.choice((True, True, False, None)),
            "symptoms": symptoms,
            "source": rng.choice(("form", "api", "api")),
            "created_at": started,
            "updated_at": started,
        })
        checks = []
        if rng.random() < 0.25:  # a check-in a day or three later, and now and then another at two weeks
            for days in (rng.choice((1, 1, 3)), 14):
                at = started + timedelta(days=days, minutes=rng.randint(0, 600))
                if at > now - timedelta(minutes=1):
                    break
                severity = rng.randint(0, severity)
                checks.append({"at": at, "severity": severity, "created_at": at, "symptoms": [],
                               "status": rng.choice(("resolved", "improving", "improving", "same", "worse"))})
                if rng.random() > 0.3:
                    break
        follow_ups.append(checks)
    return episodes, follow_ups


def seed_history(url: str, user_id: int, now: datetime) -> int:
    """Give the user the history and the profile; returns the number of follow-ups inserted."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine, only=("users", "episodes", "follow_ups"))
    users, episodes, follow_ups = (meta.tables[name] for name in ("users", "episodes", "follow_ups"))
    naive = engine.dialect.name == "sqlite"  # coach.models.base.UTCDateTime keeps naive UTC on SQLite

    def row(table, values: dict) -> dict:
        out = {}
        for name, value in values.items():
            if name not in table.c:
                continue  # an older schema may lack a column
            out[name] = value.astimezone(UTC).replace(tzinfo=None) if naive and isinstance(value, datetime) else value
        return out

    history, checks = make_history(now)
    try:
        with engine.begin() as conn:
            changes = dict(PROFILE, profile_prompt_done_at=now)
            changes = row(users, changes)
            if "assessment_rev" in users.c:
                # The assessment cache is keyed by this: rows written behind the app's back must move it on.
                changes["assessment_rev"] = users.c.assessment_rev + 1
            conn.execute(update(users).where(users.c.id == user_id).values(**changes))
            conn.execute(episodes.insert(), [row(episodes, dict(e, user_id=user_id)) for e in history])
            ids = conn.scalars(select(episodes.c.id).where(episodes.c.user_id == user_id)
                               .order_by(episodes.c.id)).all()
            rows = [row(follow_ups, dict(f, episode_id=episode_id, user_id=user_id))
                    for episode_id, fs in zip(ids, checks, strict=True) for f in fs]
            conn.execute(follow_ups.insert(), rows)
    finally:
        engine.dispose()
    return len(rows)
