"""The shape of a routine session, as the API answers and the export holds it."""
from __future__ import annotations

from pydantic import AliasChoices, Field

from .. import access
from ..access import Scope
from ..output import Listed, Out, UtcDateTime


class SessionOut(Out):
    id: int
    client_id: str | None
    # The slug the session was played under: kept on the row, so it outlives a deleted routine.
    routine: str = Field(validation_alias=AliasChoices("routine_slug", "routine"))
    routine_title: str
    routine_version: int | None = Field(description="The published version played (stock routines: 1)")
    assignment_id: int | None = Field(description="The trainer's assignment it was played from, if any")
    started_at: UtcDateTime
    ended_at: UtcDateTime | None
    completed: bool
    completed_steps: Listed[int]
    steps_total: int
    stop_reason: str | None = Field(description="Why it stopped (a stop rule's code); null to a trainer the person "
                                                "does not share their diary with: a stop rule can be a symptom")
    pain_before: int | None
    pain_after: int | None
    created_at: UtcDateTime

    @classmethod
    def shown_to(cls, actor, session) -> SessionOut:
        """The session as `actor` may see it: why it stopped only to someone who may read the person's diary
        (a stop rule such as chest pain is a symptom: never to a trainer without consent)."""
        out = cls.model_validate(session)
        if out.stop_reason is not None and not access.allows(actor, session.user_id, Scope.EPISODES):
            out = out.model_copy(update={"stop_reason": None})
        return out
