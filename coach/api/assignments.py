"""Assignments (API.md: Trainers and clients): a trainer assigns routines to clients on a schedule and changes,
pauses or ends them; a client lists what is assigned to them (with the version's steps) and pauses it."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_login import current_user
from pydantic import BaseModel, Field, RootModel, StrictBool

from .. import access
from ..domain import limits
from ..errors import ValidationError
from ..extensions import api_spec
from ..formats import schedule_text
from ..output import Out, UtcDateTime
from ..trainer import assignments
from . import bp
from .auth import login_required
from .schemas import AUTH, RowId, Strict, Text, optional, responses
from .schemas_reminders import SCHEDULE_DOC, SCHEDULE_EXAMPLE, Schedule

TAG = "Assignments"


# ---------------------------------------------------------------- shapes
class AssignmentIn(Strict):
    # One client (client_id) or several (client_ids), never both and never neither.
    model_config = {**Strict.model_config, "json_schema_extra": {"oneOf": [
        {"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in ("client_id", "client_ids")
    ]}}

    client_id: RowId | None = Field(None, description="One client (or send client_ids)")
    client_ids: list[RowId] | None = Field(None, min_length=1, max_length=limits.ASSIGNMENT_CLIENTS,
                                               description="Several clients at once: the answer is then a list")
    routine: Text = Field(min_length=1, max_length=limits.ROUTINE_SLUG,
                               description="The slug of one of your routines or a stock routine")
    schedule: Schedule = Field(description=SCHEDULE_DOC + " Times are the client's own wall clock.",
                                     examples=[SCHEDULE_EXAMPLE])
    note: Text | None = Field(None, max_length=limits.ASSIGNMENT_NOTE, description="Shown to the client")


class AssignmentPatch(Strict):
    schedule: Schedule = optional(description=SCHEDULE_DOC)
    note: Text | None = Field(None, max_length=limits.ASSIGNMENT_NOTE, description="null or \"\" removes it")
    paused: StrictBool = optional()


class PausedIn(Strict):
    paused: StrictBool


class TrainerAssignmentQuery(BaseModel):
    client_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Only this client's")


class AssignmentOut(Out):
    """An assignment as its trainer sees it."""

    id: int
    client_id: int
    client_name: str
    routine: str = Field(description="The routine's slug")
    routine_title: str
    routine_version: int = Field(description="The published version the client plays")
    schedule: dict[str, Any]
    note: str | None
    paused: bool
    next_fire_at: UtcDateTime | None = Field(description="The client's next reminder (UTC); null while paused")
    created_at: UtcDateTime


class AssignmentList(BaseModel):
    items: list[AssignmentOut]


class AssignmentsCreated(RootModel[AssignmentOut | list[AssignmentOut]]):
    """One assignment for client_id; a list (in the order given) for client_ids."""


class PersonRef(Out):
    id: int
    display_name: str


class VersionStepOut(Out):
    position: int
    title: str
    instruction: str
    seconds: int
    optional: bool


class AssignedRoutineOut(Out):
    slug: str
    title: str
    kind: str
    summary: str
    version: int = Field(description="The version this assignment plays (stock routines: 1)")
    total_seconds: int
    steps: list[VersionStepOut]


class AssignedOut(Out):
    """An assignment as its client sees it: the routine version to play, who assigned it, when."""

    id: int
    routine: AssignedRoutineOut
    trainer: PersonRef
    schedule: dict[str, Any]
    schedule_text: str = Field(description="The schedule in words, on the client's clock")
    note: str | None
    paused: bool
    next_fire_at: UtcDateTime | None
    created_at: UtcDateTime


class AssignedList(BaseModel):
    items: list[AssignedOut]


def _steps(snapshot) -> list[dict]:
    steps = snapshot.steps
    return [step if isinstance(step, dict) else {k: getattr(step, k) for k in ("position", "title", "instruction",
                                                                             "seconds", "optional")} for step in steps]


def assigned_out(row, snapshot, tz: str) -> AssignedOut:
    return AssignedOut.model_validate({
        "id": row.id, "trainer": {"id": row.trainer_id, "display_name": row.trainer_name},
        "routine": {"slug": row.routine, "title": snapshot.title, "kind": snapshot.kind, "summary": snapshot.summary,
                    "version": row.routine_version, "total_seconds": snapshot.total_seconds, "steps": _steps(snapshot)},
        "schedule": row.schedule, "schedule_text": schedule_text(row.schedule, tz), "note": row.note,
        "paused": row.paused, "next_fire_at": row.next_fire_at, "created_at": row.created_at,
    })


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


# ---------------------------------------------------------------- the trainer's side
@bp.post("/trainer/assignments")
@login_required
@api_spec.validate(json=AssignmentIn, resp=responses(201, AssignmentsCreated), tags=[TAG], security=AUTH)
def create_assignments_view(json: AssignmentIn):
    """Assign a routine to a client (or several: client_ids), each with their own reminder in their own zone."""
    me = _me()
    access.require_role(me, "trainer")
    if (json.client_id is None) == (json.client_ids is None):
        raise ValidationError({"client_id": "send client_id (one client) or client_ids (several), not both"})
    ids = [json.client_id] if json.client_id is not None else json.client_ids
    made = assignments.create_assignments(me, ids, json.routine, json.schedule, json.note, _now())
    rows = [AssignmentOut.model_validate(assignments.row_of(a)) for a in made]
    return AssignmentsCreated(rows[0] if json.client_id is not None else rows), 201


@bp.get("/trainer/assignments")
@login_required
@api_spec.validate(query=TrainerAssignmentQuery, resp=responses(200, AssignmentList), tags=[TAG], security=AUTH)
def index_trainer_assignments(query: TrainerAssignmentQuery):
    """The trainer's running assignments, newest first; ?client_id= for one client's."""
    rows = assignments.list_for_trainer(_me(), query.client_id)
    return AssignmentList.model_validate({"items": [AssignmentOut.model_validate(r) for r in rows]})


@bp.get("/trainer/assignments/<int:assignment_id>")
@login_required
@api_spec.validate(resp=responses(200, AssignmentOut), tags=[TAG], security=AUTH)
def show_trainer_assignment(assignment_id: int):
    return AssignmentOut.model_validate(assignments.row_of(assignments.get(_me(), assignment_id)))


@bp.patch("/trainer/assignments/<int:assignment_id>")
@login_required
@api_spec.validate(json=AssignmentPatch, resp=responses(200, AssignmentOut), tags=[TAG], security=AUTH)
def patch_trainer_assignment(assignment_id: int, json: AssignmentPatch):
    """Change the schedule or note, or pause (true) and resume (false); fields left out stay."""
    values = json.model_dump(exclude_unset=True)
    changed = assignments.update(_me(), assignment_id, values, _now())
    return AssignmentOut.model_validate(assignments.row_of(changed))


@bp.delete("/trainer/assignments/<int:assignment_id>")
@login_required
@api_spec.validate(resp=responses(204), tags=[TAG], security=AUTH)
def end_trainer_assignment(assignment_id: int):
    """End it: the client's reminder goes; sessions already played stay the client's."""
    assignments.end(_me(), assignment_id, _now())
    return "", 204


# ---------------------------------------------------------------- the client's side
def _client():
    me = _me()
    access.require_role(me, "athlete")
    return me


@bp.get("/assignments")
@login_required
@api_spec.validate(resp=responses(200, AssignedList), tags=[TAG], security=AUTH)
def index_assigned():
    """What trainers you are linked to assigned to you, with the steps of the version each one plays."""
    me = _client()
    rows = assignments.list_assigned(me)
    versions = assignments.versions_of([r.assignment for r in rows])
    return AssignedList(items=[assigned_out(r, versions[r.id], me.timezone) for r in rows])


@bp.patch("/assignments/<int:assignment_id>")
@login_required
@api_spec.validate(json=PausedIn, resp=responses(200, AssignedOut), tags=[TAG], security=AUTH)
def pause_assigned(assignment_id: int, json: PausedIn):
    """Pause (true) or resume (false) an assignment: no reminders while paused, and no reason asked."""
    me = _client()
    assignments.set_paused(me, assignment_id, json.paused, "client", _now())
    row = assignments.get_assigned(me, assignment_id)
    return assigned_out(row, assignments.version_of(row.assignment), me.timezone)
