"""API requests and lists for reminders, push subscriptions and the inbox; the shapes are in
coach/reminders/schemas.py."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from ..domain import limits
from ..output import Page
from ..reminders.schemas import Kind, NotificationOut, ReminderOut, SubscriptionOut
from .schemas import PageQuery, Strict

SCHEDULE_DOC = (
    'One of {"type": "daily", "times": ["07:30"], "weekdays": [1,2,3,4,5]}, '
    '{"type": "interval", "every_minutes": 120, "start": "09:00", "end": "17:00", "weekdays": [...]}, '
    '{"type": "once", "at": "2026-11-25T15:00:00+01:00"}. Times are wall-clock times in the user\'s zone; '
    "weekdays are ISO (1 = Monday) and optional (default: every day); every_minutes is 15 to 720."
)
SCHEDULE_EXAMPLE = {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5]}


class ReminderIn(Strict):
    title: StrictStr = Field(min_length=1, max_length=limits.REMINDER_TITLE, examples=["Floor mobility"])
    kind: Kind
    routine: StrictStr | None = Field(None, max_length=limits.ROUTINE_SLUG, description="A routine's slug; required for kind routine")
    body: StrictStr | None = Field(None, max_length=limits.REMINDER_BODY, description="The notification text; a default per kind")
    schedule: dict[str, Any] = Field(description=SCHEDULE_DOC, examples=[SCHEDULE_EXAMPLE])
    enabled: StrictBool = True
    client_id: StrictStr | None = Field(None, max_length=limits.CLIENT_ID, description="Client-made UUID (or send Idempotency-Key)")


class ReminderPatch(Strict):
    title: StrictStr | None = Field(None, min_length=1, max_length=limits.REMINDER_TITLE)
    kind: Kind | None = None
    routine: StrictStr | None = Field(None, max_length=limits.ROUTINE_SLUG)
    body: StrictStr | None = Field(None, max_length=limits.REMINDER_BODY)
    schedule: dict[str, Any] | None = Field(None, description=SCHEDULE_DOC)
    enabled: StrictBool | None = None


ReminderList = Page[ReminderOut]


class InboxQuery(PageQuery):
    unread: bool = Field(False, description="Only notifications not read yet")


class PublicKeyOut(BaseModel):
    public_key: str | None = Field(description="base64url VAPID public key (pushManager.subscribe's "
                                   "applicationServerKey); null when push is not set up")


class SubscriptionKeys(Strict):
    p256dh: StrictStr = Field(min_length=1, max_length=limits.PUSH_P256DH)
    auth: StrictStr = Field(min_length=1, max_length=limits.PUSH_AUTH)


class SubscriptionIn(Strict):
    endpoint: StrictStr = Field(min_length=1, max_length=limits.PUSH_ENDPOINT)
    keys: SubscriptionKeys
    expirationTime: StrictInt | None = Field(None, description="As in PushSubscription.toJSON(); ignored")  # noqa: N815


class SubscriptionList(BaseModel):
    items: list[SubscriptionOut]


class EndpointIn(Strict):
    endpoint: StrictStr = Field(min_length=1, max_length=limits.PUSH_ENDPOINT)


class NotificationList(Page[NotificationOut]):
    unread_count: int
