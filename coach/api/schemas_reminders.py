"""API requests and lists for reminders, push subscriptions and the inbox; the shapes are in
coach/reminders/schemas.py."""
from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StrictBool, StrictStr, WithJsonSchema

from ..domain import limits
from ..domain.schedule import MAX_EVERY, MAX_TIMES, MIN_EVERY
from ..output import Page
from ..reminders.schemas import Kind, NotificationOut, ReminderOut, SubscriptionOut
from .schemas import NAME, NO_NUL, SPACES, WALL_TIME, ClientId, Integer, PageQuery, Strict, Text, optional

SCHEDULE_DOC = (
    'One of {"type": "daily", "times": ["07:30"], "weekdays": [1,2,3,4,5]}, '
    '{"type": "interval", "every_minutes": 120, "start": "09:00", "end": "17:00", "weekdays": [...]}, '
    '{"type": "once", "at": "2026-11-25T15:00:00+01:00"}. Times are wall-clock times in the user\'s zone; '
    "weekdays are ISO (1 = Monday) and optional (default: every day); every_minutes is 15 to 720."
)
SCHEDULE_EXAMPLE = {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5]}

# The schedule is checked by coach/domain/schedule.py (parse_schedule, with its own messages per field); this is
# what it takes, said in JSON Schema. "start before end" and "at in the future" cannot be said here.
_WALL = {"type": "string", "pattern": WALL_TIME}
_WEEKDAYS = {"anyOf": [{"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 7}, "minItems": 1,
                        "maxItems": 7, "uniqueItems": True}, {"type": "null"}],
             "description": "ISO weekdays (1 = Monday), each once; null or left out: every day"}


def _shape(kind: str, required: list[str], **properties) -> dict:
    return {"type": "object", "properties": {"type": {"const": kind}, **properties},
            "required": ["type", *required], "additionalProperties": False}


SCHEDULE_SCHEMA = {"oneOf": [
    _shape("daily", ["times"], times={"type": "array", "items": _WALL, "minItems": 1, "maxItems": MAX_TIMES},
           weekdays=_WEEKDAYS),
    _shape("interval", ["every_minutes", "start", "end"], weekdays=_WEEKDAYS, start=_WALL, end=_WALL,
           every_minutes={"type": "integer", "minimum": MIN_EVERY, "maximum": MAX_EVERY}),
    _shape("once", ["at"], at={"type": "string", "format": "date-time", "pattern": NO_NUL}),
]}


def _whole_numbers(value):
    # The integers of a schedule written as 30.0 are the integers JSON Schema says they are (see Integer).
    if not isinstance(value, dict):
        return value
    whole = {key: int(item) if isinstance(item, float) and item.is_integer() else item
             for key, item in value.items() if key == "every_minutes"}
    if isinstance(value.get("weekdays"), list):
        whole["weekdays"] = [int(d) if isinstance(d, float) and d.is_integer() else d for d in value["weekdays"]]
    return {**value, **whole}


Schedule = Annotated[dict[str, Any], BeforeValidator(_whole_numbers), WithJsonSchema(SCHEDULE_SCHEMA)]


class ReminderIn(Strict):
    # Spaces are tidied (coach/reminders/service.py), so a title needs something besides them.
    title: Text = Field(min_length=1, max_length=limits.REMINDER_TITLE, examples=["Floor mobility"],
                        json_schema_extra={"pattern": NAME})
    kind: Kind
    routine: Text | None = Field(None, max_length=limits.ROUTINE_SLUG, description="A routine's slug; required for kind routine")
    body: Text | None = Field(None, max_length=limits.REMINDER_BODY, description="The notification text; a default per kind")
    schedule: Schedule = Field(description=SCHEDULE_DOC, examples=[SCHEDULE_EXAMPLE])
    enabled: StrictBool = True
    client_id: ClientId | None = Field(None, max_length=limits.CLIENT_ID)


class ReminderPatch(Strict):
    """Fields left out stay; null clears `routine` and puts back the default `body`."""

    title: Text = optional({"pattern": NAME}, min_length=1, max_length=limits.REMINDER_TITLE)
    kind: Kind = optional()
    routine: Text | None = Field(None, max_length=limits.ROUTINE_SLUG)
    body: Text | None = Field(None, max_length=limits.REMINDER_BODY)
    schedule: Schedule = optional(description=SCHEDULE_DOC)
    enabled: StrictBool = optional()


ReminderList = Page[ReminderOut]


class InboxQuery(PageQuery):
    unread: bool = Field(False, description="Only notifications not read yet")


class PublicKeyOut(BaseModel):
    public_key: str | None = Field(description="base64url VAPID public key (pushManager.subscribe's "
                                   "applicationServerKey); null when push is not set up")


def _form(pattern: str, message: str):
    """Text of a fixed form: the document gives `pattern`; anything else is refused with `message`, the words
    coach/reminders/push.py uses for a key it cannot read."""

    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(message)
        return value

    return Annotated[StrictStr, AfterValidator(check), WithJsonSchema({"type": "string", "pattern": pattern})]


# base64url of a 65-byte P-256 point and of the 16-byte auth secret (padding optional). Whether the 65 bytes are a
# point on the curve cannot be said in JSON Schema.
P256DH = _form(r"^[A-Za-z0-9_-]{87}=?$", "must be the browser's base64url P-256 public key")
AUTH_SECRET = _form(r"^[A-Za-z0-9_-]{22}(==)?$", "must be the browser's base64url 16-byte auth secret")
# An https URL of a host name on port 443, with no user, password or fragment. Which hosts are push services is
# the server's setting (PUSH_ALLOWED_HOSTS), so the document cannot list them; tests may also allow a loopback fake.
ENDPOINT = rf"^https://[A-Za-z0-9.-]+(:443)?([/?][^\x00-\x20\x7f{SPACES}#]*)?$"


class SubscriptionKeys(Strict):
    p256dh: P256DH = Field(max_length=limits.PUSH_P256DH)
    auth: AUTH_SECRET = Field(max_length=limits.PUSH_AUTH)


class SubscriptionIn(Strict):
    endpoint: Text = Field(min_length=1, max_length=limits.PUSH_ENDPOINT, json_schema_extra={"pattern": ENDPOINT})
    keys: SubscriptionKeys
    expirationTime: Integer | None = Field(None, description="As in PushSubscription.toJSON(); ignored")  # noqa: N815


class SubscriptionList(BaseModel):
    items: list[SubscriptionOut]


class EndpointIn(Strict):
    endpoint: Text = Field(min_length=1, max_length=limits.PUSH_ENDPOINT)


class NotificationList(Page[NotificationOut]):
    unread_count: int
