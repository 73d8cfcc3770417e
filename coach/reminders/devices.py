"""This person's devices for web push: subscriptions upserted by endpoint, removal, and a test push."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import access
from ..access import Action, Scope
from ..domain import limits
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import PushSubscription, User
from .push import EndpointPolicy, PushResult, Sender, encode_payload, key_problems


def upsert_subscription(user: User, endpoint: str, p256dh: str, auth: str, now: datetime, policy: EndpointPolicy,
                        user_agent: str | None = None) -> tuple[PushSubscription, bool]:
    """Store the browser's subscription; the same endpoint again updates it (and moves it to this person:
    the browser is now used by this account)."""
    errors = {}
    problem = policy.problem(endpoint)
    if problem:
        errors["endpoint"] = problem
    errors.update(key_problems(p256dh, auth))
    if errors:
        raise ValidationError(errors)
    agent, user_id = (user_agent or "")[:limits.USER_AGENT] or None, user.id
    for _ in range(2):
        sub = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
        created = sub is None
        if created:
            sub = PushSubscription(endpoint=endpoint, created_at=now)
            db.session.add(sub)
        sub.user_id, sub.p256dh, sub.auth, sub.user_agent, sub.updated_at = user_id, p256dh, auth, agent, now
        try:
            db.session.flush()
            _trim(user)  # in the same commit: the device and the trim are one action
            db.session.commit()
        except IntegrityError:  # the same browser subscribed twice at once: update the other's row
            db.session.rollback()
            continue
        return sub, created
    raise ValidationError({"endpoint": "could not be saved; try again"})


def _trim(user: User) -> None:
    ids = list(db.session.scalars(select(PushSubscription.id)
                                  .where(access.rows(user, PushSubscription, Scope.CREDENTIALS, Action.CHANGE))
                                  .order_by(PushSubscription.updated_at.desc(), PushSubscription.id.desc())))
    if len(ids) > limits.DEVICES_PER_PERSON:  # the oldest go
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(ids[limits.DEVICES_PER_PERSON:])))


def remove_subscription(user: User, endpoint: str) -> None:
    """Unsubscribe a device; someone else's endpoint or an unknown one is NotFound (never says which)."""
    db.session.delete(_device(user, endpoint, Action.CHANGE))
    db.session.commit()


def list_subscriptions(user: User) -> list[PushSubscription]:
    return list(db.session.scalars(select(PushSubscription).where(access.rows(user, PushSubscription, Scope.CREDENTIALS))
                                   .order_by(PushSubscription.id)))


def _device(user: User, endpoint: str, action: Action) -> PushSubscription:
    """The subscription with this endpoint if the actor may `action` it; NotFound for anyone else's or none."""
    sub = db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == endpoint, access.rows(user, PushSubscription, Scope.CREDENTIALS, action)))
    if sub is None:
        raise NotFound("No such subscription.")
    return sub


def send_test(user: User, endpoint: str, sender: Sender, now: datetime) -> PushResult:
    """Push a test notification to one of this person's devices now; a gone device is forgotten. The API answers
    with what the push service said (schemas.TestPushOut)."""
    sub = _device(user, endpoint, Action.CHANGE)
    tag = f"t{user.id}-{now:%Y%m%d%H%M%S}"[:32]
    payload = encode_payload("Relief Coach", "Notifications work on this device.", "/reminders", tag)
    result = sender.send(sub.info(), payload, topic=tag, urgency="high", ttl=600)
    if result.outcome == "gone":
        db.session.delete(sub)
        db.session.commit()
    return result
