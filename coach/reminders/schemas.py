"""The shapes of a reminder, an inbox entry, a push device, a test push and the calendar link, as the API answers
and the export holds them."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field, computed_field

from ..models import REMINDER_KINDS
from ..output import Out, UtcDateTime
from .service import target_url

Kind = Literal[REMINDER_KINDS]  # type: ignore[valid-type]


class ReminderOut(Out):
    id: int
    client_id: str | None
    title: str
    body: str | None
    kind: Kind
    routine: str | None = Field(validation_alias=AliasChoices("routine_slug", "routine"),
                                description="The routine's slug (routine reminders)")
    episode_id: int | None
    assignment_id: int | None = Field(description="The trainer's assignment this reminder carries out, if any")
    schedule: dict[str, Any]
    enabled: bool
    next_fire_at: UtcDateTime | None = Field(description="UTC; null when paused or finished")
    last_fired_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime

    @computed_field(description="The page a notification opens")  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return target_url(self.kind, self.routine, self.episode_id, self.assignment_id)


class NotificationOut(Out):
    id: int
    reminder_id: int | None
    kind: str
    title: str
    body: str | None
    url: str
    tag: str
    fire_at: UtcDateTime
    read_at: UtcDateTime | None
    created_at: UtcDateTime


class SubscriptionOut(Out):
    """A push device, without its endpoint or keys (they are secrets of that browser)."""

    id: int
    host: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class TestPushOut(Out):
    """What the push service answered to a test notification (read from push.PushResult)."""

    outcome: Literal["sent", "gone", "too_large", "rate_limited", "rejected", "retry", "refused"]
    status: int | None = Field(description="The push service's HTTP status")


class CalendarFeedOut(Out):
    """Only that the private calendar link exists: its secret is not stored, so it cannot be exported."""

    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
