"""Reminders on a phone: create one and see its next time in my zone, turn notifications on (stubbed
PushManager.subscribe), a push delivered to the real service worker shows its notification, axe-clean pages."""
from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlalchemy import select

from coach.domain.schedule import Daily, next_fire_time
from coach.extensions import db
from coach.formats import when
from coach.models import Notification, PushSubscription, Reminder, Routine, User
from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import PASSWORD
from tests.reminder_helpers import Clock, FakeSender, dispatcher, push_config

P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH_SECRET = "tBHItJI5svbpez7KI4CCXg"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/e2e-phone"

# PushManager.subscribe cannot reach a real push service here: answer as a browser would, and remember
# what the page asked for.
STUB_SUBSCRIBE = """
(() => {
  if (!('PushManager' in window)) return;
  let current = null;
  const subscription = {
    endpoint: __ENDPOINT__, expirationTime: null, options: null,
    toJSON() { return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: __P256DH__, auth: __AUTH__ } }; },
    unsubscribe: async () => { current = null; return true; },
  };
  PushManager.prototype.subscribe = async function (options) {
    window.__subscribeOptions = { userVisibleOnly: options.userVisibleOnly, keyBytes: options.applicationServerKey.byteLength };
    current = subscription;
    return subscription;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})();
""".replace("__ENDPOINT__", json.dumps(ENDPOINT)).replace("__P256DH__", json.dumps(P256DH)).replace(
    "__AUTH__", json.dumps(AUTH_SECRET))


def register(page, email: str, timezone: str):
    page.goto("/register")
    page.get_by_label("Your name").fill("Phone User")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Time zone").fill(timezone)
    page.get_by_label("Country").select_option("IN")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/$"))


def _user(app, email: str) -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_create_a_daily_reminder_and_see_its_next_time_in_my_zone(page, live_server):
    register(page, "daily@example.com", "Asia/Kolkata")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reminders").click()
    page.wait_for_url(re.compile(r"/reminders$"))
    page.get_by_role("link", name=re.compile("My own")).click()
    page.get_by_label("Title").fill("Stretch break")
    assert page.get_by_label("Every", exact=True).is_hidden()  # only the chosen kind of schedule is shown
    page.get_by_label("Time", exact=True).fill("07:30")
    page.get_by_role("button", name="Save reminder").click()
    page.wait_for_url(re.compile(r"/reminders#reminder-\d+$"))

    now = datetime.now(UTC)
    expected = when(next_fire_time(Daily((datetime(2000, 1, 1, 7, 30).time(),)), now, "Asia/Kolkata"),
                    "Asia/Kolkata", now)
    item = page.locator("li.reminder", has_text="Stretch break")
    assert item.locator("[data-next]").inner_text().strip() == f"Next: {expected}"
    assert "07:30" in expected
    assert item.get_by_role("switch").get_attribute("aria-checked") == "true"
    item.get_by_role("switch").click()
    page.wait_for_url(re.compile(r"/reminders#reminder-\d+$"))
    assert page.locator("li.reminder", has_text="Stretch break").locator("[data-next]").inner_text().strip() == "Off"
    assert page.js_errors == []


def test_turning_notifications_on_posts_the_subscription(page, live_server):
    live_server.app.config.update(push_config())
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script(STUB_SUBSCRIBE)
    register(page, "push@example.com", "Europe/Berlin")
    page.goto("/reminders")
    status = page.locator("[data-push-status]")
    page.locator('[data-push-status][data-push-state="off"]').wait_for()
    assert status.inner_text() == "Off on this phone."
    # Off: only the way to turn it on shows; the test and off buttons come once it is on.
    expect(page.get_by_role("button", name="Send me a test")).to_be_hidden()
    expect(page.get_by_role("button", name="Turn off on this phone")).to_be_hidden()
    with page.expect_request(lambda r: r.url.endswith("/api/v1/push/subscriptions") and r.method == "POST") as sent:
        page.get_by_role("button", name="Turn on notifications").click()
    assert json.loads(sent.value.post_data) == {"endpoint": ENDPOINT, "keys": {"p256dh": P256DH, "auth": AUTH_SECRET}}
    page.locator('[data-push-status][data-push-state="subscribed"]').wait_for()
    assert page.evaluate("window.__subscribeOptions") == {"userVisibleOnly": True, "keyBytes": 65}
    assert page.get_by_role("button", name="Send me a test").is_visible()
    expect(page.get_by_role("button", name="Turn on notifications")).to_be_hidden()
    user = _user(live_server.app, "push@example.com")
    with live_server.app.app_context():
        assert db.session.scalar(select(PushSubscription.endpoint).where(PushSubscription.user_id == user.id)) == ENDPOINT
    assert page.js_errors == []


