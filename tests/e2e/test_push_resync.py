"""This device's push subscription stays in sync with the server: every signed-in app load re-sends it when
it is new here or a day old (stubbed PushManager.getSubscription), never for a signed-out visitor; and the
service worker's pushsubscriptionchange handler subscribes again and tells the server."""
from __future__ import annotations

import json
import os
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from coach.extensions import db
from coach.models import PushSubscription, User
from coach.reminders.push import sender_for
from tests.factories import PASSWORD
from tests.pushfake import b64url, unb64url
from tests.reminder_helpers import push_config

SUBSCRIPTIONS = "/api/v1/push/subscriptions"

# What pushManager.getSubscription() answers in the page: window.__pushStub, set by the last init script
# (null: no subscription). A real one needs a push service, which is not reachable here.
STUB_GET_SUBSCRIPTION = """
(() => {
  if (!('PushManager' in window)) return;
  PushManager.prototype.getSubscription = async function () {
    const stub = window.__pushStub;
    if (!stub) return null;
    return {
      endpoint: stub.endpoint, expirationTime: null, options: null,
      toJSON() { return { endpoint: stub.endpoint, expirationTime: null, keys: stub.keys }; },
      unsubscribe: async () => { console.log('push stub: unsubscribed ' + stub.endpoint); return true; },
    };
  };
})();
"""


def device(origin: str, name: str) -> dict:
    """A browser's subscription as toJSON() gives it: an endpoint on 127.0.0.1 and real keys (the server
    checks p256dh is a P-256 point and auth is 16 bytes)."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": f"{origin}/push/{name}", "keys": {"p256dh": b64url(public), "auth": b64url(os.urandom(16))}}


def use_subscription(context_or_page, info: dict | None) -> None:
    context_or_page.add_init_script(f"window.__pushStub = {json.dumps(info)};")


def register(page, email: str) -> None:
    page.goto("/register")
    page.get_by_label("Your name").fill("Push User")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Country").select_option("DE")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/$"))


def resynced(page) -> str:
    """Waits for this page's load-time re-sync to finish; its outcome ('sent', 'current', 'none', 'failed')."""
    return page.evaluate("window.CoachPush.resynced")


def subscriptions(app, email: str) -> list[tuple[str, str, str]]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return [(s.endpoint, s.p256dh, s.auth) for s in db.session.scalars(
            select(PushSubscription).where(PushSubscription.user_id == user.id).order_by(PushSubscription.id))]


def posts_to_subscriptions(page) -> list:
    sent: list = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" and r.url.endswith(SUBSCRIPTIONS) else None)
    return sent


@pytest.fixture
def push_server(live_server):
    live_server.app.config.update(push_config())  # a VAPID key, and 127.0.0.1 endpoints allowed
    return live_server


def test_every_app_load_resyncs_a_new_or_day_old_subscription(page, push_server):
    app, origin = push_server.app, push_server.url
    page.context.grant_permissions(["notifications"], origin=origin)
    register(page, "resync@example.com")
    assert subscriptions(app, "resync@example.com") == []

    phone = device(origin, "rotated-1")
    page.add_init_script(STUB_GET_SUBSCRIPTION)
    use_subscription(page, phone)
    sent = posts_to_subscriptions(page)
    with page.expect_response(lambda r: r.url.endswith(SUBSCRIPTIONS) and r.request.method == "POST") as posted:
        page.goto("/")
    assert posted.value.status == 201
    assert json.loads(posted.value.request.post_data) == phone
    assert posted.value.request.headers["x-csrftoken"]
    assert resynced(page) == "sent"
    assert subscriptions(app, "resync@example.com") == [
        (phone["endpoint"], phone["keys"]["p256dh"], phone["keys"]["auth"])]

    # Within 24 hours, the same endpoint is not sent again, on this page or another one.
    for path in ("/", "/reminders", "/sos"):
        page.goto(path)
        assert resynced(page) == "current", path
    assert len(sent) == 1

    # A day later it is sent again (the server upserts: still one row).
    page.evaluate("""() => {
        const last = JSON.parse(localStorage.getItem('coach:push-synced'));
        localStorage.setItem('coach:push-synced', JSON.stringify({...last, at: Date.now() - 24 * 3600 * 1000 - 1}));
    }""")
    page.goto("/")
    assert resynced(page) == "sent"
    assert len(sent) == 2
    assert [row[0] for row in subscriptions(app, "resync@example.com")] == [phone["endpoint"]]

    # The browser rotated the subscription: the new endpoint goes at once.
    rotated = device(origin, "rotated-2")
    use_subscription(page, rotated)
    page.goto("/")
    assert resynced(page) == "sent"
    assert len(sent) == 3
    assert rotated["endpoint"] in [row[0] for row in subscriptions(app, "resync@example.com")]

    # What was synced for someone else on this browser does not count for this person.
    page.evaluate("""() => {
        const last = JSON.parse(localStorage.getItem('coach:push-synced'));
        localStorage.setItem('coach:push-synced', JSON.stringify({...last, user: 'someone-else'}));
    }""")
    page.goto("/")
    assert resynced(page) == "sent"
    assert len(sent) == 4
    assert page.js_errors == []


