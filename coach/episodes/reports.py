"""Doctor report and CSV services: read the user's records, hand them to coach.domain.report, add flags and profile."""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..domain import codes, triage
from ..domain.report import EpisodeRow, FollowUpRow, Report, SessionRow, build_report, period_for
from ..extensions import db
from ..models import RISK_FIELDS, Episode, FollowUp, User
from .diary import source_titles
from .service import assess_user, local_day_bounds

log = logging.getLogger(__name__)

DEFAULT_DAYS = 90
MAX_DAYS = 3660
# Names the routines feature may give its session model; the report reads whichever exists.
SESSION_MODEL_NAMES = ("RoutineSession", "Session", "SessionLog", "ReliefSession")


@dataclass
class ReportContext:
    user: User
    report: Report
    assessment: triage.Assessment
    sources: dict[int, str]
    risks: list[tuple[str, bool]]  # (profile field, answer)
    generated_at: datetime
    sessions_available: bool

    @property
    def age(self) -> int | None:
        return self.report.end.year - self.user.birth_year if self.user.birth_year else None

    disclaimer = triage.DISCLAIMER
    no_medication = triage.NO_MEDICATION_COPY


def _episode_rows(user: User) -> list[EpisodeRow]:
    rows = db.session.execute(
        select(
            Episode.id, Episode.started_at, Episode.trigger, Episode.during_exercise, Episode.locations, Episode.side,
            Episode.severity, Episode.locked_minutes, Episode.eased_by_stretch, Episode.symptoms, Episode.exercise,
            Episode.load_kg, Episode.relief_used,
        ).where(Episode.user_id == user.id)
    ).all()
    return [
        EpisodeRow(
            id=r.id, started_at=r.started_at, trigger=r.trigger, during_exercise=bool(r.during_exercise),
            locations=tuple(r.locations or ()), side=r.side, severity=r.severity, locked_minutes=r.locked_minutes or 0,
            eased_by_stretch=r.eased_by_stretch, symptoms=tuple(r.symptoms or ()), exercise=r.exercise,
            load_kg=r.load_kg, relief_used=r.relief_used,
        )
        for r in rows
    ]


def _follow_up_rows(user: User) -> list[FollowUpRow]:
    rows = db.session.execute(
        select(FollowUp.episode_id, FollowUp.at, FollowUp.severity, FollowUp.status, FollowUp.symptoms).where(
            FollowUp.user_id == user.id
        )
    ).all()
    return [FollowUpRow(r.episode_id, r.at, r.severity, r.status, tuple(r.symptoms or ())) for r in rows]


def session_model():
    """The routine-session model if the routines feature has added one, else None."""
    from .. import models

    for name in SESSION_MODEL_NAMES:
        model = getattr(models, name, None)
        if model is not None and hasattr(model, "user_id") and hasattr(model, "started_at"):
            return model
    return None


def _routine_name(row) -> str:
    value = getattr(row, "routine_title", None) or getattr(row, "routine_slug", None) or getattr(row, "routine", None)
    value = getattr(value, "slug", value)
    return str(value) if value else "routine"


def session_rows(user: User, begin: datetime, finish: datetime) -> tuple[list[SessionRow], bool]:
    """Routine sessions in [begin, finish), and whether a session model exists at all.

    Read defensively: the model belongs to another feature, and the report must never fail because of it.
    """
    model = session_model()
    if model is None:
        return [], False
    try:
        records = db.session.scalars(
            select(model).where(model.user_id == user.id, model.started_at >= begin, model.started_at < finish)
        ).all()
        rows = []
        for r in records:
            before, after = getattr(r, "pain_before", None), getattr(r, "pain_after", None)
            rows.append(SessionRow(
                started_at=r.started_at, routine=_routine_name(r), completed=bool(getattr(r, "completed", True)),
                pain_before=before if isinstance(before, int) else None,
                pain_after=after if isinstance(after, int) else None,
            ))
        return rows, True
    except Exception:  # a model mid-change in another feature must not take the report down
        db.session.rollback()
        log.exception("could not read routine sessions for the report")
        return [], False


def report_period(today: date, days: int | None, end: date | None) -> tuple[date, date]:
    days = days if days and 1 <= days <= MAX_DAYS else DEFAULT_DAYS
    end = min(end or today, today)
    return period_for(end, days)


def build_context(user: User, start: date, end: date, now: datetime) -> ReportContext:
    begin, finish = local_day_bounds(start, user.timezone)[0], local_day_bounds(end, user.timezone)[1]
    sessions, available = session_rows(user, begin, finish)
    report = build_report(_episode_rows(user), _follow_up_rows(user), sessions, start=start, end=end, tz=user.timezone)
    return ReportContext(
        user=user, report=report, assessment=assess_user(user, now), sources=source_titles(),
        risks=[(name, bool(getattr(user, name))) for name in RISK_FIELDS],
        generated_at=now, sessions_available=available,
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


def episodes_csv(user: User) -> str:
    zone = ZoneInfo(user.timezone)
    episodes = db.session.scalars(
        select(Episode).where(Episode.user_id == user.id).order_by(Episode.started_at, Episode.id)
    ).all()
    latest: dict[int, tuple[datetime, str, int]] = {}
    for episode_id, at, status in db.session.execute(
        select(FollowUp.episode_id, FollowUp.at, FollowUp.status).where(FollowUp.user_id == user.id)
    ):
        seen = latest.get(episode_id)
        latest[episode_id] = (at, status, 1) if seen is None else (max(seen[0], at), status if at >= seen[0] else seen[1], seen[2] + 1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yes_no = {True: "yes", False: "no", None: ""}
    for e in episodes:
        local = e.started_at.astimezone(zone)
        check = latest.get(e.id)
        row = [
            e.id, local.date().isoformat(), f"{local:%H:%M}", user.timezone, e.severity,
            "; ".join(codes.LOCATION_LABELS.get(c, c) for c in e.locations or ()), codes.SIDE_LABELS.get(e.side, ""),
            codes.TRIGGER_LABELS.get(e.trigger, e.trigger), yes_no[bool(e.during_exercise)], e.exercise,
            "" if e.load_kg is None else f"{e.load_kg:g}", e.locked_minutes or 0, yes_no[e.eased_by_stretch],
            "; ".join(codes.SYMPTOMS[c][0] if c in codes.SYMPTOMS else c for c in e.symptoms or ()), e.relief_used,
            e.notes, check[2] if check else 0, check[1] if check else "",
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def report_filename(user: User, start: date, end: date, ext: str) -> str:
    return f"relief-coach-report-{start.isoformat()}-to-{end.isoformat()}.{ext}"
