"""API requests and lists for routines, tips, sources and routine sessions (API.md: Routines, sessions, tips); the
shapes are in coach/routines/schemas.py and coach/relief/schemas.py."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictBool, WithJsonSchema

from ..domain import codes, limits
from ..output import Page
from ..relief.schemas import SessionOut
from ..routines.schemas import Category, Kind, RoutineOut, SourceOut, TipOut
from .schemas import ClientId, Integer, IsoDateTime, PageQuery, RowId, Strict, Text, integer

Pain = integer(ge=codes.SEVERITY_RANGE[0], le=codes.SEVERITY_RANGE[1])
PAIN_TEXT = "0 (none) to 10 (worst imaginable)"
# A step's position, 1 to the routine's length: the service names a position outside its routine.
Position = Annotated[Integer, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": limits.ROUTINE_STEPS})]


RoutineList = Page[RoutineOut]


class RoutineQuery(PageQuery):
    """Content lists keep the library's order."""

    kind: Kind | None = None


TipList = Page[TipOut]


class TipQuery(PageQuery):
    category: Category | None = None


class SourceList(BaseModel):
    items: list[SourceOut]


class SessionIn(Strict):
    routine: Text = Field(min_length=1, max_length=limits.ROUTINE_SLUG, description="The routine's slug")
    started_at: IsoDateTime = Field(description="When the first step started, with offset")
    ended_at: IsoDateTime | None = Field(None, description="When it was completed or stopped")
    completed: StrictBool = Field(description="True when the player reached the end, false when stopped")
    completed_steps: list[Position] = Field([], max_length=limits.ROUTINE_STEPS, description="Positions of the steps whose countdown ran out")
    stop_reason: Text | None = Field(
        None, max_length=limits.STOP_REASON, description="A stop rule code (GET /api/v1/routines: stop_rules) or done_for_now"
    )
    pain_before: Pain | None = Field(None, description=PAIN_TEXT)
    pain_after: Pain | None = Field(None, description=PAIN_TEXT)
    assignment_id: RowId | None = Field(None, description="The assignment it was played from (GET /api/v1/assignments)")
    routine_version: integer(ge=1) | None = Field(None, description="The version played; default the assignment's (stock: 1)")
    client_id: ClientId | None = Field(None, max_length=limits.CLIENT_ID)


SessionList = Page[SessionOut]


class SessionQuery(PageQuery):
    """The caller's sessions, newest first."""
