"""Routine sessions: record one run of the player (idempotent by client UUID), list and read them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .. import access
from ..access import Action, Scope
from ..content import RETIRED_STOP_TEXTS
from ..domain import codes, limits
from ..episodes.validation import clean_moment
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..idempotency import save_once
from ..models import MAX_ID, Assignment, Routine, RoutineSession, RoutineVersion, User
from ..pagination import keyset_page
from ..routines.service import get_routine, stop_rules

DONE_FOR_NOW = "done_for_now"
SESSION_FIELDS = (
    "routine", "started_at", "ended_at", "completed", "completed_steps", "stop_reason", "pain_before", "pain_after",
    "assignment_id", "routine_version",
)


# Stop codes of rules 2026.1 still accepted (coach/content/model.py RETIRED_STOP_TEXTS says why).
RETIRED_STOP_REASONS = tuple(RETIRED_STOP_TEXTS)


def stop_reasons() -> tuple[str, ...]:
    """The codes a stopped session may give: every stop rule (CONTENT.md section 3), or just "done for now"."""
    rules = stop_rules()
    return tuple(rule.code for rule in rules.emergency + rules.stop_and_log) + (DONE_FOR_NOW,) + RETIRED_STOP_REASONS


def _pain(values: dict, name: str, errors: dict) -> int | None:
    value = values.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not codes.SEVERITY_RANGE[0] <= value <= codes.SEVERITY_RANGE[1]:
        errors[name] = "must be an integer from 0 to 10"
    return value


def _played(user: User, routine: Routine | None, values: dict, errors: dict) -> tuple[int | None, int | None, int | None]:
    """(assignment id, version played, its step count): an assignment must be one assigned to the person (now or
    before it ended: an offline phone files a session late; access.assigned(ended_too=True)), of this routine;
    the version one the routine has published (stock: 1), by default the assignment's, else the routine's latest."""
    assignment_id, version = values.get("assignment_id"), values.get("routine_version")
    assignment = None
    if assignment_id is not None:
        if isinstance(assignment_id, int) and not isinstance(assignment_id, bool) and 0 < assignment_id <= MAX_ID:
            assignment = db.session.scalar(select(Assignment).where(
                Assignment.id == assignment_id, access.assigned(user, ended_too=True)))
        if assignment is None or (routine is not None and assignment.routine_id != routine.id):
            errors["assignment_id"] = "not a routine assigned to you" if assignment is None else "assigned for another routine"
            return None, None, None
    if routine is None:
        return None, None, None
    if version is None:
        version = assignment.routine_version if assignment is not None else routine.version
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= routine.version:
        errors["routine_version"] = f"must be a published version of this routine, 1 to {routine.version}"
        return None, None, None
    steps = None if routine.is_stock else db.session.scalar(select(RoutineVersion.steps).where(
        RoutineVersion.routine_id == routine.id, RoutineVersion.version == version))
    return (assignment.id if assignment else None), version, len(steps if steps is not None else routine.steps)


def assignment_of(user: User, slug: str) -> int | None:
    """The id of a running assignment to the person of the trainer's routine with this slug, if any: where a link
    to the routine's own player sends them (a trainer's routine is played from its assignment)."""
    return db.session.scalar(select(Assignment.id).join(Routine, Routine.id == Assignment.routine_id)
                             .where(access.assigned(user), Routine.slug == slug).order_by(Assignment.id).limit(1))


def _ended_assignments_routine(user: User, slug: str, assignment_id) -> Routine | None:
    """A trainer's routine the person can no longer open (the assignment or the link ended) but played from that
    assignment before it did: the session still files, so an offline phone's outbox never loses it."""
    if not isinstance(assignment_id, int) or isinstance(assignment_id, bool) or not 0 < assignment_id <= MAX_ID:
        return None
    return db.session.scalar(select(Routine).join(Assignment, Assignment.routine_id == Routine.id).where(
        Assignment.id == assignment_id, access.assigned(user, ended_too=True), Routine.slug == slug))


