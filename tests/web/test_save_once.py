"""One idempotency path for offline writes: two identical requests at once store one record, and a replay is
answered with the first record (200) before anything is validated again; two changes to one record at once both
stay (the second waits for the first)."""
from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from coach.errors import ValidationError
from coach.extensions import db
from coach.models import Episode, FollowUp, Reminder, RoutineSession, User
from coach.reminders.service import create_reminder
from tests.factories import Api

DAILY = {"type": "daily", "times": ["07:30"]}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _episode(**overrides) -> dict:
    return {"started_at": _iso(datetime.now(UTC) - timedelta(hours=1)), "severity": 5, "locations": ["lower_back"],
            **overrides}


def _session(**overrides) -> dict:
    start = datetime.now(UTC) - timedelta(minutes=5)
    return {"routine": "gym-floor-settle", "started_at": _iso(start), "ended_at": _iso(start + timedelta(minutes=4)),
            "completed": True, "completed_steps": [1, 2, 3, 4, 5, 6], "pain_before": 6, "pain_after": 3, **overrides}


def _record(response) -> dict:
    body = response.get_json()
    return body.get("episode") or body.get("follow_up") or body


def _new_episode(api, token) -> int:
    response = api.post("/api/v1/episodes", json=_episode(), token=token)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["episode"]["id"]


# Each kind of offline write: (table, model, how to send it with `key` given a prepared context).
def _episode_post(api, token, key, ctx):
    return api.post("/api/v1/episodes", json=_episode(), token=token, headers={"Idempotency-Key": key})


def _episode_put(api, token, key, ctx):
    return api.call("PUT", f"/api/v1/episodes/by-client/{key}", json=_episode(), token=token)


def _follow_up_post(api, token, key, ctx):
    return api.post(f"/api/v1/episodes/{ctx['episode_id']}/follow-ups", json={"status": "improving", "severity": 3},
                    token=token, headers={"Idempotency-Key": key})


def _reminder_post(api, token, key, ctx):
    return api.post("/api/v1/reminders", json={"title": "Water", "kind": "hydration", "schedule": DAILY},
                    token=token, headers={"Idempotency-Key": key})


def _session_post(api, token, key, ctx):
    return api.post("/api/v1/sessions", json=_session(client_id=key), token=token)


KINDS = {
    "episode": ("episodes", Episode, _episode_post),
    "episode upsert": ("episodes", Episode, _episode_put),
    "follow-up": ("follow_ups", FollowUp, _follow_up_post),
    "reminder": ("reminders", Reminder, _reminder_post),
    "routine session": ("routine_sessions", RoutineSession, _session_post),
}


def _both_at_once(apps, table: str, send, *, hold: tuple[str, str] | None = None) -> list:
    """Send from two threads, each with its own app and test client, released together by a barrier. A second
    barrier holds each request at its INSERT into `table` until the other one gets there too, so both have
    looked for the record and found nothing: the race happens every run, not now and then. `hold` moves that
    point: (engine event, statement prefix), e.g. just after each has read the row it will change."""
    start, at_insert, passed = threading.Barrier(2, timeout=20), threading.Barrier(2, timeout=20), threading.local()
    when, prefix = hold or ("before_cursor_execute", f"INSERT INTO {table} (")

    def hold_at_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(prefix) and not getattr(passed, "done", False):
            passed.done = True
            at_insert.wait()

    engines = []
    for app in apps:
        with app.app_context():
            engines.append(db.engine)
    results: list = [None, None]

    def run(index: int) -> None:
        client = apps[index].test_client()
        start.wait()
        try:
            results[index] = send(Api(client))
        except BaseException as error:  # reported by the test, not lost in the thread
            results[index] = error

    for engine in engines:
        event.listen(engine, when, hold_at_insert)
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for engine in engines:
            event.remove(engine, when, hold_at_insert)
    return results


@pytest.mark.parametrize("kind", list(KINDS))
def test_two_identical_writes_at_once_store_one_record(seeded, app_factory, api, kind):
    table, model, send = KINDS[kind]
    user, token = api.register()
    api.get("/api/v1/me", token=token)  # the token's last use is written now, not by both racers
    ctx = {"episode_id": _new_episode(api, token)} if kind == "follow-up" else {}
    key = str(uuid.uuid4())

    first, second = _both_at_once([seeded, app_factory()], table, lambda client: send(client, token, key, ctx))

    for response in (first, second):
        assert not isinstance(response, BaseException), response
    assert sorted([first.status_code, second.status_code]) == [200, 201], (first.get_json(), second.get_json())
    assert _record(first)["id"] == _record(second)["id"]
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(model).where(model.client_id == key)) == 1
        if model is Episode:  # the loser's check-ins are not stored beside the winner's
            assert db.session.scalar(select(func.count()).select_from(Reminder).where(
                Reminder.user_id == user["id"], Reminder.kind == "follow_up")) == 4


