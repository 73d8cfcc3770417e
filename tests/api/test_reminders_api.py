"""The reminders, push and inbox API: CRUD, validation, authorization, public key, subscriptions, inbox."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coach.domain.schedule import next_fire_time, parse_schedule
from tests.factories import Api
from tests.pushfake import FakePushService
from tests.reminder_helpers import push_config

DAILY = {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5]}
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH_SECRET = "tBHItJI5svbpez7KI4CCXg"


def _sub(endpoint="https://fcm.googleapis.com/fcm/send/device-1"):
    return {"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH_SECRET}}


def _create(api, token, **overrides):
    body = {"title": "Posture check", "kind": "posture", "schedule": DAILY, **overrides}
    return api.post("/api/v1/reminders", json=body, token=token)


def test_create_list_show_patch_delete(api):
    user, token = api.register(timezone="America/New_York")
    before = datetime.now(UTC)
    response = _create(api, token)
    assert response.status_code == 201
    reminder = response.get_json()
    expected = next_fire_time(parse_schedule(DAILY), before, "America/New_York")
    assert reminder["next_fire_at"] == expected.isoformat().replace("+00:00", "Z")
    local = expected.astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) == (7, 30) and local.isoweekday() <= 5
    assert reminder["schedule"] == DAILY and reminder["enabled"] is True and reminder["url"] == "/tips?category=posture"

    listed = api.get("/api/v1/reminders", token=token).get_json()
    assert [r["id"] for r in listed["items"]] == [reminder["id"]] and listed["next_cursor"] is None
    assert api.get(f"/api/v1/reminders/{reminder['id']}", token=token).get_json() == reminder

    paused = api.patch(f"/api/v1/reminders/{reminder['id']}", json={"enabled": False}, token=token).get_json()
    assert paused["enabled"] is False and paused["next_fire_at"] is None
    moved = api.patch(f"/api/v1/reminders/{reminder['id']}", token=token, json={
        "enabled": True, "schedule": {"type": "interval", "every_minutes": 120, "start": "09:00", "end": "17:00"}})
    body = moved.get_json()
    assert moved.status_code == 200 and body["next_fire_at"] and body["schedule"]["weekdays"] == [1, 2, 3, 4, 5, 6, 7]

    assert api.delete(f"/api/v1/reminders/{reminder['id']}", token=token).status_code == 204
    assert api.get(f"/api/v1/reminders/{reminder['id']}", token=token).status_code == 404


def test_pages_of_reminders_and_idempotent_create(api):
    _, token = api.register()
    key = str(uuid.uuid4())
    first = api.post("/api/v1/reminders", json={"title": "Water", "kind": "hydration", "schedule": DAILY},
                     token=token, headers={"Idempotency-Key": key})
    again = api.post("/api/v1/reminders", json={"title": "Water", "kind": "hydration", "schedule": DAILY},
                     token=token, headers={"Idempotency-Key": key})
    assert (first.status_code, again.status_code) == (201, 200) and first.get_json()["id"] == again.get_json()["id"]
    for n in range(3):
        _create(api, token, title=f"Check {n}")
    page = api.get("/api/v1/reminders?limit=2", token=token).get_json()
    rest = api.get(f"/api/v1/reminders?limit=2&cursor={page['next_cursor']}", token=token).get_json()
    assert [r["title"] for r in page["items"] + rest["items"]] == ["Check 2", "Check 1", "Check 0", "Water"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "nap"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"kind": "routine"}, "routine"),
        ({"kind": "routine", "routine": "no-such-routine"}, "routine"),
        ({"routine": "floor-mobility"}, "routine"),
        ({"schedule": {"type": "weekly"}}, "schedule.type"),
        ({"schedule": {"type": "daily", "times": ["7:30"]}}, "schedule.times"),
        ({"schedule": {"type": "daily", "times": ["07:30"], "weekdays": [0]}}, "schedule.weekdays"),
        ({"schedule": {"type": "interval", "every_minutes": 5, "start": "09:00", "end": "17:00"}}, "schedule.every_minutes"),
        ({"schedule": {"type": "interval", "every_minutes": 60, "start": "17:00", "end": "09:00"}}, "schedule.end"),
        ({"schedule": {"type": "once", "at": "2020-01-01T09:00:00Z"}}, "schedule.at"),
        ({"schedule": {"type": "once", "at": "2030-01-01T09:00:00"}}, "schedule.at"),
        ({"schedule": {"type": "daily", "times": ["07:30"], "colour": "red"}}, "schedule.colour"),
    ],
)
def test_invalid_reminders_name_the_field(api, overrides, field):
    _, token = api.register()
    response = _create(api, token, **overrides)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_patch_refuses_nulls_and_bad_values(api):
    _, token = api.register()
    reminder = _create(api, token).get_json()
    for patch, field in (({"title": None}, "title"), ({"schedule": None}, "schedule"), ({"kind": "nap"}, "kind")):
        response = api.patch(f"/api/v1/reminders/{reminder['id']}", json=patch, token=token)
        assert response.status_code == 400 and field in response.get_json()["error"]["fields"]


def test_other_peoples_reminders_subscriptions_and_notifications_are_not_found(app, api):
    _, alice = api.register()
    _, bob = api.register()
    reminder = _create(api, alice).get_json()
    for method, body in (("GET", None), ("PATCH", {"title": "Mine now"}), ("DELETE", None)):
        response = api.call(method, f"/api/v1/reminders/{reminder['id']}", json=body, token=bob)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert api.get(f"/api/v1/reminders/{reminder['id']}", token=alice).get_json()["title"] == "Posture check"

    assert api.post("/api/v1/push/subscriptions", json=_sub(), token=alice).status_code == 201
    assert api.delete("/api/v1/push/subscriptions", json={"endpoint": _sub()["endpoint"]}, token=bob).status_code == 404
    assert api.get("/api/v1/push/subscriptions", token=bob).get_json() == {"items": []}
    assert api.post("/api/v1/notifications/1/read", token=bob).status_code == 404
    assert api.get("/api/v1/reminders", token=None).status_code == 401


def test_public_key_when_push_is_not_set_up_and_when_it_is(app_factory, tmp_path):
    bare = app_factory()
    bare.instance_path = str(tmp_path)  # no vapid.json here
    assert bare.test_client().get("/api/v1/push/public-key").get_json() == {"public_key": None}
    _, token = Api(bare.test_client()).register()
    response = Api(bare.test_client()).post("/api/v1/push/test", json={"endpoint": "https://fcm.googleapis.com/x"},
                                            token=token)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "push_not_configured"
    configured = app_factory(**push_config())
    key = configured.test_client().get("/api/v1/push/public-key").get_json()["public_key"]
    assert len(key) == 87 and "=" not in key  # base64url of a 65-byte P-256 point


def test_subscriptions_are_upserted_by_endpoint(api):
    _, alice = api.register()
    _, bob = api.register()
    created = api.post("/api/v1/push/subscriptions", json={**_sub(), "expirationTime": None}, token=alice)
    assert created.status_code == 201 and created.get_json()["host"] == "fcm.googleapis.com"
    again = api.post("/api/v1/push/subscriptions", json=_sub(), token=alice)
    assert again.status_code == 200 and again.get_json()["id"] == created.get_json()["id"]
    # The same browser signed in to another account: the endpoint moves to that account.
    moved = api.post("/api/v1/push/subscriptions", json=_sub(), token=bob)
    assert moved.status_code == 200
    assert api.get("/api/v1/push/subscriptions", token=alice).get_json() == {"items": []}
    assert len(api.get("/api/v1/push/subscriptions", token=bob).get_json()["items"]) == 1
    assert api.delete("/api/v1/push/subscriptions", json={"endpoint": _sub()["endpoint"]}, token=bob).status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_sub("http://fcm.googleapis.com/fcm/send/x"), "endpoint"),
        (_sub("https://evil.example.com/push"), "endpoint"),
        (_sub("https://fcm.googleapis.com.evil.example/x"), "endpoint"),
        (_sub("https://user:pw@fcm.googleapis.com/x"), "endpoint"),
        (_sub("https://fcm.googleapis.com:8443/x"), "endpoint"),
        (_sub("http://127.0.0.1:9/push"), "endpoint"),
        (_sub("http://169.254.169.254/latest"), "endpoint"),
        ({**_sub(), "keys": {"p256dh": "AAAA", "auth": AUTH_SECRET}}, "keys.p256dh"),
        ({**_sub(), "keys": {"p256dh": P256DH, "auth": "short"}}, "keys.auth"),
        ({"endpoint": "https://fcm.googleapis.com/x"}, "keys"),
    ],
)
def test_subscriptions_only_to_known_push_services_with_real_keys(api, body, field):
    _, token = api.register()
    response = api.post("/api/v1/push/subscriptions", json=body, token=token)
    assert response.status_code == 400 and field in response.get_json()["error"]["fields"]


def test_test_push_reaches_this_device(app_factory):
    app = app_factory(**push_config())
    api = Api(app.test_client())
    _, token = api.register()
    with app.app_context():
        from coach.reminders.push import sender_for

        key = sender_for(app).keys.public_key
    with FakePushService(key) as service:
        device = service.subscribe("phone")
        assert api.post("/api/v1/push/subscriptions", json=device.info(), token=token).status_code == 201
        response = api.post("/api/v1/push/test", json={"endpoint": device.endpoint}, token=token)
        assert response.get_json() == {"outcome": "sent", "status": 201}
        [message] = service.delivered()
        assert message.payload["url"] == "/reminders" and message.headers["urgency"] == "high"
        service.answer("phone", 410)
        assert api.post("/api/v1/push/test", json={"endpoint": device.endpoint}, token=token).get_json()["outcome"] == "gone"
        assert api.get("/api/v1/push/subscriptions", token=token).get_json() == {"items": []}
    assert api.post("/api/v1/push/test", json={"endpoint": device.endpoint}, token=token).status_code == 404


def test_inbox_lists_counts_and_marks_read(app, api):
    from coach.extensions import db
    from coach.models import Notification

    user, token = api.register()
    now = datetime.now(UTC)
    with app.app_context():
        for n in range(3):
            db.session.add(Notification(user_id=user["id"], kind="custom", title=f"Note {n}", url="/reminders",
                                        tag=f"t{n}", fire_at=now - timedelta(minutes=3 - n)))
        db.session.commit()
    inbox = api.get("/api/v1/notifications", token=token).get_json()
    assert [n["title"] for n in inbox["items"]] == ["Note 2", "Note 1", "Note 0"] and inbox["unread_count"] == 3
    first = inbox["items"][0]["id"]
    assert api.post(f"/api/v1/notifications/{first}/read", token=token).status_code == 204
    unread = api.get("/api/v1/notifications?unread=true", token=token).get_json()
    assert [n["title"] for n in unread["items"]] == ["Note 1", "Note 0"] and unread["unread_count"] == 2
    assert api.post("/api/v1/notifications/read", token=token).status_code == 204
    assert api.get("/api/v1/notifications", token=token).get_json()["unread_count"] == 0


def test_quiet_hours_in_the_profile_move_reminders(api):
    _, token = api.register(timezone="Europe/Berlin")
    reminder = _create(api, token, schedule={"type": "daily", "times": ["06:30"]}).get_json()
    me = api.patch("/api/v1/me", json={"quiet_start": "22:00", "quiet_end": "07:00"}, token=token).get_json()
    assert (me["quiet_start"], me["quiet_end"]) == ("22:00", "07:00")
    held = api.get(f"/api/v1/reminders/{reminder['id']}", token=token).get_json()["next_fire_at"]
    local = datetime.fromisoformat(held.replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (7, 0)
    me = api.patch("/api/v1/me", json={"quiet_start": None, "quiet_end": None}, token=token).get_json()
    assert me["quiet_start"] is None
    back = api.get(f"/api/v1/reminders/{reminder['id']}", token=token).get_json()["next_fire_at"]
    assert datetime.fromisoformat(back.replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Berlin")).hour == 6
    # A new zone moves them too: 06:30 in Tokyo.
    api.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}, token=token)
    moved = api.get(f"/api/v1/reminders/{reminder['id']}", token=token).get_json()["next_fire_at"]
    tokyo = datetime.fromisoformat(moved.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Tokyo"))
    assert (tokyo.hour, tokyo.minute) == (6, 30)


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"quiet_start": "07:00", "quiet_end": "07:00"}, "quiet_end"),
        ({"quiet_end": "7am", "quiet_start": "22:00"}, "quiet_end"),
    ],
)
def test_quiet_hours_are_checked(api, patch, field):
    _, token = api.register()
    response = api.patch("/api/v1/me", json=patch, token=token)
    assert response.status_code == 400 and field in response.get_json()["error"]["fields"]


def test_follow_up_check_ins_come_with_an_episode_and_go_with_it(api):
    _, token = api.register(timezone="Europe/Berlin")
    started = datetime.now(UTC) - timedelta(hours=2)
    created = api.post("/api/v1/episodes", json={"started_at": started.isoformat(), "severity": 6}, token=token)
    assert created.status_code == 201
    episode_id = created.get_json()["episode"]["id"]
    items = api.get("/api/v1/reminders", token=token).get_json()["items"]
    follow_ups = sorted((r for r in items if r["kind"] == "follow_up"), key=lambda r: r["next_fire_at"])
    assert len(follow_ups) == 4
    assert {r["url"] for r in follow_ups} == {f"/episodes/{episode_id}/follow-up"}
    assert [r["schedule"]["at"] for r in follow_ups] == [
        (started + delta).isoformat().replace("+00:00", "Z")
        for delta in (timedelta(hours=24), timedelta(hours=72), timedelta(days=14), timedelta(days=28))]
    assert api.delete(f"/api/v1/episodes/{episode_id}", token=token).status_code == 204
    assert [r for r in api.get("/api/v1/reminders", token=token).get_json()["items"] if r["kind"] == "follow_up"] == []


def test_an_episode_logged_late_only_gets_the_check_ins_still_ahead(api):
    _, token = api.register()
    started = datetime.now(UTC) - timedelta(days=4)
    api.post("/api/v1/episodes", json={"started_at": started.isoformat(), "severity": 4}, token=token)
    items = api.get("/api/v1/reminders", token=token).get_json()["items"]
    assert len([r for r in items if r["kind"] == "follow_up"]) == 2  # 14 and 28 days


def test_the_export_includes_reminders_and_the_inbox(api):
    _, token = api.register()
    _create(api, token)
    export = api.get("/api/v1/me/export", token=token).get_json()
    assert [r["title"] for r in export["reminders"]] == ["Posture check"]
    assert export["notifications"] == [] and export["push_devices"] == []


def test_ids_beyond_what_the_database_holds_are_never_a_server_error(api):
    from coach.reminders.service import get_reminder

    _, token = api.register()
    for method, path in (("GET", "/api/v1/reminders/2147483648"), ("DELETE", "/api/v1/reminders/2147483648"),
                         ("PATCH", "/api/v1/reminders/2147483648"), ("POST", "/api/v1/notifications/2147483648/read")):
        response = api.call(method, path, json={} if method == "PATCH" else None, token=token)
        # The URL converter stops at 2**31-1 (not found; some methods answer 405 from another rule).
        assert response.status_code in (404, 405) and response.get_json()["error"], (method, path)
    with api.client.application.app_context():
        from coach.errors import NotFound

        with pytest.raises(NotFound):
            get_reminder(type("U", (), {"id": 1})(), 2**31)


def test_cursors_past_the_largest_id_are_not_a_server_error(api):
    _, token = api.register()
    _create(api, token)
    for path in ("/api/v1/reminders?cursor=138328561452", "/api/v1/notifications?cursor=999999999999999999"):
        response = api.get(path, token=token)
        assert response.status_code == 200, (path, response.get_json())
    assert len(api.get("/api/v1/reminders?cursor=138328561452", token=token).get_json()["items"]) == 1
