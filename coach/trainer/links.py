"""Links between a trainer and a client, from the client's side (accept a code, list, share, end) and the end of
a link from either side.

Accepting a code that is already linked to this trainer is a friendly no-op: the answer is the link as it is
(`created` False: the API says 200, the page says "already linked"), and the code stays unused for someone
else. A link the client (or the trainer) ended earlier is re-opened, the same row, with sharing off again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import access
from ..access import Scope
from ..domain import limits
from ..domain.invites import normalise
from ..episodes.service import tell_trainers
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..models import Assignment, AssignmentPause, Invite, Reminder, TrainerLink, User, now_utc

NOT_VALID = "This code is not valid: ask your trainer for a new one."
FOR_CLIENTS = ("Invite codes are for clients. This is a trainer account: your client accepts the code "
               "on their own phone, signed in to their account.")
FULL = "This trainer cannot take more clients right now: ask them about it."


def _client(actor: User | None) -> None:
    """A client's action: signed out is 401, a trainer is 403 with words that say why."""
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.role == "trainer":
        raise Forbidden(FOR_CLIENTS)
    access.require_role(actor, "athlete")


def _invalid() -> ValidationError:
    # One message for unknown, used, expired and revoked: the answer never says which.
    return ValidationError({"code": NOT_VALID}, NOT_VALID)


def usable_invite(actor: User, typed, now: datetime) -> Invite:
    """The invite this typed code names, if it can be accepted now; the one "not valid" error otherwise."""
    _client(actor)
    code = normalise(typed)
    invite = db.session.scalar(select(Invite).where(Invite.code == code)) if code else None
    if invite is None or not invite.usable(now):
        raise _invalid()
    return invite


def trainer_of(invite: Invite) -> User:
    return db.session.get(User, invite.trainer_id)


@dataclass(frozen=True)
class Accepted:
    link: TrainerLink
    created: bool  # False: already linked to this trainer, nothing changed


def _link_with(actor: User, trainer_id) -> TrainerLink | None:
    """The actor's link (as client) to this trainer, active or ended."""
    return db.session.scalar(select(TrainerLink).where(access.client_links(actor), TrainerLink.trainer_id == trainer_id))


def accept_invite(actor: User, code, now: datetime | None = None) -> Accepted:
    """Link the client to the code's trainer, with sharing off. The code is used once: two clients sending it at
    the same moment meet at one conditional UPDATE, and only one of them gets the link."""
    now = now or now_utc()
    invite = usable_invite(actor, code, now)
    link = _link_with(actor, invite.trainer_id)
    if link is not None and link.active:
        return Accepted(link, False)
    clients = db.session.scalar(select(func.count()).select_from(TrainerLink).where(
        TrainerLink.trainer_id == invite.trainer_id, TrainerLink.ended_at.is_(None)))
    if clients >= limits.CLIENTS_PER_TRAINER:
        raise ValidationError({"code": FULL}, FULL)
    taken = db.session.execute(
        update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None),
                             Invite.expires_at > now)
        .values(used_at=now, used_by_id=actor.id).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        db.session.rollback()
        return _linked_meanwhile(actor, invite.trainer_id, invite.id)  # a double tap: the first one linked
    if link is None:
        link = TrainerLink(trainer_id=invite.trainer_id, client_id=actor.id)
        db.session.add(link)
    link.linked_at, link.ended_at, link.ended_by = now, None, None
    link.share_episodes, link.share_changed_at, link.notified_level = False, None, None
    try:
        db.session.commit()
    except IntegrityError:  # two codes of one trainer at once: the other request made the link (its code is used)
        db.session.rollback()
        return _linked_meanwhile(actor, invite.trainer_id)
    return Accepted(link, True)