# ---------------------------------------------------------------- two changes to one record at once
# Each request is held just after it has read the episode until the other one has read it too: without a lock
# both write back what they read plus their own answer, and the later write drops the earlier one's answer.
AFTER_READING_THE_EPISODE = ("after_cursor_execute", "SELECT episodes.id")


def test_two_merges_into_one_spasm_at_once_keep_both_answers(seeded, app_factory, api):
    _, token = api.register()
    api.get("/api/v1/me", token=token)
    url = f"/api/v1/episodes/by-client/{uuid.uuid4()}"
    created = api.call("PUT", url, json=_episode(symptoms=["night_pain"], locations=["lower_back"]), token=token)
    assert created.status_code == 201, created.get_json()
    answers = [{"symptoms": ["fever"], "locations": ["neck"]}, {"symptoms": ["chest_pain"], "locations": ["jaw"]}]

    first, second = _both_at_once([seeded, app_factory()], "episodes",
                                  lambda client: client.call("PUT", url, json=answers.pop(), token=token),
                                  hold=AFTER_READING_THE_EPISODE)

    for response in (first, second):
        assert not isinstance(response, BaseException), response
        assert response.status_code == 200, response.get_json()
    stored = api.call("PUT", url, json={}, token=token).get_json()["episode"]
    assert sorted(stored["symptoms"]) == ["chest_pain", "fever", "night_pain"]  # the emergency answer is kept
    assert sorted(stored["locations"]) == ["jaw", "lower_back", "neck"]


def test_a_pause_and_a_new_time_at_once_leave_the_reminder_paused(seeded, app_factory, api):
    """A new time, computed from a reminder read before it was paused, must not give the paused reminder a next
    time: the dispatcher would fire it and switch it back on."""
    _, token = api.register()
    api.get("/api/v1/me", token=token)
    made = api.post("/api/v1/reminders", json={"title": "Water", "kind": "hydration", "schedule": DAILY}, token=token)
    assert made.status_code == 201, made.get_json()
    url = f"/api/v1/reminders/{made.get_json()['id']}"
    new_time = {"schedule": {"type": "daily", "times": ["09:00"]}}
    changes, late = [new_time, {"enabled": False}], threading.local()

    def send(client):
        body = changes.pop()
        late.flag = body is new_time
        return client.patch(url, json=body, token=token)

    def new_time_writes_last(conn, cursor, statement, parameters, context, executemany):
        if getattr(late, "flag", False) and statement.startswith("UPDATE reminders SET"):
            time.sleep(0.5)  # the pause commits first (or, locked, waits for this one)

    apps = [seeded, app_factory()]
    engines = []
    for app in apps:
        with app.app_context():
            engines.append(db.engine)
            event.listen(db.engine, "before_cursor_execute", new_time_writes_last)
    try:
        answers = _both_at_once(apps, "reminders", send, hold=("after_cursor_execute", "SELECT reminders.id"))
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", new_time_writes_last)

    assert [getattr(answer, "status_code", answer) for answer in answers] == [200, 200]
    stored = api.get(url, token=token).get_json()
    assert stored["schedule"]["times"] == ["09:00"]
    assert stored["enabled"] is False and stored["next_fire_at"] is None


# ---------------------------------------------------------------- replays are answered before validation
def test_an_episode_replay_with_data_now_refused_returns_the_first(api):
    _, token = api.register()
    key = str(uuid.uuid4())
    first = api.post("/api/v1/episodes", json=_episode(), token=token, headers={"Idempotency-Key": key})
    future = _iso(datetime.now(UTC) + timedelta(days=2))
    again = api.post("/api/v1/episodes", json=_episode(started_at=future, severity=9), token=token,
                     headers={"Idempotency-Key": key})
    assert first.status_code == 201 and again.status_code == 200, again.get_json()
    assert again.get_json()["episode"] == first.get_json()["episode"]
    fresh = api.post("/api/v1/episodes", json=_episode(started_at=future), token=token)
    assert fresh.status_code == 400 and "started_at" in fresh.get_json()["error"]["fields"]  # refused when new


