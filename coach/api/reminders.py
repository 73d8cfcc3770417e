"""Reminders, web push subscriptions and the in-app inbox."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, request
from flask_login import current_user

from ..auth import limits
from ..errors import ApiError
from ..extensions import api_spec
from ..reminders.devices import (
    list_subscriptions,
    remove_subscription,
    send_test,
    upsert_subscription,
)
from ..reminders.inbox import list_notifications, mark_all_read, mark_read, unread_count
from ..reminders.push import endpoint_policy, sender_for
from ..reminders.schemas import ReminderOut, SubscriptionOut, TestPushOut
from ..reminders.service import (
    create_reminder,
    delete_reminder,
    get_reminder,
    list_reminders,
    update_reminder,
)
from . import bp
from .auth import delete_body, login_required
from .idempotency import idempotency_key
from .schemas import AUTH, responses
from .schemas_reminders import (
    EndpointIn,
    InboxQuery,
    NotificationList,
    PageQuery,
    PublicKeyOut,
    ReminderIn,
    ReminderList,
    ReminderPatch,
    SubscriptionIn,
    SubscriptionList,
)

TAG_REMINDERS, TAG_PUSH, TAG_INBOX = "Reminders", "Web push", "Inbox"


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


# ---------------------------------------------------------------- reminders
@bp.post("/reminders")
@login_required
@api_spec.validate(json=ReminderIn, resp=responses(201, ReminderOut, replay=True), tags=[TAG_REMINDERS], security=AUTH)
def create_reminder_view(json: ReminderIn):
    """Create a reminder; the answer carries its `next_fire_at`. A replay (Idempotency-Key) answers 200."""
    values = json.model_dump(exclude_unset=True, exclude={"client_id"})
    reminder, created = create_reminder(_me(), values, _now(), client_id=idempotency_key(json.client_id))
    return ReminderOut.model_validate(reminder), 201 if created else 200


@bp.get("/reminders")
@login_required
@api_spec.validate(query=PageQuery, resp=responses(200, ReminderList), tags=[TAG_REMINDERS], security=AUTH)
def index_reminders(query: PageQuery):
    """The caller's reminders, newest first (follow-up check-ins included)."""
    items, cursor = list_reminders(_me(), limit=query.limit, cursor=query.cursor)
    return ReminderList.model_validate({"items": items, "next_cursor": cursor})


@bp.get("/reminders/<int:reminder_id>")
@login_required
@api_spec.validate(resp=responses(200, ReminderOut), tags=[TAG_REMINDERS], security=AUTH)
def show_reminder(reminder_id: int):
    return ReminderOut.model_validate(get_reminder(_me(), reminder_id))


@bp.patch("/reminders/<int:reminder_id>")
@login_required
@api_spec.validate(json=ReminderPatch, resp=responses(200, ReminderOut), tags=[TAG_REMINDERS], security=AUTH)
def patch_reminder(reminder_id: int, json: ReminderPatch):
    """Change any field (fields left out stay); `enabled: false` pauses, `true` resumes from now."""
    values = json.model_dump(exclude_unset=True)
    return ReminderOut.model_validate(update_reminder(_me(), reminder_id, values, _now()))


@bp.delete("/reminders/<int:reminder_id>")
@login_required
@api_spec.validate(resp=responses(204), tags=[TAG_REMINDERS], security=AUTH)
def remove_reminder(reminder_id: int):
    delete_reminder(_me(), reminder_id)
    return "", 204


# ---------------------------------------------------------------- web push
def _not_configured() -> ApiError:
    return ApiError(404, "push_not_configured", "Web push is not set up on this server (flask vapid init).")


@bp.get("/push/public-key")
@api_spec.validate(resp=responses(200, PublicKeyOut), tags=[TAG_PUSH])
def push_public_key():
    """The VAPID public key for `pushManager.subscribe({userVisibleOnly: true, applicationServerKey})`;
    null when web push is not set up on this server (reminders then reach the inbox only)."""
    sender = sender_for(current_app)
    return PublicKeyOut(public_key=sender.keys.public_key if sender else None)


@bp.get("/push/subscriptions")
@login_required
@api_spec.validate(resp=responses(200, SubscriptionList), tags=[TAG_PUSH], security=AUTH)
def index_subscriptions():
    """The caller's devices that get pushes."""
    return SubscriptionList.model_validate({"items": list_subscriptions(_me())})


@bp.post("/push/subscriptions")
@login_required
@api_spec.validate(json=SubscriptionIn, resp=responses(201, SubscriptionOut, replay=True), tags=[TAG_PUSH], security=AUTH)
def create_subscription(json: SubscriptionIn):
    """Store this browser's PushSubscription (its toJSON()); the same endpoint again updates it (200)."""
    sub, created = upsert_subscription(
        _me(), json.endpoint, json.keys.p256dh, json.keys.auth, _now(), endpoint_policy(current_app),
        user_agent=request.headers.get("User-Agent"),
    )
    return SubscriptionOut.model_validate(sub), 201 if created else 200


@bp.delete("/push/subscriptions")
@login_required
@api_spec.validate(json=EndpointIn, resp=responses(204), tags=[TAG_PUSH], security=AUTH)
def delete_subscription(json: EndpointIn):
    """Stop pushes to this endpoint (404 when it is not one of the caller's)."""
    json = delete_body(EndpointIn, json)
    remove_subscription(_me(), json.endpoint)
    return "", 204


@bp.post("/push/test")
@limits.push_test_limit
@login_required
@api_spec.validate(json=EndpointIn, resp=responses(200, TestPushOut), tags=[TAG_PUSH], security=AUTH)
def test_push(json: EndpointIn):
    """Send a test notification to one of the caller's devices now, and say what the push service answered.

    At most 5 a minute and 30 an hour per account: more answer 429 with `Retry-After` (seconds)."""
    sender = sender_for(current_app)
    if sender is None:
        raise _not_configured()
    return TestPushOut.model_validate(send_test(_me(), json.endpoint, sender, _now()))


# ---------------------------------------------------------------- inbox
@bp.get("/notifications")
@login_required
@api_spec.validate(query=InboxQuery, resp=responses(200, NotificationList), tags=[TAG_INBOX], security=AUTH)
def index_notifications(query: InboxQuery):
    """The in-app inbox, newest first: every reminder lands here whether or not a push went out."""
    items, cursor = list_notifications(_me(), limit=query.limit, cursor=query.cursor, unread=query.unread)
    return NotificationList.model_validate({"items": items, "next_cursor": cursor, "unread_count": unread_count(_me())})


@bp.post("/notifications/<int:notification_id>/read")
@login_required
@api_spec.validate(resp=responses(204), tags=[TAG_INBOX], security=AUTH)
def read_notification(notification_id: int):
    mark_read(_me(), notification_id, _now())
    return "", 204


@bp.post("/notifications/read")
@login_required
@api_spec.validate(resp=responses(204), tags=[TAG_INBOX], security=AUTH)
def read_all_notifications():
    """Mark every notification read."""
    mark_all_read(_me(), _now())
    return "", 204
