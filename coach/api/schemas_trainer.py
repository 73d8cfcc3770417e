"""API requests and lists for the trainer feature (invites, links); the resource shapes are in
coach/trainer/schemas.py."""
from __future__ import annotations

from pydantic import BaseModel, Field, StrictBool

from ..domain import limits
from ..trainer.schemas import InviteOut, LinkOut
from .schemas import Strict, Text


class InviteIn(Strict):
    note: Text | None = Field(None, max_length=limits.INVITE_NOTE, examples=["Tuesday group"],
                                   description="The trainer's own label for the invite; the client never sees it")


class InviteList(BaseModel):
    items: list[InviteOut] = Field(description="Open invites first (newest first), then the latest "
                                   f"{limits.PAGE_SIZE} used, expired or revoked ones")


class LinkIn(Strict):
    code: Text = Field(min_length=1, max_length=limits.INVITE_CODE * 8, examples=["ACEF-HJKM"],
                            description="The invite code as typed: case, spaces and dashes do not matter")


class LinkPatch(Strict):
    share_episodes: StrictBool = Field(description="true: this trainer also sees your episodes, check-ins, "
                                       "assessment and doctor report; false: only sessions from what they assign")


class LinkList(BaseModel):
    items: list[LinkOut]
