"""POST/GET /api/v1/sessions: validation, idempotent replay, and nobody sees another person's sessions."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest


def _iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def session_body(**overrides) -> dict:
    start = datetime.now(UTC) - timedelta(minutes=5)
    body = {
        "routine": "gym-floor-settle",
        "started_at": _iso(start),
        "ended_at": _iso(start + timedelta(minutes=4)),
        "completed": True,
        "completed_steps": [1, 2, 3, 4, 5, 6],
        "pain_before": 7,
        "pain_after": 4,
    }
    body.update(overrides)
    return body


def test_record_a_completed_session(api, seeded):
    _, token = api.register()
    response = api.post("/api/v1/sessions", json=session_body(completed_steps=[3, 1, 2, 2]), token=token)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["routine"] == "gym-floor-settle" and body["routine_title"] == "Settle it on the gym floor"
    assert body["completed"] is True and body["stop_reason"] is None
    assert body["completed_steps"] == [1, 2, 3] and body["steps_total"] == 6
    assert (body["pain_before"], body["pain_after"]) == (7, 4)
    assert body["started_at"].endswith("Z")


def test_record_a_stopped_session_with_each_reason(api, seeded):
    _, token = api.register()
    reasons = ["pain_below_knee", "one_leg_weakness", "new_numbness", "pain_up_2_points", "dizziness", "done_for_now",
               "saddle_numbness", "difficulty_walking", "chest_pain", "palpitations_or_fainting",
               "leg_weakness", "dizziness_or_palpitations"]  # the last two: 2026.1 codes, still accepted
    for reason in reasons:
        response = api.post("/api/v1/sessions", token=token, json=session_body(
            completed=False, completed_steps=[1], stop_reason=reason, pain_after=None))
        assert response.status_code == 201, (reason, response.get_json())
        assert response.get_json()["stop_reason"] == reason
    listed = api.get("/api/v1/sessions", token=token).get_json()
    assert len(listed["items"]) == len(reasons) and listed["next_cursor"] is None


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"routine": "no-such-routine"}, "routine", "unknown routine"),
    ({"routine": ""}, "routine", "must not be empty"),
    ({"pain_before": 11}, "pain_before", "less than or equal to 10"),
    ({"pain_after": -1}, "pain_after", "greater than or equal to 0"),
    ({"pain_after": "5"}, "pain_after", "integer"),
    ({"completed": "yes"}, "completed", "boolean"),
    ({"completed_steps": [0]}, "completed_steps", "step 0 is not in this routine"),
    ({"completed_steps": [7]}, "completed_steps", "it has 6 steps"),
    ({"completed_steps": [True]}, "completed_steps.0", "integer"),
    ({"stop_reason": "bored"}, "stop_reason", "unknown code"),
    ({"stop_reason": "done_for_now"}, "stop_reason", "a completed session has no stop reason"),
    ({"started_at": "2030-01-01T10:00:00Z"}, "started_at", "cannot be in the future"),
    ({"started_at": "2026-01-01T10:00:00"}, "started_at", "timezone"),
    ({"started_at": 1700000000}, "started_at", "ISO 8601"),
    ({"ended_at": "2020-01-01T10:00:00Z"}, "ended_at", "cannot be before started_at"),
    ({"steps": [1]}, "steps", "unknown field"),
])
def test_invalid_sessions_name_the_field(api, seeded, overrides, field, message):
    _, token = api.register()
    response = api.post("/api/v1/sessions", json=session_body(**overrides), token=token)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert message in error["fields"][field], error["fields"]


def test_every_problem_is_reported_at_once(api, seeded):
    _, token = api.register()
    body = session_body(routine="nope", stop_reason="bored", started_at="2031-01-01T00:00:00Z")
    fields = api.post("/api/v1/sessions", json=body, token=token).get_json()["error"]["fields"]
    assert {"routine", "stop_reason", "started_at"} <= set(fields)


def test_missing_fields_are_required(api, seeded):
    _, token = api.register()
    fields = api.post("/api/v1/sessions", json={}, token=token).get_json()["error"]["fields"]
    assert fields == {"routine": "required", "started_at": "required", "completed": "required"}


def test_replay_with_the_same_key_returns_the_original(api, seeded):
    _, token = api.register()
    key = str(uuid.uuid4())
    first = api.post("/api/v1/sessions", json=session_body(), token=token, headers={"Idempotency-Key": key})
    again = api.post("/api/v1/sessions", json=session_body(pain_after=1), token=token, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.get_json()["client_id"] == key
    in_body = api.post("/api/v1/sessions", json=session_body(client_id=key), token=token)
    assert in_body.status_code == 200 and in_body.get_json()["id"] == first.get_json()["id"]
    assert len(api.get("/api/v1/sessions", token=token).get_json()["items"]) == 1


def test_idempotency_keys_are_per_user_and_must_be_uuids(api, seeded):
    _, alice = api.register()
    _, bob = api.register()
    key = str(uuid.uuid4())
    a = api.post("/api/v1/sessions", json=session_body(), token=alice, headers={"Idempotency-Key": key})
    b = api.post("/api/v1/sessions", json=session_body(), token=bob, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201 and a.get_json()["id"] != b.get_json()["id"]
    bad = api.post("/api/v1/sessions", json=session_body(), token=alice, headers={"Idempotency-Key": "not-a-uuid"})
    assert bad.status_code == 400 and "client_id" in bad.get_json()["error"]["fields"]
    mismatch = api.post("/api/v1/sessions", json=session_body(client_id=str(uuid.uuid4())), token=alice,
                        headers={"Idempotency-Key": key})
    assert mismatch.status_code == 400


def test_sessions_need_a_signed_in_caller(api, seeded):
    assert api.post("/api/v1/sessions", json=session_body()).status_code == 401
    assert api.get("/api/v1/sessions").status_code == 401


def test_other_peoples_sessions_are_not_found(api, seeded):
    _, alice = api.register()
    _, bob = api.register()
    created = api.post("/api/v1/sessions", json=session_body(), token=alice).get_json()
    assert api.get(f"/api/v1/sessions/{created['id']}", token=alice).status_code == 200
    response = api.get(f"/api/v1/sessions/{created['id']}", token=bob)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert api.get("/api/v1/sessions/999999", token=bob).status_code == 404
    assert api.get("/api/v1/sessions", token=bob).get_json()["items"] == []


def test_someone_elses_private_routine_cannot_be_recorded(app, api, seeded):
    from coach.extensions import db
    from coach.models import Routine, RoutineStep

    trainer, trainer_token = api.register(role="trainer")
    _, athlete_token = api.register()
    with app.app_context():
        routine = Routine(slug="private-one", title="Private", kind="relief", summary="x", sources=[], evidence=[],
                          next=[], is_stock=False, owner_id=trainer["id"])
        routine.steps.append(RoutineStep(position=1, title="Breathe", instruction="Breathe slowly.", seconds=30))
        db.session.add(routine)
        db.session.commit()
    body = session_body(routine="private-one", completed_steps=[1])
    assert api.post("/api/v1/sessions", json=body, token=trainer_token).status_code == 201
    refused = api.post("/api/v1/sessions", json=body, token=athlete_token)
    assert refused.status_code == 400 and "unknown routine" in refused.get_json()["error"]["fields"]["routine"]


def test_sessions_are_paged_newest_first(api, seeded):
    _, token = api.register()
    start = datetime.now(UTC) - timedelta(hours=3)
    for minutes in range(5):
        api.post("/api/v1/sessions", token=token, json=session_body(
            started_at=_iso(start + timedelta(minutes=minutes)), ended_at=None))
    page = api.get("/api/v1/sessions?limit=2", token=token).get_json()
    rest = api.get(f"/api/v1/sessions?limit=10&cursor={page['next_cursor']}", token=token).get_json()
    starts = [s["started_at"] for s in page["items"] + rest["items"]]
    assert len(starts) == 5 and starts == sorted(starts, reverse=True) and rest["next_cursor"] is None
    assert api.get("/api/v1/sessions?cursor=garbage", token=token).status_code == 400


def test_session_cookie_callers_need_the_csrf_token(client, web, seeded):
    web.register()
    body = session_body()
    refused = client.post("/api/v1/sessions", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    token = client.get("/sync-state").get_json()["csrf_token"]
    accepted = client.post("/api/v1/sessions", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_export_and_account_deletion_include_sessions(api, seeded):
    user, token = api.register()
    api.post("/api/v1/sessions", json=session_body(), token=token)
    export = api.get("/api/v1/me/export", token=token).get_json()
    assert [s["routine"] for s in export["routine_sessions"]] == ["gym-floor-settle"]
    assert api.delete("/api/v1/me", json={"password": user["password"]}, token=token).status_code == 204
