"""A trainer's invite codes: make one, list them, revoke one. Athletes get 403, signed out 401."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_login import current_user

from ..extensions import api_spec
from ..trainer.invites import create_invite, list_invites, revoke_invite
from ..trainer.schemas import InviteOut
from . import bp
from .auth import login_required
from .schemas import AUTH, responses
from .schemas_trainer import InviteIn, InviteList

TAG = "Trainer: invites"


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


@bp.post("/trainer/invites")
@login_required
@api_spec.validate(json=InviteIn, resp=responses(201, InviteOut), tags=[TAG], security=AUTH)
def create_invite_view(json: InviteIn):
    """A new single-use code (8 characters, no look-alikes) that expires in 7 days, with its link (`url`, also
    what a QR code should hold). 409 when 100 are open at once."""
    now = _now()
    invite = create_invite(_me(), json.note, now)
    return InviteOut.of(invite, now), 201


@bp.get("/trainer/invites")
@login_required
@api_spec.validate(resp=responses(200, InviteList), tags=[TAG], security=AUTH)
def index_invites():
    """Open invites first, then the latest used, expired and revoked ones, each with its `state`."""
    now = _now()
    return InviteList(items=[InviteOut.of(invite, now) for invite in list_invites(_me(), now)])


@bp.delete("/trainer/invites/<int:invite_id>")
@login_required
@api_spec.validate(resp=responses(204), tags=[TAG], security=AUTH)
def revoke_invite_view(invite_id: int):
    """Revoke an invite: its code stops working at once (again: no change). 409 for a used code."""
    revoke_invite(_me(), invite_id, _now())
    return "", 204
