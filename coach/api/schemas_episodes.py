"""API requests for episodes, follow-ups and the assessment (codes from CONTENT.md section 1), and the envelopes
around their shapes (coach/episodes/schemas.py)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictFloat, StrictInt, WithJsonSchema

from ..domain import codes, limits
from ..episodes.schemas import AssessmentOut, EpisodeOut, FollowUpOut
from ..episodes.validation import REMOVABLE_SYMPTOMS
from ..output import Page
from .schemas import ClientId, Integer, IsoDate, IsoDateTime, PageQuery, Strict, Text, integer, optional

Trigger = Literal[codes.TRIGGERS]  # type: ignore[valid-type]
Location = Literal[codes.LOCATIONS]  # type: ignore[valid-type]
Side = Literal[codes.SIDES]  # type: ignore[valid-type]
Symptom = Literal[codes.SYMPTOM_CODES]  # type: ignore[valid-type]
Status = Literal[codes.FOLLOW_UP_STATUSES]  # type: ignore[valid-type]
PAIN = {"ge": codes.SEVERITY_RANGE[0], "le": codes.SEVERITY_RANGE[1]}
LOCKED = {"ge": codes.LOCKED_MINUTES_RANGE[0], "le": codes.LOCKED_MINUTES_RANGE[1]}
PAIN_TEXT = "0 (none) to 10 (worst imaginable)"
# The codes an undo may take off and the one value clear_if knows: the document names them; the service refuses
# the others with a message saying why (coach/episodes/validation.py).
Removable = Annotated[Symptom, WithJsonSchema({"type": "string", "enum": list(REMOVABLE_SYMPTOMS)})]
Ticked = Annotated[Integer, WithJsonSchema({"type": "integer", "const": 61})]


def _json_bounds(schema: dict) -> None:
    # On a union of number types pydantic writes its own ge/le words into the document; JSON Schema's are these.
    for branch in schema.get("anyOf", []):
        for ours, theirs in (("ge", "minimum"), ("le", "maximum")):
            if ours in branch:
                branch[theirs] = branch.pop(ours)


class EpisodeFields(Strict):
    trigger: Trigger | None = None
    during_exercise: StrictBool | None = None
    exercise: Text | None = Field(None, max_length=limits.EXERCISE, examples=["deadlift"])
    # 2.0 is taken as a float: the whole-number rule of Integer is not needed here.
    load_kg: StrictInt | StrictFloat | None = Field(None, ge=0, le=limits.LOAD_KG, json_schema_extra=_json_bounds)
    locations: list[Location] | None = Field(None, max_length=limits.LOCATIONS)
    side: Side | None = None
    locked_minutes: integer(**LOCKED) | None = None
    eased_by_stretch: StrictBool | None = None
    symptoms: list[Symptom] | None = Field(None, max_length=limits.SYMPTOMS)
    relief_used: Text | None = Field(None, max_length=limits.RELIEF_USED)
    notes: Text | None = Field(None, max_length=limits.NOTES)


class EpisodeIn(EpisodeFields):
    started_at: IsoDateTime = Field(description="When it started, with offset; not in the future")
    severity: integer(**PAIN) = Field(description=PAIN_TEXT)
    client_id: ClientId | None = Field(None, max_length=limits.CLIENT_ID)


class ClearIf(Strict):
    locked_minutes: Ticked | None = Field(
        None, examples=[61],
        description="61 (what the safety check's tick saves): set locked_minutes back to null (not recorded) only "
                    "while the stored value is still 61; any other stored value stays. Any other number is a 400.",
    )


class EpisodeUpsert(EpisodeFields):
    """Any subset of the fields. null or absent leaves the stored answer as it is; symptoms and locations add to it.

    Undoing a tick of the safety check's urgent line is explicit: `remove_symptoms` and `clear_if`."""

    started_at: IsoDateTime | None = Field(None, description="Needed only when the episode does not exist yet")
    severity: integer(**PAIN) | None = Field(None, description="Optional: a spasm may be saved before its pain score")
    remove_symptoms: list[Removable] | None = Field(
        None, max_length=limits.SYMPTOMS, examples=[["fever"]],
        description="Codes to take off this spasm (an undone tick): only fever, weight_loss and cannot_stand. "
                    "An emergency code (or any other) is a 400; a code also sent in `symptoms` is a 400.",
    )
    clear_if: ClearIf | None = Field(None, description='{"locked_minutes": 61}: back to not recorded if still 61')


class EpisodePatch(EpisodeFields):
    """Fields left out stay; null takes an answer back to "not recorded", except the two every episode has."""

    started_at: IsoDateTime = optional()
    severity: integer(**PAIN) = optional()


class EpisodeCreated(BaseModel):
    episode: EpisodeOut
    assessment: AssessmentOut


EpisodeList = Page[EpisodeOut]


class EpisodeQuery(PageQuery):
    from_: IsoDate | None = Field(None, alias="from", description="Local date, inclusive")
    to: IsoDate | None = Field(None, description="Local date, inclusive")


class FollowUpIn(Strict):
    at: IsoDateTime | None = Field(None, description="Defaults to now")
    severity: integer(**PAIN) | None = None
    status: Status
    symptoms: list[Symptom] | None = Field(None, max_length=limits.SYMPTOMS)
    notes: Text | None = Field(None, max_length=limits.NOTES)
    client_id: ClientId | None = Field(None, max_length=limits.CLIENT_ID)


class FollowUpCreated(BaseModel):
    follow_up: FollowUpOut
    assessment: AssessmentOut


class AssessmentQuery(Strict):
    at: IsoDateTime | None = Field(None, description="Reference time for the windows; defaults to now")
