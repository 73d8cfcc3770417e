"""A trainer's own routines: create (published as version 1), list, read, publish a new version (PATCH), delete."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from flask_login import current_user
from pydantic import Field, StrictBool

from ..content import KINDS
from ..domain import limits
from ..extensions import api_spec
from ..output import Out, Page
from ..pagination import list_page
from ..routines.schemas import RoutineOut
from ..trainer.routines import (
    clients_by_routine,
    clients_of,
    create_routine,
    delete_routine,
    get_routine,
    list_routines,
    publish,
)
from . import bp
from .auth import login_required
from .schemas import AUTH, SPACES, PageQuery, RowId, Strict, Text, integer, optional, responses

TAG = "Trainer: routines"
Kind = Literal[KINDS]  # type: ignore[valid-type]

# A routine's words are one line (coach/trainer/routines.py: runs of white space become one space, other control
# characters are refused); a title or instruction also needs something besides spaces. Whether a text names a
# medicine cannot be said here. The service words its refusals, so the patterns are the document's only.
_CONTROL = r"\x00-\x08\x0e-\x1b"
LINE = rf"^[^{_CONTROL}]*$"
WORDS = rf"^[^{_CONTROL}]*[^{_CONTROL}{SPACES}][^{_CONTROL}]*$"
# A step copies a stock step (stock_step) or gives its own title, instruction and seconds.
_OWN_OR_STOCK = {"anyOf": [{"required": ["stock_step"], "properties": {"stock_step": {"type": "integer"}}},
                           {"required": ["title", "instruction", "seconds"],
                            "properties": {name: {"not": {"type": "null"}} for name in ("title", "instruction", "seconds")}}]}


class StepIn(Strict):
    """One step. With `stock_step` (a stock routine step's id) the step's title, instruction and seconds are that
    step's unless given here."""

    model_config = {**Strict.model_config, "json_schema_extra": _OWN_OR_STOCK}

    title: Text | None = Field(None, max_length=limits.STEP_TITLE, json_schema_extra={"pattern": WORDS})
    instruction: Text | None = Field(None, max_length=limits.STEP_INSTRUCTION, json_schema_extra={"pattern": WORDS})
    seconds: integer(ge=1, le=limits.STEP_SECONDS) | None = None
    optional: StrictBool | None = None
    stock_step: RowId | None = Field(None, description="Id of a stock routine's step to copy")


class TrainerRoutineIn(Strict):
    title: Text = Field(max_length=limits.ROUTINE_TITLE, json_schema_extra={"pattern": WORDS})
    kind: Kind
    summary: Text | None = Field(None, max_length=limits.ROUTINE_SUMMARY, json_schema_extra={"pattern": LINE})
    steps: list[StepIn] = Field(min_length=1, max_length=limits.ROUTINE_STEPS, description="In play order")


class TrainerRoutinePatch(Strict):
    """Fields left out keep their value; the result is published as the next version."""

    title: Text = optional({"pattern": WORDS}, max_length=limits.ROUTINE_TITLE)
    kind: Kind = optional()
    summary: Text | None = Field(None, max_length=limits.ROUTINE_SUMMARY, json_schema_extra={"pattern": LINE})
    steps: list[StepIn] = optional(min_length=1, max_length=limits.ROUTINE_STEPS)


class ClientRef(Out):
    id: int
    display_name: str


class TrainerRoutineOut(RoutineOut):
    """The routine shape (its working copy) with the trainer's view of it."""

    id: int
    version: int = Field(description="The latest published version: what assigned clients play")
    has_draft: bool = Field(description="The working copy has changes not yet published")
    clients: list[ClientRef] = Field(default_factory=list,
                                     description="Clients it is assigned to now; after a PATCH, who got the new version")


TrainerRoutineList = Page[TrainerRoutineOut]


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


def _out(routine, clients) -> TrainerRoutineOut:
    return TrainerRoutineOut.model_validate(routine).model_copy(
        update={"clients": [ClientRef.model_validate(user) for user in clients]})


def _values(model) -> dict:
    values = model.model_dump(exclude_unset=True)
    for step in values.get("steps") or []:
        if step.get("optional") is None:
            step.pop("optional", None)
    return values


@bp.post("/trainer/routines")
@login_required
@api_spec.validate(json=TrainerRoutineIn, resp=responses(201, TrainerRoutineOut), tags=[TAG], security=AUTH)
def create_trainer_routine(json: TrainerRoutineIn):
    """Build a routine from stock steps and your own; it is published at once as version 1."""
    routine = create_routine(_me(), _values(json), _now())
    return _out(routine, []), 201


@bp.get("/trainer/routines")
@login_required
@api_spec.validate(query=PageQuery, resp=responses(200, TrainerRoutineList), tags=[TAG], security=AUTH)
def index_trainer_routines(query: PageQuery):
    """Your routines, newest first, each with the clients it is assigned to."""
    me = _me()
    routines, next_cursor = list_page(list_routines(me), query.limit, query.cursor)
    clients = clients_by_routine(me)
    return TrainerRoutineList(items=[_out(r, clients.get(r.id, [])) for r in routines], next_cursor=next_cursor)


@bp.get("/trainer/routines/<int:routine_id>")
@login_required
@api_spec.validate(resp=responses(200, TrainerRoutineOut), tags=[TAG], security=AUTH)
def show_trainer_routine(routine_id: int):
    me = _me()
    return _out(get_routine(me, routine_id), clients_of(me, routine_id))


@bp.patch("/trainer/routines/<int:routine_id>")
@login_required
@api_spec.validate(json=TrainerRoutinePatch, resp=responses(200, TrainerRoutineOut), tags=[TAG], security=AUTH)
def patch_trainer_routine(routine_id: int, json: TrainerRoutinePatch):
    """Change the routine and publish it as the next version: every active assignment moves to it (`clients`
    says who got it); sessions already played keep their version."""
    values = _values(json)
    routine, clients = publish(_me(), routine_id, values, now=_now())
    return _out(routine, clients)


@bp.delete("/trainer/routines/<int:routine_id>")
@login_required
@api_spec.validate(resp=responses(204), tags=[TAG], security=AUTH)
def remove_trainer_routine(routine_id: int):
    """Delete it: its assignments end and their reminders go; sessions played keep their title."""
    delete_routine(_me(), routine_id, _now())
    return "", 204
