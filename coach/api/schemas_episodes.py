"""API requests for episodes, follow-ups and the assessment (codes from CONTENT.md section 1), and the envelopes
around their shapes (coach/episodes/schemas.py)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from ..domain import codes, limits
from ..episodes.schemas import AssessmentOut, EpisodeOut, FollowUpOut
from ..output import Page
from .schemas import IsoDate, IsoDateTime, PageQuery, Strict

Trigger = Literal[codes.TRIGGERS]  # type: ignore[valid-type]
Location = Literal[codes.LOCATIONS]  # type: ignore[valid-type]
Side = Literal[codes.SIDES]  # type: ignore[valid-type]
Symptom = Literal[codes.SYMPTOM_CODES]  # type: ignore[valid-type]
Status = Literal[codes.FOLLOW_UP_STATUSES]  # type: ignore[valid-type]
PAIN = {"ge": codes.SEVERITY_RANGE[0], "le": codes.SEVERITY_RANGE[1]}
LOCKED = {"ge": codes.LOCKED_MINUTES_RANGE[0], "le": codes.LOCKED_MINUTES_RANGE[1]}
Severity = Field(**PAIN, description="0 (none) to 10 (worst imaginable)")


class EpisodeFields(Strict):
    trigger: Trigger | None = None
    during_exercise: StrictBool | None = None
    exercise: StrictStr | None = Field(None, max_length=limits.EXERCISE, examples=["deadlift"])
    load_kg: StrictInt | StrictFloat | None = Field(None, ge=0, le=limits.LOAD_KG)
    locations: list[Location] | None = Field(None, max_length=limits.LOCATIONS)
    side: Side | None = None
    locked_minutes: StrictInt | None = Field(None, **LOCKED)
    eased_by_stretch: StrictBool | None = None
    symptoms: list[Symptom] | None = Field(None, max_length=limits.SYMPTOMS)
    relief_used: StrictStr | None = Field(None, max_length=limits.RELIEF_USED)
    notes: StrictStr | None = Field(None, max_length=limits.NOTES)


class EpisodeIn(EpisodeFields):
    started_at: IsoDateTime = Field(description="When it started, with offset; not in the future")
    severity: StrictInt = Severity
    client_id: StrictStr | None = Field(None, max_length=limits.CLIENT_ID, description="Client-made UUID (or send Idempotency-Key)")


class ClearIf(Strict):
    locked_minutes: StrictInt | None = Field(
        None, **LOCKED, examples=[61],
        description="61 (what the safety check's tick saves): set locked_minutes back to null (not recorded) only "
                    "while the stored value is still 61; any other stored value stays. Any other number is a 400.",
    )


class EpisodeUpsert(EpisodeFields):
    """Any subset of the fields. null or absent leaves the stored answer as it is; symptoms and locations add to it.

    Undoing a tick of the safety check's urgent line is explicit: `remove_symptoms` and `clear_if`."""

    started_at: IsoDateTime | None = Field(None, description="Needed only when the episode does not exist yet")
    severity: StrictInt | None = Field(None, **PAIN, description="Optional: a spasm may be saved before its pain score")
    remove_symptoms: list[Symptom] | None = Field(
        None, max_length=limits.SYMPTOMS, examples=[["fever"]],
        description="Codes to take off this spasm (an undone tick): only fever, weight_loss and cannot_stand. "
                    "An emergency code (or any other) is a 400; a code also sent in `symptoms` is a 400.",
    )
    clear_if: ClearIf | None = Field(None, description='{"locked_minutes": 61}: back to not recorded if still 61')


class EpisodePatch(EpisodeFields):
    started_at: IsoDateTime | None = None
    severity: StrictInt | None = Field(None, **PAIN)


class EpisodeCreated(BaseModel):
    episode: EpisodeOut
    assessment: AssessmentOut


EpisodeList = Page[EpisodeOut]


class EpisodeQuery(PageQuery):
    from_: IsoDate | None = Field(None, alias="from", description="Local date, inclusive")
    to: IsoDate | None = Field(None, description="Local date, inclusive")


class FollowUpIn(Strict):
    at: IsoDateTime | None = Field(None, description="Defaults to now")
    severity: StrictInt | None = Field(None, **PAIN)
    status: Status
    symptoms: list[Symptom] | None = Field(None, max_length=limits.SYMPTOMS)
    notes: StrictStr | None = Field(None, max_length=limits.NOTES)
    client_id: StrictStr | None = Field(None, max_length=limits.CLIENT_ID)


class FollowUpCreated(BaseModel):
    follow_up: FollowUpOut
    assessment: AssessmentOut


class AssessmentQuery(Strict):
    at: IsoDateTime | None = Field(None, description="Reference time for the windows; defaults to now")