def test_a_push_to_the_real_service_worker_shows_the_notification(persistent_context, live_server, seeded_server):
    app = live_server.app
    persistent_context.grant_permissions(["notifications"], origin=live_server.url)
    page = persistent_context.new_page()
    register(page, "sw@example.com", "Europe/Berlin")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    # The dispatcher makes the payload exactly as it would for this person's reminder.
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "sw@example.com"))
        routine = db.session.scalar(select(Routine).where(Routine.slug == "floor-mobility"))
        reminder = Reminder(user_id=user.id, kind="routine", routine=routine, title="Floor mobility",
                            body="Time for Floor mobility.", enabled=True, next_fire_at=datetime(2026, 11, 23, 6, 30, tzinfo=UTC),
                            schedule={"type": "daily", "times": ["07:30"]})
        db.session.add(reminder)
        db.session.add(PushSubscription(user_id=user.id, endpoint=ENDPOINT, p256dh=P256DH, auth=AUTH_SECRET))
        db.session.commit()
        sender = FakeSender()
        dispatcher(sender, Clock(datetime(2026, 11, 23, 6, 30, 1, tzinfo=UTC))).tick()
        [call] = sender.calls
        tag = f"r{reminder.id}-202611230630"

    session = persistent_context.new_cdp_session(page)
    registrations = []
    session.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    session.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    [registration] = [r for r in registrations if r["scopeURL"].startswith(live_server.url) and not r["isDeleted"]][:1]
    session.send("ServiceWorker.deliverPushMessage", {
        "origin": live_server.url, "registrationId": registration["registrationId"], "data": call["payload"].decode()})
    shown, deadline = [], time.monotonic() + 10
    while not shown and time.monotonic() < deadline:  # showNotification runs in the worker, a moment later
        page.wait_for_timeout(50)
        shown = page.evaluate("""navigator.serviceWorker.ready.then(r => r.getNotifications()).then(list =>
            list.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url})))""")
    assert shown == [{"title": "Floor mobility", "body": "Time for Floor mobility.", "tag": tag,
                      "url": f"{live_server.url}/routines/floor-mobility/play"}]


def test_reminder_pages_have_no_accessibility_violations(page, live_server):
    register(page, "axe-reminders@example.com", "Europe/London")
    user = _user(live_server.app, "axe-reminders@example.com")
    page.goto("/reminders/new?preset=posture")
    page.get_by_role("button", name="Save reminder").click()
    page.wait_for_url(re.compile(r"/reminders#reminder-\d+$"))
    with live_server.app.app_context():
        db.session.add(Notification(user_id=user.id, kind="posture", title="Posture check", body="Stand tall.",
                                    url="/tips?category=posture", tag="t1", fire_at=datetime.now(UTC)))
        db.session.commit()
    for path in ("/reminders", "/reminders/inbox", "/reminders/new", "/reminders/new?preset=routine",
                 "/reminders/calendar"):
        page.goto(path)
        assert_no_axe_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.goto("/reminders/new?preset=custom")
    page.get_by_label("Time", exact=True).fill("")
    page.get_by_role("button", name="Save reminder").click()
    assert_no_axe_violations(page)  # the form with its errors
    page.goto("/reminders/calendar")
    page.get_by_role("button", name="Make my calendar link").click()
    assert_no_axe_violations(page)
