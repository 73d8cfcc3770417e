"""Doctor report and CSV services: read the user's records, hand them to coach.domain.report, add flags and profile."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from .. import access
from ..access import Scope
from ..domain import codes, triage
from ..domain.report import EpisodeRow, FollowUpRow, Report, SessionRow, build_report, period_for
from ..extensions import db
from ..models import RISK_FIELDS, Episode, FollowUp, RoutineSession, User
from .diary import source_titles
from .service import assess_user, local_day_bounds

DEFAULT_DAYS = 90
MAX_DAYS = 3660


@dataclass
class ReportContext:
    user: User
    report: Report
    assessment: triage.Assessment
    sources: dict[int, str]
    risks: list[tuple[str, bool]]  # (profile field, answer)
    generated_at: datetime
    # Whether the person ever gave the profile's risk answers. The tick boxes default to false, so an unticked box
    # alone is no "no" (CONTENT.md section 0): they count as answered once one is ticked or the profile prompt was
    # done (users.profile_prompt_done_at; the prompt's Skip sets it too, and the database keeps nothing finer).
    profile_answered: bool = True

    @property
    def age(self) -> int | None:
        return self.report.end.year - self.user.birth_year if self.user.birth_year else None

    disclaimer = triage.DISCLAIMER
    no_medication = triage.NO_MEDICATION_COPY


# The report counts the spasms of the 30 and 90 days ending on its last day (coach/domain/report.py: last_30,
# last_90), whatever the period; besides those and the period it needs only the first spasm ever (the onset).
LOOKBACK_DAYS = 90
EPISODE_COLUMNS = (
    Episode.id, Episode.started_at, Episode.trigger, Episode.during_exercise, Episode.locations, Episode.side,
    Episode.severity, Episode.locked_minutes, Episode.eased_by_stretch, Episode.symptoms, Episode.exercise,
    Episode.load_kg, Episode.relief_used,
)


def _episode_rows(user: User, whose: User, since: datetime | None = None, until: datetime | None = None) -> list[EpisodeRow]:
    """`whose`'s episodes started in [since, until) and the first one before `until` (the onset); every one
    without bounds. A ten-year diary's 90-day report reads about 90 rows, not 3,650."""
    mine = access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id)
    query = select(*EPISODE_COLUMNS).where(mine)
    if until is not None:
        query = query.where(Episode.started_at < until)
    if since is not None:
        query = query.where(Episode.started_at >= since)
    rows = list(db.session.execute(query))
    if since is not None:
        onset = select(*EPISODE_COLUMNS).where(mine).order_by(Episode.started_at, Episode.id).limit(1)
        if until is not None:
            onset = onset.where(Episode.started_at < until)
        first = db.session.execute(onset).first()
        if first is not None and first.started_at < since:
            rows.append(first)
    return [
        EpisodeRow(
            # Skipped answers stay None: the report says "not recorded" rather than "no" or 0.
            id=r.id, started_at=r.started_at, trigger=r.trigger, during_exercise=r.during_exercise,
            locations=tuple(r.locations or ()), side=r.side, severity=r.severity, locked_minutes=r.locked_minutes,
            eased_by_stretch=r.eased_by_stretch, symptoms=tuple(r.symptoms or ()), exercise=r.exercise,
            load_kg=r.load_kg, relief_used=r.relief_used,
        )
        for r in rows
    ]


def _follow_up_rows(user: User, whose: User, begin: datetime | None = None, until: datetime | None = None,
                    episode_since: datetime | None = None) -> list[FollowUpRow]:
    """`whose`'s check-ins before `until` that were made in [begin, until) or belong to a spasm started since
    `episode_since` (the period's: their course); every one without bounds."""
    query = select(FollowUp.episode_id, FollowUp.at, FollowUp.severity, FollowUp.status, FollowUp.symptoms).where(
        access.rows(user, FollowUp, Scope.EPISODES, subject_id=whose.id))
    if until is not None:
        query = query.where(FollowUp.at < until)
    if begin is not None and episode_since is not None:
        of_period = select(Episode.id).where(
            access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id), Episode.started_at >= episode_since)
        query = query.where(or_(FollowUp.at >= begin, FollowUp.episode_id.in_(of_period)))
    return [FollowUpRow(r.episode_id, r.at, r.severity, r.status, tuple(r.symptoms or ())) for r in db.session.execute(query)]


def session_rows(user: User, begin: datetime, finish: datetime, *, subject: User | None = None) -> list[SessionRow]:
    """`subject`'s (None: the actor's) routine sessions started in [begin, finish)."""
    whose = access.subject(user, subject, Scope.SESSIONS)
    records = db.session.scalars(
        select(RoutineSession).where(
            access.rows(user, RoutineSession, Scope.SESSIONS, subject_id=whose.id), RoutineSession.started_at >= begin,
            RoutineSession.started_at < finish)
    ).all()
    return [
        SessionRow(started_at=r.started_at, routine=r.routine_title or r.routine_slug, completed=r.completed,
                   pain_before=r.pain_before, pain_after=r.pain_after, stop_reason=r.stop_reason)
        for r in records
    ]


