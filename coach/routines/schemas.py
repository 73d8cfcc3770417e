"""The shapes of a routine (API.md), a tip and a source, as the API answers and the export holds them."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..content import CATEGORIES, KINDS
from ..output import Listed, Out
from .catalog import StockRoutine, catalog
from .service import stop_rules

Kind = Literal[KINDS]  # type: ignore[valid-type]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]


class StepOut(Out):
    position: int
    title: str
    instruction: str
    seconds: int
    optional: bool
    note: str | None = Field(description="Where the advice comes from when it is not a cited source")


class StopRuleOut(Out):
    code: str
    text: str
    sources: list[int]


class StopRulesOut(Out):
    """Read from the content library's StopRules."""

    emergency: list[StopRuleOut] = Field(description="Go to the emergency screen")
    stop_and_log: list[StopRuleOut] = Field(description="Stop the routine and log it")
    general: str
    sources: list[int]


class EvidenceOut(Out):
    text: str
    sources: list[int]


class RoutineOut(Out):
    slug: str
    title: str
    kind: Kind
    summary: str
    is_stock: bool
    total_seconds: int = Field(description="Seconds of the steps that are not optional")
    total_seconds_with_optional: int
    # The same for every routine (the content library's), so a routine row does not carry them.
    stop_rules: StopRulesOut = Field(default_factory=stop_rules, validate_default=True)
    sources: Listed[int] = Field(description="Source ids; GET /api/v1/sources has their titles")
    evidence: Listed[EvidenceOut]
    next: Listed[str] = Field(description="Slugs of routines to do afterwards")
    frequency: str | None
    steps: list[StepOut]


class TipOut(Out):
    id: int
    category: Category
    title: str
    text: str
    sources: Listed[int]
    note: str | None


class SourceOut(Out):
    id: int
    title: str
    url: str | None


def routine_outs(routines) -> list[RoutineOut]:
    """Each routine's RoutineOut. A stock routine's is made once per content generation and shared by every
    request, which only serialises it (pydantic takes a model instance as it is, so a list of them costs nothing
    to validate again)."""
    stock = catalog().derived("RoutineOut", lambda kept: {r.slug: RoutineOut.model_validate(r) for r in kept.routines})
    return [stock[r.slug] if isinstance(r, StockRoutine) and r.slug in stock else RoutineOut.model_validate(r)
            for r in routines]