def clean_session(user: User, values: dict, now: datetime) -> dict:
    """Check a session against its routine; raise ValidationError with every problem at once."""
    errors: dict[str, str] = {name: "unknown field" for name in sorted(set(values) - set(SESSION_FIELDS))}
    routine = None
    slug = values.get("routine")
    if not isinstance(slug, str) or not slug:
        errors["routine"] = "required: the slug of a routine"
    else:
        try:
            routine = get_routine(user, slug)
        except NotFound:
            routine = _ended_assignments_routine(user, slug, values.get("assignment_id"))
            if routine is None:
                errors["routine"] = f"unknown routine {slug!r}"
    started_at = values.get("started_at")
    if started_at is None:
        errors["started_at"] = "required"
    else:
        clean_moment(started_at, now, "started_at", errors)
    ended_at = values.get("ended_at")
    if ended_at is not None:
        clean_moment(ended_at, now, "ended_at", errors)
        if "ended_at" not in errors and isinstance(started_at, datetime) and "started_at" not in errors and ended_at < started_at:
            errors["ended_at"] = "cannot be before started_at"
    assignment_id, version, steps_total = _played(user, routine, values, errors)
    completed = values.get("completed")
    if not isinstance(completed, bool):
        errors["completed"] = "must be true or false"
    steps = values.get("completed_steps") or []
    if not isinstance(steps, list) or not all(isinstance(s, int) and not isinstance(s, bool) for s in steps):
        errors["completed_steps"] = "must be a list of step positions"
        steps = []
    elif steps_total is not None:
        outside = [s for s in steps if not 1 <= s <= steps_total]
        if outside:
            errors["completed_steps"] = f"step {outside[0]} is not in this routine (it has {steps_total} steps)"
    stop_reason = values.get("stop_reason")
    if stop_reason is not None and stop_reason not in stop_reasons():
        errors["stop_reason"] = "unknown code; use one of " + ", ".join(stop_reasons())
    elif completed is True and stop_reason is not None:
        errors["stop_reason"] = "a completed session has no stop reason"
    pain_before = _pain(values, "pain_before", errors)
    pain_after = _pain(values, "pain_after", errors)
    if errors:
        raise ValidationError(errors)
    return {
        "routine_id": routine.id, "routine_slug": routine.slug, "routine_title": routine.title,
        "steps_total": steps_total, "assignment_id": assignment_id, "routine_version": version, "started_at": started_at, "ended_at": ended_at, "completed": completed,
        "completed_steps": sorted(set(steps)), "stop_reason": stop_reason, "pain_before": pain_before,
        "pain_after": pain_after,
    }


def record_session(user: User, values: dict, now: datetime, *, client_id: str | None = None,
                   subject: User | None = None) -> tuple[RoutineSession, bool]:
    """Save a session of `subject` (None: the actor's own); with a client_id a replay returns the first one and False."""
    owner = access.subject(user, subject, Scope.SESSIONS, Action.CHANGE)
    return save_once(
        lambda: RoutineSession(user_id=owner.id, client_id=client_id, created_at=now, **clean_session(owner, values, now)),
        client_id,
        lambda key: _by_client_id(user, owner, key),
    )


def _by_client_id(user: User, owner: User, client_id: str) -> RoutineSession | None:
    return db.session.scalar(select(RoutineSession).where(
        access.rows(user, RoutineSession, Scope.SESSIONS, subject_id=owner.id), RoutineSession.client_id == client_id))


def get_session(user: User, session_id: int) -> RoutineSession:
    return access.get(user, RoutineSession, session_id, Scope.SESSIONS, message="No such session.")


def list_sessions(user: User, *, subject: User | None = None, limit: int = limits.PAGE_SIZE,
                  cursor: str | None = None) -> tuple[list[RoutineSession], str | None]:
    """`subject`'s sessions (None: the actor's own), newest first, paged like the episode list."""
    whose = access.subject(user, subject, Scope.SESSIONS)
    query = select(RoutineSession).where(access.rows(user, RoutineSession, Scope.SESSIONS, subject_id=whose.id))
    return keyset_page(query, (RoutineSession.started_at, RoutineSession.id), limit, cursor)


def sessions_to_export(user: User, *, subject: User | None = None) -> tuple[list[RoutineSession], list[Routine]]:
    """This person's routine sessions (oldest first) and the routines they made, for the data export."""
    whose = access.subject(user, subject, Scope.SESSIONS)
    rows = db.session.scalars(select(RoutineSession).where(
        access.rows(user, RoutineSession, Scope.SESSIONS, subject_id=whose.id)).order_by(RoutineSession.started_at)).all()
    own = db.session.scalars(select(Routine).where(
        access.rows(user, Routine, Scope.ROUTINES, subject_id=whose.id)).order_by(Routine.id)).all()
    return list(rows), list(own)
