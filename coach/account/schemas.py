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


class RoutineVersionOut(Out):
    """A published version of a routine this person made (what their clients play)."""

    routine_id: int
    version: int
    title: str
    kind: str
    summary: str
    steps: list[dict]
    published_at: UtcDateTime


class InviteExportOut(Out):
    """An invite this trainer made (who used it is not part of it: their link says so, by id)."""

    id: int
    code: str
    note: str | None
    created_at: UtcDateTime
    expires_at: UtcDateTime
    used_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class ClientLinkExportOut(Out):
    """A trainer's link to a client, the client by id only, with the trainer's own private note."""

    client_id: int
    linked_at: UtcDateTime
    ended_at: UtcDateTime | None
    ended_by: str | None
    note: str | None
    note_updated_at: UtcDateTime | None


class PauseExportOut(Out):
    started_at: UtcDateTime
    ended_at: UtcDateTime | None
    by: str


class AssignmentExportOut(Out):
    """An assignment this trainer made, the client by id only."""

    id: int
    client_id: int
    routine_id: int
    routine_version: int
    schedule: dict
    note: str | None
    paused: bool
    created_at: UtcDateTime
    ended_at: UtcDateTime | None
    pauses: list[PauseExportOut]


class TrainerLinkExportOut(Out):
    """A client's link to a trainer (the trainer by id) and what the client chose to share."""

    trainer_id: int
    linked_at: UtcDateTime
    ended_at: UtcDateTime | None
    ended_by: str | None
    share_episodes: bool
    share_changed_at: UtcDateTime | None


class AssignedExportOut(Out):
    """A routine assigned to this person, as they see it (the trainer by id)."""

    id: int
    trainer_id: int
    routine_id: int
    routine_version: int
    schedule: dict
    note: str | None
    paused: bool
    created_at: UtcDateTime


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
    routine_versions: list[RoutineVersionOut] = Field(description="Published versions of the routines this person made")
    invites: list[InviteExportOut] = Field(description="A trainer's invites")
    clients: list[ClientLinkExportOut] = Field(description="A trainer's links to clients (by id) with private notes")
    assignments: list[AssignmentExportOut] = Field(description="What a trainer assigned (clients by id)")
    trainers: list[TrainerLinkExportOut] = Field(description="This person's links to trainers (by id) and sharing")
    assigned: list[AssignedExportOut] = Field(description="What trainers assign this person now")
