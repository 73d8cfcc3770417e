"""Pydantic models for routines, tips, sources and routine sessions (API.md: Routines, sessions, tips)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from ..content import CATEGORIES, KINDS
from ..domain import codes, limits
from .schemas import IsoDateTime, PageQuery, Strict

Kind = Literal[KINDS]  # type: ignore[valid-type]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Pain = Field(None, ge=codes.SEVERITY_RANGE[0], le=codes.SEVERITY_RANGE[1], description="0 (none) to 10 (worst imaginable)")


class StepOut(BaseModel):
    position: int
    title: str
    instruction: str
    seconds: int
    optional: bool
    note: str | None = Field(description="Where the advice comes from when it is not a cited source")


class StopRuleOut(BaseModel):
    code: str
    text: str
    sources: list[int]


class StopRulesOut(BaseModel):
    emergency: list[StopRuleOut] = Field(description="Go to the emergency screen")
    stop_and_log: list[StopRuleOut] = Field(description="Stop the routine and log it")
    general: str
    sources: list[int]


class EvidenceOut(BaseModel):
    text: str
    sources: list[int]


class RoutineOut(BaseModel):
    slug: str
    title: str
    kind: Kind
    summary: str
    is_stock: bool
    total_seconds: int = Field(description="Seconds of the steps that are not optional")
    total_seconds_with_optional: int
    stop_rules: StopRulesOut
    sources: list[int] = Field(description="Source ids; GET /api/v1/sources has their titles")
    evidence: list[EvidenceOut]
    next: list[str] = Field(description="Slugs of routines to do afterwards")
    frequency: str | None
    steps: list[StepOut]


class RoutineList(BaseModel):
    items: list[RoutineOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last")


class RoutineQuery(PageQuery):
    """Content lists keep the library's order."""

    kind: Kind | None = None


class TipOut(BaseModel):
    id: int
    category: Category
    title: str
    text: str
    sources: list[int]
    note: str | None


class TipList(BaseModel):
    items: list[TipOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last")


class TipQuery(PageQuery):
    category: Category | None = None


class SourceOut(BaseModel):
    id: int
    title: str
    url: str | None


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
    client_id: StrictStr | None = Field(None, max_length=limits.CLIENT_ID, description="Client-made UUID (or send Idempotency-Key)")


class SessionOut(BaseModel):
    id: int
    client_id: str | None
    routine: str
    routine_title: str
    started_at: str
    ended_at: str | None
    completed: bool
    completed_steps: list[int]
    steps_total: int
    stop_reason: str | None
    pain_before: int | None
    pain_after: int | None
    created_at: str


class SessionList(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next (older) page")


class SessionQuery(PageQuery):
    """The caller's sessions, newest first."""
