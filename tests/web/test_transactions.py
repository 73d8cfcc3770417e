"""One commit per action: a spasm and its four check-ins are stored together or not at all, and a replay of
the same client id after a failure stores both."""
from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

import coach.auth.service as auth_service
import coach.reminders.devices as devices_service
import coach.reminders.service as reminders_service
from coach.episodes.service import log_episode
from coach.extensions import db
from coach.models import Episode, Reminder, User
from tests.factories import user_data
from tests.pushfake import Device


class CheckInsFail(RuntimeError):
    pass


class Fault:
    """While armed, scheduling the check-ins fails mid-way: the episode and its first two check-ins are already
    written in the transaction (flushed), then the third one's step raises, as a database hiccup or a bug would."""

    def __init__(self):
        self.armed, self.calls = True, 0


@pytest.fixture
def check_ins_fail(monkeypatch) -> Fault:
    real, fault = reminders_service._reschedule, Fault()

    def maybe_failing(reminder, user, now):
        if fault.armed:
            fault.calls += 1
            if fault.calls == 3:
                db.session.flush()
                raise CheckInsFail("check-in scheduling failed")
        return real(reminder, user, now)

    monkeypatch.setattr(reminders_service, "_reschedule", maybe_failing)
    return fault


def _stored(app, user_id: int) -> tuple[list[Episode], list[Reminder]]:
    with app.app_context():
        episodes = list(db.session.scalars(select(Episode).where(Episode.user_id == user_id)))
        reminders = list(db.session.scalars(select(Reminder).where(Reminder.user_id == user_id)))
        db.session.expunge_all()
        return episodes, reminders


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def _episode(**overrides) -> dict:
    started = datetime.now(UTC) - timedelta(hours=1)
    return {"started_at": started.isoformat().replace("+00:00", "Z"), "severity": 6, "locations": ["lower_back"],
            **overrides}


def _api_post(api, web, key):
    user, token = api.register()
    response = api.post("/api/v1/episodes", json=_episode(), token=token, headers={"Idempotency-Key": key})
    return user["id"], response, response.status_code == 500 and response.get_json()["error"]["code"] == "server_error", \
        lambda: api.post("/api/v1/episodes", json=_episode(), token=token, headers={"Idempotency-Key": key})


def _api_upsert(api, web, key):
    user, token = api.register()

    def send():
        return api.call("PUT", f"/api/v1/episodes/by-client/{key}", json=_episode(symptoms=["fever"]), token=token)

    response = send()
    return user["id"], response, response.status_code == 500 and response.get_json()["error"]["code"] == "server_error", send


def _page_form(api, web, key):
    """The detailed log page: its hidden client_id is the key; a failed save shows the error page."""
    data = web.register(timezone="Europe/London")
    html = web.client.get("/log").get_data(as_text=True)
    fields = dict(re.findall(r'name="(started_date|started_time|client_id)"[^>]*value="([^"]*)"', html))
    started = datetime.now(UTC) - timedelta(hours=1)
    form = {**fields, "client_id": key, "started_date": f"{started:%Y-%m-%d}", "started_time": f"{started:%H:%M}",
            "severity": "6", "locations": ["lower_back"]}
    response = web.post("/log", form, page="/log")
    return (_user_id(web.client.application, data["email"]), response,
            response.status_code == 500 and "Something went wrong" in response.get_data(as_text=True),
            lambda: web.post("/log", form, page="/log"))


WAYS = {"API log": _api_post, "API upsert": _api_upsert, "log page": _page_form}


@pytest.mark.parametrize("way", list(WAYS))
def test_a_spasm_whose_check_ins_fail_is_not_stored_and_its_replay_stores_both(app, api, web, check_ins_fail, way):
    key = str(uuid.uuid4())
    user_id, failed, shown_as_error, replay = WAYS[way](api, web, key)
    assert check_ins_fail.calls == 3  # it failed mid-way: the episode and two check-ins were already written
    assert shown_as_error, failed.get_data(as_text=True)[:500]
    assert _stored(app, user_id) == ([], [])  # nothing: no spasm without its check-ins

    check_ins_fail.armed = False
    again = replay()
    assert again.status_code in (201, 302), again.get_data(as_text=True)[:500]
    episodes, reminders = _stored(app, user_id)
    assert [e.client_id for e in episodes] == [key]
    assert len(reminders) == 4 and {r.kind for r in reminders} == {"follow_up"}
    assert {r.episode_id for r in reminders} == {episodes[0].id} and all(r.next_fire_at for r in reminders)
    if way == "API upsert":
        assert episodes[0].symptoms == ["fever"]


def test_a_failed_log_leaves_nothing_for_a_later_commit(app, api, check_ins_fail):
    """The service rolls its own work back: code that catches the error and commits something else later
    (a CLI, a batch) does not store half a spasm."""
    user, _ = api.register()
    now = datetime.now(UTC)
    with app.app_context():
        person = db.session.get(User, user["id"])
        with pytest.raises(CheckInsFail):
            log_episode(person, {"started_at": now - timedelta(hours=1), "severity": 4}, now, client_id=str(uuid.uuid4()))
        person.display_name = "Renamed"
        db.session.commit()
    assert _stored(app, user["id"]) == ([], [])
    with app.app_context():
        assert db.session.get(User, user["id"]).display_name == "Renamed"


DEVICE_LIMIT = 20  # per person (docs/ARCHITECTURE.md): a new device beyond it replaces the oldest


def _browser(n: int) -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    return Device(f"phone-{n}", key, os.urandom(16), f"https://fcm.googleapis.com/fcm/send/phone-{n}").info()


def test_a_device_over_the_limit_and_the_trim_are_one_commit(api, monkeypatch):
    """Subscribing one device more than the limit adds it and removes the oldest at once: when the trim fails,
    the new device is not stored either (never one over the limit), and trying again does both."""
    _, token = api.register()
    for n in range(DEVICE_LIMIT):
        assert api.post("/api/v1/push/subscriptions", json=_browser(n), token=token).status_code == 201
    before = api.get("/api/v1/push/subscriptions", token=token).get_json()["items"]
    real = devices_service._trim

    def trim_then_fail(user):
        real(user)
        db.session.flush()
        raise RuntimeError("trim failed")

    monkeypatch.setattr(devices_service, "_trim", trim_then_fail)
    newest = _browser(DEVICE_LIMIT)
    assert api.post("/api/v1/push/subscriptions", json=newest, token=token).status_code == 500
    assert api.get("/api/v1/push/subscriptions", token=token).get_json()["items"] == before

    monkeypatch.undo()
    assert api.post("/api/v1/push/subscriptions", json=newest, token=token).status_code == 201
    after = api.get("/api/v1/push/subscriptions", token=token).get_json()["items"]
    assert len(after) == DEVICE_LIMIT
    assert [d["id"] for d in after[:-1]] == [d["id"] for d in before[1:]]  # the oldest went, the new one came


def test_an_api_sign_up_and_its_token_are_one_commit(api, monkeypatch):
    """When its token cannot be made, the sign-up leaves no account behind: trying again signs up (201) instead
    of 'already registered' for an account the client holds no token for."""
    data = user_data()

    def failing(raw):
        raise RuntimeError("token could not be made")

    monkeypatch.setattr(auth_service, "_hash_token", failing)
    assert api.post("/api/v1/auth/register", json=data).status_code == 500
    monkeypatch.undo()
    again = api.post("/api/v1/auth/register", json=data)
    assert again.status_code == 201, again.get_json()
    assert api.get("/api/v1/me", token=again.get_json()["token"]).get_json()["email"] == data["email"]
