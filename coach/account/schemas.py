"""The shapes of the profile, an API token's record and the data export (made of every feature's shapes)."""
from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from pydantic import Field, PlainSerializer, WithJsonSchema

from ..domain.schedule import hour_minute
from ..episodes.schemas import EpisodeOut, FollowUpOut
from ..output import Out, UtcDateTime
from ..relief.schemas import SessionOut
from ..reminders.schemas import CalendarFeedOut, NotificationOut, ReminderOut, SubscriptionOut
from ..routines.schemas import RoutineOut

HourMinute = Annotated[time, PlainSerializer(hour_minute, return_type=str), WithJsonSchema({"type": "string"})]


class UserOut(Out):
    id: int
    email: str
    display_name: str
    role: Literal["athlete", "trainer"]
    timezone: str
    country: str
    birth_year: int | None
    quiet_start: HourMinute | None = Field(description="Quiet hours start, HH:MM in the user's zone; null: none")
    quiet_end: HourMinute | None = Field(description="Quiet hours end, HH:MM; reminders inside wait for it")
    created_at: UtcDateTime
    cancer_history: bool
    osteoporosis: bool
    long_term_steroids: bool
    immunosuppressed: bool
    iv_drug_use: bool
    kidney_disease: bool
    diuretics: bool
    new_medicine_4_weeks: bool
    heavy_sweater: bool


class ApiTokenOut(Out):
    """A token's record in the export: never the token itself (only its hash is stored)."""

    name: str
    created_at: UtcDateTime
    expires_at: UtcDateTime
    last_used_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class ExportOut(Out):
    """Everything stored about a person, each resource in the shape the API gives it."""

    format: str = Field(examples=["relief-coach-export/1"])
    exported_at: UtcDateTime
    profile: UserOut
    api_tokens: list[ApiTokenOut]
    episodes: list[EpisodeOut] = Field(description="Oldest first")
    follow_ups: list[FollowUpOut]
    routine_sessions: list[SessionOut]
    routines: list[RoutineOut] = Field(description="The routines this person made")
    reminders: list[ReminderOut]
    notifications: list[NotificationOut] = Field(description="The inbox")
    push_devices: list[SubscriptionOut]
    calendar_feed: CalendarFeedOut | None = Field(description="Whether the private calendar link exists")