def test_resync_never_asks_for_permission_and_waits_for_it(page, push_server):
    # Permission not granted: nothing is sent and no prompt is shown (a prompt would auto-dismiss here, but the
    # permission would then read 'denied').
    register(page, "noperm@example.com")
    page.add_init_script(STUB_GET_SUBSCRIPTION)
    use_subscription(page, device(push_server.url, "noperm"))
    sent = posts_to_subscriptions(page)
    page.goto("/")
    assert resynced(page) == "none"
    assert page.evaluate("Notification.permission") == "default"
    assert sent == []
    assert subscriptions(push_server.app, "noperm@example.com") == []


def test_resync_survives_blocked_storage(page, push_server):
    page.context.grant_permissions(["notifications"], origin=push_server.url)
    register(page, "nostorage@example.com")
    page.add_init_script(STUB_GET_SUBSCRIPTION)
    # As in a browser that blocks site storage: reading localStorage throws.
    page.add_init_script("""Object.defineProperty(window, 'localStorage', {
        get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });""")
    phone = device(push_server.url, "nostorage")
    use_subscription(page, phone)
    sent = posts_to_subscriptions(page)
    for _ in range(2):  # nothing remembers the last sync, so every load sends it (the server upserts)
        page.goto("/")
        assert resynced(page) == "sent"
    assert len(sent) == 2
    assert [row[0] for row in subscriptions(push_server.app, "nostorage@example.com")] == [phone["endpoint"]]


def test_a_signed_out_load_posts_nothing(page, push_server):
    page.context.grant_permissions(["notifications"], origin=push_server.url)
    page.add_init_script(STUB_GET_SUBSCRIPTION)
    use_subscription(page, device(push_server.url, "signed-out"))
    sent = posts_to_subscriptions(page)

    def assert_signed_out_load(path):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.locator('script[src*="/static/js/push.js"]').count() == 0, path
        assert page.evaluate("window.CoachPush") is None, path

    for path in ("/", "/sos", "/login"):
        assert_signed_out_load(path)
    assert sent == []

    # Signed in, then out again on this browser: nothing more once signed out.
    register(page, "leaves@example.com")
    assert resynced(page) == "sent"
    page.goto("/me")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/login"))
    for path in ("/", "/sos"):
        assert_signed_out_load(path)
    assert len(sent) == 1
    assert page.js_errors == []


# ---------------------------------------------------------------- the service worker's handler
# Chromium fires pushsubscriptionchange only for a real subscription at a real push service (none is reachable
# here), and a synthetic event cannot call waitUntil (isTrusted is false). So these call the handler's body,
# renewSubscription(change), inside the real worker, with the worker's PushManager stubbed.
STUB_WORKER_PUSH = """(info) => {
  self.__subscribed = [];
  const asSubscription = (data) => ({
    endpoint: data.endpoint, expirationTime: null, options: null,
    toJSON() { return { endpoint: data.endpoint, expirationTime: null, keys: data.keys }; },
  });
  self.__asSubscription = asSubscription;
  PushManager.prototype.getSubscription = async () => null;
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey.buffer || options.applicationServerKey);
    self.__subscribed.push({ userVisibleOnly: options.userVisibleOnly, key: Array.from(key) });
    return asSubscription(info);
  };
}"""