def report_period(today: date, days: int | None, end: date | None) -> tuple[date, date]:
    days = days if days and 1 <= days <= MAX_DAYS else DEFAULT_DAYS
    end = min(end or today, today)
    return period_for(end, days)


def read_bounds(whose: User, start: date, end: date) -> tuple[datetime, datetime, datetime]:
    """(begin, since, finish): the period [begin, finish) in the person's zone, and `since`, from when the report
    reads spasms (the period, or the 90 days ending on its last day when those reach further back)."""
    begin, finish = local_day_bounds(start, whose.timezone)[0], local_day_bounds(end, whose.timezone)[1]
    return begin, min(begin, local_day_bounds(end - timedelta(days=LOOKBACK_DAYS - 1), whose.timezone)[0]), finish


def build_context(user: User, start: date, end: date, now: datetime, *, subject: User | None = None) -> ReportContext:
    """`subject`'s (None: the actor's) report, in their zone: episodes and the assessment with the risk answers it
    is made from (the episodes scope) and their routine sessions (the sessions scope: the actor needs both)."""
    whose = access.subject(user, subject, Scope.EPISODES)
    begin, since, finish = read_bounds(whose, start, end)
    sessions = session_rows(user, begin, finish, subject=whose)
    report = build_report(_episode_rows(user, whose, since, finish), _follow_up_rows(user, whose, begin, finish, begin),
                          sessions, start=start, end=end, tz=whose.timezone)
    risks = [(name, bool(getattr(whose, name))) for name in RISK_FIELDS]
    return ReportContext(
        user=whose, report=report, assessment=assess_user(user, now, subject=whose), sources=source_titles(),
        risks=risks, generated_at=now,
        profile_answered=any(answer for _, answer in risks) or whose.profile_prompt_done_at is not None,
    )


# ---------- CSV ----------

CSV_COLUMNS = (
    "id", "date", "time", "timezone", "severity", "locations", "side", "trigger", "during_exercise", "exercise",
    "load_kg", "locked_minutes", "eased_by_stretch", "symptoms", "relief_used", "notes", "check_ins",
    "last_check_in_status",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """Text a spreadsheet will not run as a formula: cells starting with = + - @ (or tab, CR) get a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# A question the person skipped (null) is "not recorded" in the CSV: never "no", 0 or an empty cell that
# reads as nothing to report (CONTENT.md section 0).
NOT_RECORDED = "not recorded"


def _answer(value):
    return NOT_RECORDED if value is None else value


def episodes_csv(user: User, *, subject: User | None = None) -> str:
    """`subject`'s (None: the actor's) episodes as CSV, dates and times in their zone."""
    whose = access.subject(user, subject, Scope.EPISODES)
    zone = ZoneInfo(whose.timezone)
    episodes = db.session.scalars(
        select(Episode).where(access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id))
        .order_by(Episode.started_at, Episode.id)
    ).all()
    latest: dict[int, tuple[datetime, str, int]] = {}
    for episode_id, at, status in db.session.execute(select(FollowUp.episode_id, FollowUp.at, FollowUp.status).where(
            access.rows(user, FollowUp, Scope.EPISODES, subject_id=whose.id))):
        seen = latest.get(episode_id)
        latest[episode_id] = (at, status, 1) if seen is None else (max(seen[0], at), status if at >= seen[0] else seen[1], seen[2] + 1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yes_no = {True: "yes", False: "no", None: NOT_RECORDED}
    for e in episodes:
        local = e.started_at.astimezone(zone)
        check = latest.get(e.id)
        row = [
            e.id, local.date().isoformat(), f"{local:%H:%M}", whose.timezone, _answer(e.severity),
            "; ".join(codes.LOCATION_LABELS.get(c, c) for c in e.locations or ()),
            _answer(e.side and codes.SIDE_LABELS.get(e.side, e.side)),
            _answer(e.trigger and codes.TRIGGER_LABELS.get(e.trigger, e.trigger)), yes_no[e.during_exercise], e.exercise,
            "" if e.load_kg is None else f"{e.load_kg:g}", _answer(e.locked_minutes), yes_no[e.eased_by_stretch],
            "; ".join(codes.SYMPTOMS[c][0] if c in codes.SYMPTOMS else c for c in e.symptoms or ()), e.relief_used,
            e.notes, check[2] if check else 0, check[1] if check else "",
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def report_filename(user: User, start: date, end: date, ext: str) -> str:
    return f"relief-coach-report-{start.isoformat()}-to-{end.isoformat()}.{ext}"