def test_a_follow_up_replay_after_its_episode_moved_returns_the_first(api):
    """Queued offline: a check-in, then the spasm's start moved later than the check-in. The replay of the
    check-in would now be refused ('before the spasm started'); it answers with the check-in stored."""
    _, token = api.register()
    episode_id = _new_episode(api, token)
    key = str(uuid.uuid4())
    body = {"status": "improving", "at": _iso(datetime.now(UTC) - timedelta(minutes=30))}
    url = f"/api/v1/episodes/{episode_id}/follow-ups"
    first = api.post(url, json=body, token=token, headers={"Idempotency-Key": key})
    moved = api.patch(f"/api/v1/episodes/{episode_id}", json={"started_at": _iso(datetime.now(UTC) - timedelta(minutes=5))},
                      token=token)
    again = api.post(url, json=body, token=token, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and moved.status_code == 200 and again.status_code == 200, again.get_json()
    assert again.get_json()["follow_up"] == first.get_json()["follow_up"]
    fresh = api.post(url, json=body, token=token)
    assert fresh.status_code == 400 and "at" in fresh.get_json()["error"]["fields"]


def test_a_reminder_replay_at_the_limit_returns_the_first(app, api):
    user, token = api.register()
    key = str(uuid.uuid4())
    body = {"title": "Water", "kind": "hydration", "schedule": DAILY}
    first = api.post("/api/v1/reminders", json=body, token=token, headers={"Idempotency-Key": key})
    with app.app_context():  # more until the limit refuses one
        person, now = db.session.get(User, user["id"]), datetime.now(UTC)
        with pytest.raises(ValidationError) as refused:
            for n in range(1000):
                create_reminder(person, {"title": f"Posture {n}", "kind": "posture", "schedule": DAILY}, now)
        assert "reminders" in refused.value.fields
    again = api.post("/api/v1/reminders", json={**body, "schedule": {"type": "weekly"}}, token=token,
                     headers={"Idempotency-Key": key})
    assert first.status_code == 201 and again.status_code == 200, again.get_json()
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["schedule"] == first.get_json()["schedule"]
    fresh = api.post("/api/v1/reminders", json=body, token=token)
    assert fresh.status_code == 400 and "reminders" in fresh.get_json()["error"]["fields"]


def test_a_session_replay_naming_a_routine_now_unknown_returns_the_first(seeded, api):
    _, token = api.register()
    key = str(uuid.uuid4())
    first = api.post("/api/v1/sessions", json=_session(client_id=key), token=token)
    again = api.post("/api/v1/sessions", json=_session(client_id=key, routine="no-such-routine"), token=token)
    assert first.status_code == 201 and again.status_code == 200, again.get_json()
    assert again.get_json() == first.get_json()


@pytest.mark.parametrize("bad", ["not-a-uuid", "12345", "7f0c1d2e-0b8a-4c47-9a57-3f1a2b9d6e1"])
def test_every_write_refuses_a_key_that_is_not_a_uuid_the_same_way(seeded, api, bad):
    _, token = api.register()
    episode_id = _new_episode(api, token)
    answers = [
        api.post("/api/v1/episodes", json=_episode(), token=token, headers={"Idempotency-Key": bad}),
        api.call("PUT", f"/api/v1/episodes/by-client/{bad}", json=_episode(), token=token),
        api.post(f"/api/v1/episodes/{episode_id}/follow-ups", json={"status": "same", "client_id": bad}, token=token),
        api.post("/api/v1/reminders", json={"title": "Water", "kind": "hydration", "schedule": DAILY},
                 token=token, headers={"Idempotency-Key": bad}),
        api.post("/api/v1/sessions", json=_session(client_id=bad), token=token),
    ]
    errors = [response.get_json()["error"] for response in answers]
    assert [response.status_code for response in answers] == [400] * 5
    assert all(error["code"] == "validation_error" and set(error["fields"]) == {"client_id"} for error in errors)
    assert len({error["fields"]["client_id"] for error in errors}) == 1  # one normaliser, one message


def test_a_key_in_the_header_and_another_in_the_body_are_refused(api):
    _, token = api.register()
    response = api.post("/api/v1/episodes", json=_episode(client_id=str(uuid.uuid4())), token=token,
                        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"client_id": "differs from the Idempotency-Key header"}
    assert api.get("/api/v1/episodes", token=token).get_json()["items"] == []


def test_the_same_key_in_upper_case_is_the_same_record(api):
    _, token = api.register()
    key = str(uuid.uuid4())
    first = api.post("/api/v1/episodes", json=_episode(), token=token, headers={"Idempotency-Key": key})
    again = api.post("/api/v1/episodes", json=_episode(), token=token, headers={"Idempotency-Key": key.upper()})
    upsert = api.call("PUT", f"/api/v1/episodes/by-client/{key.upper()}", json={"severity": 6}, token=token)
    assert (first.status_code, again.status_code, upsert.status_code) == (201, 200, 200)
    assert first.get_json()["episode"]["id"] == again.get_json()["episode"]["id"] == upsert.get_json()["episode"]["id"]
    assert upsert.get_json()["episode"]["client_id"] == key
