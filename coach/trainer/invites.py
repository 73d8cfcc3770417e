"""A trainer's invite codes: make one (with an optional label), list them, revoke one; the link and QR code a
client opens. Accepting a code is the client's side (links.py)."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime

import segno
from flask import url_for
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import access
from ..access import Action, Scope
from ..domain import invites as codes
from ..domain import limits
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..formats import number
from ..models import Invite, User, now_utc

DRAWS = 5  # a clash of two random codes is about 1 in 2.6e10: five draws in a row never all clash


def invite_state(invite: Invite, now: datetime) -> str:
    """open (usable now), used, revoked or expired: the one word the pages and the API show."""
    if invite.used_at is not None:
        return "used"
    if invite.revoked_at is not None:
        return "revoked"
    return "open" if invite.expires_at > now else "expired"


def _open(now: datetime):
    return Invite.used_at.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > now


def _note(note) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise ValidationError({"note": "must be text"})
    note = " ".join(note.split())
    if len(note) > limits.INVITE_NOTE:
        raise ValidationError({"note": limits.too_long(len(note), limits.INVITE_NOTE, number)})
    return note or None


def create_invite(actor: User, note=None, now: datetime | None = None, *,
                  choice: Callable[[str], str] = secrets.choice) -> Invite:
    """A new single-use code for this trainer, usable for limits.INVITE_DAYS days. At most limits.INVITES_OPEN
    open at once (409 beyond). A drawn code that already exists is drawn again (the unique index decides)."""
    access.require_role(actor, "trainer")
    now = now or now_utc()
    note = _note(note)
    held = db.session.scalar(select(func.count()).select_from(Invite).where(
        access.rows(actor, Invite, Scope.COACHING), *_open(now)))
    if held >= limits.INVITES_OPEN:
        raise Conflict(f"You have {number(held)} open invites, the most at once. Revoke ones you no longer need.")
    for _ in range(DRAWS):
        invite = Invite(trainer_id=actor.id, code=codes.new_code(choice), note=note, created_at=now,
                        expires_at=codes.expires(now))
        try:
            with db.session.begin_nested():
                db.session.add(invite)
        except IntegrityError:
            continue  # that code exists (anyone's): draw another
        db.session.commit()
        return invite
    db.session.rollback()
    raise Conflict("Could not make a new code just now. Try again.")


def list_invites(actor: User, now: datetime | None = None) -> list[Invite]:
    """The trainer's open invites (newest first), then the latest limits.PAGE_SIZE used, expired or revoked."""
    access.require_role(actor, "trainer")
    now = now or now_utc()
    mine = access.rows(actor, Invite, Scope.COACHING)
    newest = (Invite.created_at.desc(), Invite.id.desc())
    open_ = db.session.scalars(select(Invite).where(mine, *_open(now)).order_by(*newest)).all()
    closed = db.session.scalars(select(Invite).where(
        mine, Invite.used_at.is_not(None) | Invite.revoked_at.is_not(None) | (Invite.expires_at <= now),
    ).order_by(*newest).limit(limits.PAGE_SIZE)).all()
    return [*open_, *closed]


def get_invite(actor: User, invite_id, action: Action = Action.READ) -> Invite:
    """One of the trainer's invites; NotFound (404) for anyone else's or none."""
    access.require_role(actor, "trainer")
    return access.get(actor, Invite, invite_id, Scope.COACHING, action)


def revoke_invite(actor: User, invite_id, now: datetime | None = None) -> Invite:
    """The code stops working at once. Revoking it again changes nothing; a used code is 409 (the client it
    linked is ended from the client list instead)."""
    invite = get_invite(actor, invite_id, Action.CHANGE)
    if invite.used_at is not None:
        raise Conflict("That code was already used: end the link from your client list instead.")
    if invite.revoked_at is None:
        invite.revoked_at = now or now_utc()
        db.session.commit()
    return invite


def invite_url(code: str) -> str:
    """The absolute link a client opens (what the QR code holds)."""
    return url_for("trainer.join", code=code, _external=True)


_SVG_OPEN = re.compile(r"^<svg ")


def qr_svg(url: str, label: str = "QR code of the invite link") -> Markup:
    """The link as a QR code, an inline SVG that scales to its box (CSS sets the width). Dark modules on a
    white box with the quiet zone round them, in dark mode too: phone cameras read that reliably, an inverted
    code not always. role=img and a label say what it is; the code and link are beside it in text."""
    svg = segno.make(url, error="m").svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff",
                                                svgclass="qr", lineclass=None)
    attrs = f'<svg role="img" aria-label="{Markup.escape(label)}" '
    return Markup(_SVG_OPEN.sub(attrs, svg, count=1))