def _worker(context, page):
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    workers = [w for w in context.service_workers if w.url.endswith("/sw.js")]
    return workers[0] if workers else context.wait_for_event("serviceworker")


def test_the_worker_subscribes_again_when_the_subscription_changes(persistent_context, push_server):
    app, origin = push_server.app, push_server.url
    persistent_context.grant_permissions(["notifications"], origin=origin)
    page = persistent_context.new_page()
    register(page, "worker@example.com")
    worker = _worker(persistent_context, page)
    with app.app_context():
        server_key = sender_for(app).keys.public_key

    # The browser dropped the subscription: subscribe with the old one's key, send the new one.
    dropped = device(origin, "after-drop")
    worker.evaluate(STUB_WORKER_PUSH, dropped)
    old_key = list(unb64url(server_key))
    assert worker.evaluate("""(key) => renewSubscription({
        oldSubscription: { options: { applicationServerKey: new Uint8Array(key).buffer } }, newSubscription: null })""",
                           old_key) is True
    assert worker.evaluate("self.__subscribed") == [{"userVisibleOnly": True, "key": old_key}]
    assert (dropped["endpoint"], dropped["keys"]["p256dh"], dropped["keys"]["auth"]) in subscriptions(app, "worker@example.com")

    # No old subscription to copy the key from: the server's public key is fetched.
    fresh = device(origin, "no-old")
    worker.evaluate(STUB_WORKER_PUSH, fresh)
    assert worker.evaluate("renewSubscription({ oldSubscription: null, newSubscription: null })") is True
    assert worker.evaluate("self.__subscribed") == [{"userVisibleOnly": True, "key": list(unb64url(server_key))}]
    assert fresh["endpoint"] in [row[0] for row in subscriptions(app, "worker@example.com")]

    # The browser already made the new one: it is sent as it is, nothing is subscribed.
    given = device(origin, "given")
    worker.evaluate(STUB_WORKER_PUSH, device(origin, "unused"))
    assert worker.evaluate("""(info) => renewSubscription({ oldSubscription: null,
        newSubscription: self.__asSubscription(info) })""", given) is True
    assert worker.evaluate("self.__subscribed") == []
    assert given["endpoint"] in [row[0] for row in subscriptions(app, "worker@example.com")]

    # Signed out (the session cookie is gone): nothing can be sent; the next signed-in load re-syncs instead.
    persistent_context.clear_cookies()
    lost = device(origin, "signed-out")
    worker.evaluate(STUB_WORKER_PUSH, lost)
    assert worker.evaluate("renewSubscription({ oldSubscription: null, newSubscription: null })") is False
    with app.app_context():
        assert db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == lost["endpoint"])) is None

    # And the handler is wired to the event.
    assert "addEventListener('pushsubscriptionchange'" in page.request.get("/sw.js").text()


def test_signing_out_unsubscribes_this_phone_here_and_on_the_server(page, push_server):
    """A shared phone: once someone signs out, their reminders stop coming to it."""
    app = push_server.app
    page.context.grant_permissions(["notifications"], origin=push_server.url)
    register(page, "shared@example.com")
    page.add_init_script(STUB_GET_SUBSCRIPTION)
    phone = device(push_server.url, "shared-phone")
    use_subscription(page, phone)
    page.goto("/")
    assert resynced(page) == "sent"
    assert [row[0] for row in subscriptions(app, "shared@example.com")] == [phone["endpoint"]]

    said: list[str] = []
    page.on("console", lambda message: said.append(message.text))
    with page.expect_response(lambda r: r.url.endswith(SUBSCRIPTIONS) and r.request.method == "DELETE") as deleted:
        page.goto("/me")
        page.get_by_role("button", name="Sign out", exact=True).click()
    assert deleted.value.status == 204
    assert json.loads(deleted.value.request.post_data) == {"endpoint": phone["endpoint"]}
    page.wait_for_url(re.compile(r"/login"))
    assert subscriptions(app, "shared@example.com") == []
    assert f"push stub: unsubscribed {phone['endpoint']}" in said
    assert page.js_errors == []
