"""API requests and lists for routines, tips, sources and routine sessions (API.md: Routines, sessions, tips); the
shapes are in coach/routines/schemas.py and coach/relief/schemas.py."""
from __future__ import annotations

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from ..domain import codes, limits
from ..output import Page
from ..relief.schemas import SessionOut
from ..routines.schemas import Category, Kind, RoutineOut, SourceOut, TipOut
from .schemas import IsoDateTime, PageQuery, Strict

Pain = Field(None, ge=codes.SEVERITY_RANGE[0], le=codes.SEVERITY_RANGE[1], description="0 (none) to 10 (worst imaginable)")


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
    routine: StrictStr = Field(min_length=1, max_length=limits.ROUTINE_SLUG, description="The routine's slug")
    started_at: IsoDateTime = Field(description="When the first step started, with offset")
    ended_at: IsoDateTime | None = Field(None, description="When it was completed or stopped")
    completed: StrictBool = Field(description="True when the player reached the end, false when stopped")
    completed_steps: list[StrictInt] = Field([], max_length=limits.ROUTINE_STEPS, description="Positions of the steps whose countdown ran out")
    stop_reason: StrictStr | None = Field(
        None, max_length=limits.STOP_REASON, description="A stop rule code (GET /api/v1/routines: stop_rules) or done_for_now"
    )
    pain_before: StrictInt | None = Pain
    pain_after: StrictInt | None = Pain
    assignment_id: StrictInt | None = Field(None, ge=1, description="The assignment it was played from (GET /api/v1/assignments)")
    routine_version: StrictInt | None = Field(None, ge=1, description="The version played; default the assignment's (stock: 1)")
    client_id: StrictStr | None = Field(None, max_length=limits.CLIENT_ID, description="Client-made UUID (or send Idempotency-Key)")


SessionList = Page[SessionOut]


class SessionQuery(PageQuery):
    """The caller's sessions, newest first."""