def _linked_meanwhile(actor: User, trainer_id: int, invite_id: int | None = None) -> Accepted:
    """The same client's other request, at the same moment, linked them to this trainer: that is an answer, not
    an error (nothing changed; not a failed try). Otherwise the code was taken by someone else or ran out."""
    link = _link_with(actor, trainer_id)
    used_by_me = invite_id is None or db.session.scalar(select(Invite.used_by_id).where(Invite.id == invite_id)) == actor.id
    if link is not None and link.active and used_by_me:
        return Accepted(link, False)
    raise _invalid()


def list_links(actor: User) -> list[TrainerLink]:
    """The client's active links, newest first, each with its trainer loaded."""
    _client(actor)
    return list(db.session.scalars(
        select(TrainerLink).options(joinedload(TrainerLink.trainer))
        .where(access.client_links(actor), TrainerLink.ended_at.is_(None))
        .order_by(TrainerLink.linked_at.desc(), TrainerLink.id.desc())))


def client_link(actor: User, trainer_id) -> TrainerLink:
    """The client's active link to this trainer; NotFound (404) otherwise, whoever the trainer is."""
    _client(actor)
    link = _link_with(actor, trainer_id) if isinstance(trainer_id, int) else None
    if link is None or not link.active:
        raise NotFound()
    return link


def set_sharing(actor: User, trainer_id, share: bool, now: datetime | None = None) -> TrainerLink:
    """Turn sharing of episodes, check-ins, assessment and report with this trainer on or off. Off also forgets
    which level the trainer was last told of, so turning it on later never picks up an old announcement."""
    if not isinstance(share, bool):
        raise ValidationError({"share_episodes": "must be true or false"})
    now = now or now_utc()
    link = client_link(actor, trainer_id)
    turned_on = share and not link.share_episodes
    if link.share_episodes != share:
        link.share_episodes, link.share_changed_at = share, now
    if not share:
        link.notified_level = None
    db.session.commit()
    if turned_on:  # already urgent or emergency when sharing starts: this trainer hears it once, now
        tell_trainers(actor, now)
    return link


def end_link(actor: User, *, trainer_id=None, client_id=None, now: datetime | None = None) -> TrainerLink:
    """End an active link: the client names the trainer, the trainer names the client (exactly one of the two).
    The trainer loses access at once; that pair's running assignments end (open pauses closed) and their
    reminders go, in the same transaction. The client's sessions stay theirs. NotFound (404) for a link that is
    not the actor's or not active."""
    if (trainer_id is None) == (client_id is None):
        raise TypeError("end_link takes trainer_id (the client ends it) or client_id (the trainer ends it)")
    now = now or now_utc()
    if trainer_id is not None:
        link, by = client_link(actor, trainer_id), "client"
    else:
        access.require_role(actor, "trainer")
        link = db.session.scalar(select(TrainerLink).where(
            access.rows(actor, TrainerLink, Scope.COACHING), TrainerLink.client_id == client_id,
            TrainerLink.ended_at.is_(None))) if isinstance(client_id, int) else None
        if link is None:
            raise NotFound()
        by = "trainer"
    if link.share_episodes:
        link.share_changed_at = now
    link.ended_at, link.ended_by = now, by
    link.share_episodes, link.notified_level = False, None
    db.session.flush()
    _end_assignments(link, now)
    db.session.commit()
    return link


def _end_assignments(link: TrainerLink, now: datetime) -> None:
    pair = select(Assignment.id).where(Assignment.trainer_id == link.trainer_id, Assignment.client_id == link.client_id)
    running = pair.where(Assignment.ended_at.is_(None))
    db.session.execute(update(AssignmentPause).where(
        AssignmentPause.assignment_id.in_(running), AssignmentPause.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False))
    db.session.execute(delete(Reminder).where(Reminder.assignment_id.in_(pair))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Assignment).where(
        Assignment.trainer_id == link.trainer_id, Assignment.client_id == link.client_id, Assignment.ended_at.is_(None))
                       .values(ended_at=now, updated_at=now).execution_options(synchronize_session=False))
