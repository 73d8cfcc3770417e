"""A client's trainers: accept an invite code, list the links, share or stop sharing, end a link.
Athlete accounts only: a trainer gets 403, signed out 401. A trainer id that is not an active link is 404."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_login import current_user

from ..extensions import api_spec
from ..trainer import limits
from ..trainer.links import accept_invite, end_link, list_links, set_sharing
from ..trainer.schemas import LinkOut
from . import bp
from .auth import login_required
from .schemas import AUTH, responses
from .schemas_trainer import LinkIn, LinkList, LinkPatch

TAG = "Links (my trainers)"


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


@bp.post("/links")
@limits.code_address_limit
@limits.code_user_limit
@login_required
@api_spec.validate(json=LinkIn, resp=responses(201, LinkOut, replay=True), tags=[TAG], security=AUTH)
def accept_link(json: LinkIn):
    """Accept a trainer's invite code: linked, with sharing off. A code that is unknown, used, expired or revoked
    is one 400 ("This code is not valid: ask your trainer for a new one"), whichever it is. A code from a trainer
    already linked answers 200 with the link unchanged (the code stays unused). Failed tries are rate-limited
    per account and per address (429)."""
    accepted = accept_invite(_me(), json.code, _now())
    return LinkOut.model_validate(accepted.link), 201 if accepted.created else 200


@bp.get("/links")
@login_required
@api_spec.validate(resp=responses(200, LinkList), tags=[TAG], security=AUTH)
def index_links():
    """The caller's trainers (active links), newest first."""
    return LinkList(items=[LinkOut.model_validate(link) for link in list_links(_me())])


@bp.patch("/links/<int:trainer_id>")
@login_required
@api_spec.validate(json=LinkPatch, resp=responses(200, LinkOut), tags=[TAG], security=AUTH)
def patch_link(trainer_id: int, json: LinkPatch):
    """Share (or stop sharing) episodes, check-ins, assessment and the doctor report with this trainer."""
    return LinkOut.model_validate(set_sharing(_me(), trainer_id, json.share_episodes, _now()))


@bp.delete("/links/<int:trainer_id>")
@login_required
@api_spec.validate(resp=responses(204), tags=[TAG], security=AUTH)
def delete_link(trainer_id: int):
    """End the link: the trainer loses access at once and that trainer's assignments stop. Your sessions stay."""
    end_link(_me(), trainer_id=trainer_id, now=_now())
    return "", 204
