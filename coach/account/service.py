"""The data export: everything stored about a person, each resource in the same shape the API gives it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .. import access
from ..access import Scope
from ..auth.service import tokens_to_export
from ..episodes.service import episodes_to_export
from ..extensions import db
from ..models import Assignment, Invite, Routine, RoutineVersion, TrainerLink, User
from ..relief.service import sessions_to_export
from ..reminders.inbox import reminders_to_export
from .schemas import ExportOut

EXPORT_FORMAT = "relief-coach-export/1"


def export_user(user: User, now: datetime, *, subject: User | None = None) -> ExportOut:
    """GET /api/v1/me/export and the Me page's download. Each feature says which of its rows are this person's
    (and asks access: the export holds credentials, so it is one's own only); a feature that stores something
    new about a person adds its rows here (and a field to ExportOut)."""
    person = access.subject(user, subject, Scope.PROFILE)
    episodes, follow_ups = episodes_to_export(user, subject=person)
    sessions, own_routines = sessions_to_export(user, subject=person)
    reminders, notifications, devices, calendar_feed = reminders_to_export(user, subject=person)
    return ExportOut.model_validate({
        "format": EXPORT_FORMAT,
        "exported_at": now,
        "profile": person,
        "api_tokens": tokens_to_export(user),
        "episodes": episodes,
        "follow_ups": follow_ups,
        "routine_sessions": sessions,
        "routines": own_routines,
        "reminders": reminders,
        "notifications": notifications,
        "push_devices": devices,
        "calendar_feed": calendar_feed,
        **coaching_to_export(user, person),
    })


def coaching_to_export(user: User, person: User) -> dict:
    """What this person made as a trainer (routine versions, invites, links with their own notes, assignments),
    and as a client (their links with what they share, what is assigned to them). Other people appear by id
    only: never their names, data or the other side's notes. COACHING is the trainer's own (SELF_ONLY)."""
    mine = access.subject(user, person, Scope.COACHING).id

    def coaching(model):
        return db.session.scalars(select(model).where(access.rows(user, model, Scope.COACHING, subject_id=mine))
                                  .order_by(model.id)).all()

    made = select(Routine.id).where(access.rows(user, Routine, Scope.ROUTINES, subject_id=mine))
    return {
        "routine_versions": db.session.scalars(select(RoutineVersion).where(RoutineVersion.routine_id.in_(made))
                                               .order_by(RoutineVersion.routine_id, RoutineVersion.version)).all(),
        "invites": coaching(Invite),
        "clients": coaching(TrainerLink),
        "assignments": coaching(Assignment),
        "trainers": db.session.scalars(select(TrainerLink).where(access.client_links(person)).order_by(TrainerLink.id)).all(),
        "assigned": db.session.scalars(select(Assignment).where(access.assigned(person)).order_by(Assignment.id)).all(),
    }
