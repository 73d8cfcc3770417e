"""The shapes of an episode, a follow-up and the assessment, as the API answers and the export holds them."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..domain.triage import DISCLAIMER
from ..output import Listed, Out, UtcDateTime


class EpisodeOut(Out):
    id: int
    client_id: str | None
    started_at: UtcDateTime
    trigger: str | None = Field(description="null: not recorded (skipped); 'unknown': the person chose Not sure")
    during_exercise: bool | None = Field(description="null: not recorded")
    exercise: str | None
    load_kg: float | None
    locations: Listed[str]
    side: str | None
    severity: int | None = Field(description="0-10; null: not recorded (e.g. saved by the safety check first)")
    locked_minutes: int | None = Field(description="null: not recorded")
    eased_by_stretch: bool | None
    symptoms: Listed[str]
    relief_used: str | None
    notes: str | None
    source: str
    created_at: UtcDateTime
    updated_at: UtcDateTime


class FollowUpOut(Out):
    id: int
    episode_id: int
    client_id: str | None
    at: UtcDateTime
    severity: int | None
    status: str
    symptoms: Listed[str]
    notes: str | None


class FlagOut(Out):
    rule: str
    level: Literal["routine", "urgent", "emergency"]
    reason: str
    episode_ids: list[int]
    sources: list[int]


class InfoOut(Out):
    """Rule and message only: the episode ids behind a prompt stay server-side (the pages link them)."""

    rule: str
    message: str


class AssessmentOut(Out):
    """Read from coach.domain.triage.Assessment."""

    level: Literal["none", "routine", "urgent", "emergency"]
    rules_version: str
    evaluated_at: UtcDateTime
    flags: list[FlagOut]
    info: list[InfoOut]
    disclaimer: str = DISCLAIMER
