"""What the triage rules can see of one person's diary, read in a few indexed statements: the 180-day window and the
few older facts the rules use (docs/TRIAGE.md, How the assessment is computed fast). tests/web/test_bounded_history.py
holds it to the full history's answer."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, or_, select

from .. import access
from ..access import Scope
from ..domain import triage
from ..extensions import db
from ..models import Episode, FollowUp, User

# The longest window of the rules (P2: four spasms in 180 days); every other window lies inside it.
WINDOW_DAYS = 180
# P3 compares the last three spasms, which may lie before the window: at most the last three local days of logs.
LAST_SPASMS = 3
# SQL compares instants, the rules local dates: each bound is a day wider, and a log read beyond what the rules
# need changes nothing (see read_history), so no local midnight has to be exact.
MARGIN = timedelta(days=1)
NO_CODES = ("[]", "null")


@dataclass(frozen=True)
class History:
    """The engine's input, and the stretch of time around `now` over which the same input gives the same answer."""

    episodes: list[triage.Episode]
    follow_ups: list[triage.FollowUp]
    since: datetime | None  # the latest record at or before `now` (None: none)
    until: datetime | None  # the first record after `now`, which the rules take in when its time comes (None: none)


def midnight(day: int, zone: tzinfo) -> datetime:
    """The start of a local day (a date ordinal) in `zone`."""
    return datetime.combine(date.fromordinal(day), time.min, zone)


def read_history(actor: User, whose: User, now: datetime) -> History:
    """`whose` diary as far as the rules reach at `now`, in 4 statements (one more per day logged more than once
    among the last three before the window), on the (user_id, started_at) index:

    - every log from the first of the last three local days with a log before the window (P3's spasms: the
      grouping walks back from the window one whole day at a time and stops within those days), and all their
      check-ins;
    - every log and check-in with a symptom, however old (history_red_flag; a check-in's counts on its own date);
    - every log with a check-in since the start of what is read (P8 and C1 read an episode's latest check-in in the
      30-day window, and its date). Of a log older than the last three days only the id, the date and the symptoms
      are read: nothing else of it reaches a rule.

    A log older than that is never reached by the grouping, and a check-in only counts through its symptoms, its
    episode's latest status in the window or an episode of the last 7 days: so reading a day of margin more, or a
    log more, gives the same answer, and the full history gives it too. The first-ever spasm (A1) needs no read of
    its own: A1 asks whether it lies in the last 30 days, and then it is in the window; when it lies before what is
    read, the first spasm read is older than 30 days too (it is at or before the last three days before the window)."""
    zone = ZoneInfo(whose.timezone)
    window = now.astimezone(zone).toordinal() - (WINDOW_DAYS - 1)
    mine = access.rows(actor, Episode, Scope.EPISODES, subject_id=whose.id)
    theirs = access.rows(actor, FollowUp, Scope.EPISODES, subject_id=whose.id)
    start = midnight(min(_last_days(mine, midnight(window, zone) - MARGIN, zone), window), zone) - MARGIN
    episodes = db.session.execute(select(
        Episode.id, Episode.started_at, Episode.trigger, Episode.during_exercise, _raw(Episode.locations),
        Episode.side, Episode.severity, Episode.locked_minutes, Episode.eased_by_stretch, _raw(Episode.symptoms),
    ).where(mine, Episode.started_at >= start)).all()
    # Older logs count only through their date and symptoms, or as the episode of a recent check-in (P8 names it
    # by id and date): three columns are enough, and the other answers stay "not recorded".
    older = db.session.execute(select(Episode.id, Episode.started_at, _raw(Episode.symptoms)).where(
        mine, Episode.started_at < start,
        or_(_has_codes(Episode.symptoms), Episode.id.in_(select(FollowUp.episode_id).where(theirs, FollowUp.at >= start))),
    )).all()
    follow_ups = db.session.execute(select(
        FollowUp.id, FollowUp.episode_id, FollowUp.at, FollowUp.severity, FollowUp.status, _raw(FollowUp.symptoms),
    ).where(theirs, or_(
        FollowUp.at >= start, _has_codes(FollowUp.symptoms),
        # A check-in dated before its episode (the episode's start was edited later): still the episode's.
        FollowUp.episode_id.in_(select(Episode.id).where(mine, Episode.started_at >= start)),
    ))).all()
    times = [row.started_at for row in episodes] + [row.at for row in follow_ups]
    return History(
        [triage.Episode(
            id=row.id, started_at=row.started_at, trigger=row.trigger, during_exercise=row.during_exercise,
            locations=_code_tuple(row.locations), side=row.side, severity=row.severity,
            locked_minutes=row.locked_minutes, eased_by_stretch=row.eased_by_stretch, symptoms=_code_tuple(row.symptoms),
        ) for row in episodes] + [triage.Episode(
            id=row.id, started_at=row.started_at, trigger=None, during_exercise=None, locations=(), side=None,
            severity=None, locked_minutes=None, eased_by_stretch=None, symptoms=_code_tuple(row.symptoms),
        ) for row in older],
        [triage.FollowUp(
            id=row.id, episode_id=row.episode_id, at=row.at, severity=row.severity, status=row.status,
            symptoms=_code_tuple(row.symptoms),
        ) for row in follow_ups],
        max((t for t in times if t <= now), default=None),
        min((t for t in times if t > now), default=None),
    )


def _last_days(mine, before: datetime, zone: tzinfo) -> int:
    """The earliest of the last LAST_SPASMS local days with a log before `before` (all of them when fewer), as a
    date ordinal; `before` itself when there is none. One statement, or one more per day logged more than once."""
    days: set[int] = set()
    cursor = before
    while len(days) < LAST_SPASMS:
        found = db.session.scalars(select(Episode.started_at).where(mine, Episode.started_at < cursor)
                                   .order_by(Episode.started_at.desc()).limit(LAST_SPASMS)).all()
        if not found:
            break
        days.update(at.astimezone(zone).toordinal() for at in found)
        # On to the day before the earliest found (never later than that log, so each step moves back).
        cursor = min(midnight(min(days), zone), found[-1])
    return min(days, default=before.astimezone(zone).toordinal())


def _has_codes(column):
    return cast(column, String).not_in(NO_CODES)


def _raw(column):
    # The JSON as text (a CAST in SQL, so neither SQLAlchemy nor psycopg decodes it), for _code_tuple to
    # decode each distinct list once.
    return cast(column, String).label(column.key)


@lru_cache(maxsize=4096)
def _codes_from_json(raw: str) -> tuple[str, ...]:
    return tuple(json.loads(raw) or ()) if raw else ()


def _code_tuple(value) -> tuple[str, ...]:
    """A stored code list as a tuple. Rows repeat a few lists ("[]", '["lower_back"]'): each text is decoded once."""
    if value is None:
        return ()
    return _codes_from_json(value) if isinstance(value, str) else tuple(value)
