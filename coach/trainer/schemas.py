"""The shapes of the trainer feature's resources, as the API answers and the export holds them: an invite (the
trainer's), and a link as the client sees it (their trainer, whether they share, since when).

Other parts of the trainer feature may add their own *Out models here."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, computed_field

from ..models import Invite
from ..output import Out, UtcDateTime
from .invites import invite_state, invite_url

InviteState = Literal["open", "used", "expired", "revoked"]


class InviteOut(Out):
    id: int
    code: str = Field(description="8 characters without look-alikes; shown to people as two groups of four")
    note: str | None = Field(description="The trainer's own label for it")
    created_at: UtcDateTime
    expires_at: UtcDateTime
    used_at: UtcDateTime | None
    revoked_at: UtcDateTime | None
    state: InviteState = Field(description="open (usable), used, expired or revoked")

    @computed_field(description="The link a client opens to accept it (also what the QR code holds)")  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return invite_url(self.code)

    @classmethod
    def of(cls, invite: Invite, now: datetime) -> InviteOut:
        """The invite with its state at `now`."""
        return cls.model_validate({**{k: getattr(invite, k) for k in (
            "id", "code", "note", "created_at", "expires_at", "used_at", "revoked_at")},
            "state": invite_state(invite, now)})


class TrainerRef(Out):
    """Who a client is linked with: the trainer's id and the name they chose, nothing else."""

    id: int
    display_name: str


class LinkOut(Out):
    """One of a client's links, as the client sees it. The trainer's private note is never here."""

    trainer: TrainerRef
    share_episodes: bool = Field(description="Whether this trainer sees the client's episodes, check-ins, "
                                 "assessment and doctor report (off until the client turns it on)")
    share_changed_at: UtcDateTime | None
    linked_at: UtcDateTime

