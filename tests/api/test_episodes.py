"""Episodes API: logging, idempotent replay, listing, editing, follow-ups, assessment, authorization."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _episode(**overrides) -> dict:
    data = {
        "started_at": _iso(datetime.now(UTC) - timedelta(hours=1)),
        "severity": 6,
        "trigger": "lifting",
        "during_exercise": True,
        "exercise": "deadlift",
        "load_kg": 100,
        "locations": ["lower_back"],
        "side": "left",
        "locked_minutes": 5,
        "eased_by_stretch": True,
        "symptoms": [],
    }
    data.update(overrides)
    return data


def test_log_episode_returns_episode_and_assessment(api):
    _, token = api.register()
    response = api.post("/api/v1/episodes", json=_episode(), token=token)
    assert response.status_code == 201
    body = response.get_json()
    assert body["episode"]["severity"] == 6 and body["episode"]["locations"] == ["lower_back"]
    assert body["assessment"]["level"] == "none" and body["assessment"]["rules_version"] == "2026.2"


def test_idempotency_key_replay_returns_the_original_once(app, api):
    _, token = api.register()
    key = str(uuid.uuid4())
    first = api.post("/api/v1/episodes", json=_episode(), token=token, headers={"Idempotency-Key": key})
    again = api.post("/api/v1/episodes", json=_episode(severity=9), token=token, headers={"Idempotency-Key": key})
    by_body = api.post("/api/v1/episodes", json=_episode(client_id=key), token=token)
    assert first.status_code == 201 and again.status_code == 200 and by_body.status_code == 200
    assert first.get_json()["episode"]["id"] == again.get_json()["episode"]["id"] == by_body.get_json()["episode"]["id"]
    assert again.get_json()["episode"]["severity"] == 6
    assert len(api.get("/api/v1/episodes", token=token).get_json()["items"]) == 1


def test_bad_idempotency_key_is_refused(api):
    _, token = api.register()
    response = api.post("/api/v1/episodes", json=_episode(), token=token, headers={"Idempotency-Key": "not-a-uuid"})
    assert response.status_code == 400 and "client_id" in response.get_json()["error"]["fields"]


def test_emergency_symptom_is_flagged_at_once(api):
    _, token = api.register()
    body = api.post("/api/v1/episodes", json=_episode(symptoms=["saddle_numbness"]), token=token).get_json()
    assert body["assessment"]["level"] == "emergency"
    assert body["assessment"]["flags"][0]["rule"] == "E1"
    assert body["assessment"]["flags"][0]["episode_ids"] == [body["episode"]["id"]]


def test_three_episodes_in_a_month_flag_routine_and_at_moves_the_window(api):
    _, token = api.register()
    now = datetime.now(UTC)
    for days in (1, 8, 15):
        api.post("/api/v1/episodes", json=_episode(started_at=_iso(now - timedelta(days=days)), locked_minutes=0), token=token)
    current = api.get("/api/v1/assessment", token=token).get_json()
    assert current["level"] == "routine" and "P1" in [f["rule"] for f in current["flags"]]
    later = api.get("/api/v1/assessment", token=token, query_string={"at": _iso(now + timedelta(days=40))}).get_json()
    assert "P1" not in [f["rule"] for f in later["flags"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"severity": 11}, "severity"),
        ({"severity": -1}, "severity"),
        ({"severity": 5.5}, "severity"),
        ({"severity": "7"}, "severity"),
        ({"trigger": "yoga"}, "trigger"),
        ({"locations": ["elbow"]}, "locations.0"),
        ({"symptoms": ["sneezing"]}, "symptoms.0"),
        ({"started_at": "2999-01-01T00:00:00+00:00"}, "started_at"),
        ({"started_at": "1800-01-01T00:00:00+00:00"}, "started_at"),
        ({"started_at": "2026-01-01T10:00:00"}, "started_at"),
        ({"started_at": 1700000000}, "started_at"),
        ({"locked_minutes": 1441}, "locked_minutes"),
        ({"notes": "x" * 2001}, "notes"),
        ({"side": "up"}, "side"),
        ({"mood": "bad"}, "mood"),
    ],
)
def test_episode_validation_names_the_field(api, overrides, field):
    _, token = api.register()
    response = api.post("/api/v1/episodes", json=_episode(**overrides), token=token)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"], response.get_json()


def test_html_in_notes_is_stored_as_text(api):
    _, token = api.register()
    body = api.post("/api/v1/episodes", json=_episode(notes="<script>alert(1)</script>"), token=token).get_json()
    assert body["episode"]["notes"] == "<script>alert(1)</script>"


def test_list_filters_by_local_date_and_paginates_newest_first(api):
    _, token = api.register(timezone="America/Los_Angeles")
    # 23:30 local on 10 Nov is 07:30 UTC on 11 Nov.
    api.post("/api/v1/episodes", json=_episode(started_at="2026-11-10T23:30:00-08:00"), token=token)
    api.post("/api/v1/episodes", json=_episode(started_at="2026-11-11T09:00:00-08:00"), token=token)
    api.post("/api/v1/episodes", json=_episode(started_at="2026-11-12T09:00:00-08:00"), token=token)
    day = api.get("/api/v1/episodes", token=token, query_string={"from": "2026-11-10", "to": "2026-11-10"}).get_json()
    assert [e["started_at"] for e in day["items"]] == ["2026-11-11T07:30:00Z"]
    page1 = api.get("/api/v1/episodes", token=token, query_string={"limit": 2}).get_json()
    assert [e["started_at"][:10] for e in page1["items"]] == ["2026-11-12", "2026-11-11"]
    page2 = api.get("/api/v1/episodes", token=token, query_string={"limit": 2, "cursor": page1["next_cursor"]}).get_json()
    assert len(page2["items"]) == 1 and page2["next_cursor"] is None
    bad = api.get("/api/v1/episodes", token=token, query_string={"cursor": "garbage!"})
    assert bad.status_code == 400
    assert api.get("/api/v1/episodes", token=token, query_string={"limit": 501}).status_code == 400
    assert api.get("/api/v1/episodes", token=token, query_string={"from": "yesterday"}).status_code == 400


def test_patch_and_delete_episode(api):
    _, token = api.register()
    episode = api.post("/api/v1/episodes", json=_episode(), token=token).get_json()["episode"]
    patched = api.patch(f"/api/v1/episodes/{episode['id']}", json={"severity": 3, "notes": "eased"}, token=token)
    assert patched.status_code == 200 and patched.get_json()["severity"] == 3 and patched.get_json()["trigger"] == "lifting"
    assert api.patch(f"/api/v1/episodes/{episode['id']}", json={"severity": None}, token=token).status_code == 400
    assert api.delete(f"/api/v1/episodes/{episode['id']}", token=token).status_code == 204
    assert api.get(f"/api/v1/episodes/{episode['id']}", token=token).status_code == 404


def test_follow_up_and_its_validation(api):
    _, token = api.register()
    episode = api.post("/api/v1/episodes", json=_episode(), token=token).get_json()["episode"]
    url = f"/api/v1/episodes/{episode['id']}/follow-ups"
    response = api.post(url, json={"severity": 2, "status": "improving"}, token=token)
    assert response.status_code == 201
    assert response.get_json()["follow_up"]["status"] == "improving" and "assessment" in response.get_json()
    assert api.post(url, json={"status": "great"}, token=token).status_code == 400
    assert api.post(url, json={"severity": 3}, token=token).status_code == 400
    early = api.post(url, json={"status": "same", "at": "2000-01-01T00:00:00Z"}, token=token)
    assert early.status_code == 400 and "at" in early.get_json()["error"]["fields"]
    red = api.post(url, json={"status": "worse", "symptoms": ["bladder_bowel_change"]}, token=token)
    assert red.get_json()["assessment"]["level"] == "emergency"


def test_another_users_episode_is_404_everywhere(api):
    _, alice = api.register()
    _, bob = api.register()
    episode = api.post("/api/v1/episodes", json=_episode(), token=alice).get_json()["episode"]
    url = f"/api/v1/episodes/{episode['id']}"
    assert api.get(url, token=bob).status_code == 404
    assert api.patch(url, json={"severity": 1}, token=bob).status_code == 404
    assert api.delete(url, token=bob).status_code == 404
    assert api.post(url + "/follow-ups", json={"status": "same"}, token=bob).status_code == 404
    assert api.get("/api/v1/episodes", token=bob).get_json()["items"] == []
    assert api.get("/api/v1/assessment", token=bob).get_json()["level"] == "none"
    assert api.get(url, token=alice).get_json()["severity"] == 6


def test_export_includes_episodes_and_follow_ups(api):
    _, token = api.register()
    episode = api.post("/api/v1/episodes", json=_episode(), token=token).get_json()["episode"]
    api.post(f"/api/v1/episodes/{episode['id']}/follow-ups", json={"status": "same"}, token=token)
    export = api.get("/api/v1/me/export", token=token).get_json()
    assert [e["id"] for e in export["episodes"]] == [episode["id"]]
    assert export["follow_ups"][0]["episode_id"] == episode["id"]


def test_deleting_the_account_deletes_episodes(app, api):
    from coach.extensions import db
    from coach.models import Episode, FollowUp
    from tests.factories import PASSWORD

    _, token = api.register()
    episode = api.post("/api/v1/episodes", json=_episode(), token=token).get_json()["episode"]
    api.post(f"/api/v1/episodes/{episode['id']}/follow-ups", json={"status": "same"}, token=token)
    assert api.delete("/api/v1/me", json={"password": PASSWORD}, token=token).status_code == 204
    with app.app_context():
        assert db.session.query(Episode).count() == 0 and db.session.query(FollowUp).count() == 0


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=1899-12-31"])
def test_list_dates_outside_the_counted_range_are_a_clear_400(api, query):
    _, token = api.register()
    response = api.get(f"/api/v1/episodes?{query}", token=token)
    assert response.status_code == 400
    field = query.split("=")[0]
    assert "must be a date from 1900-01-01 to 2999-12-31" in response.get_json()["error"]["fields"][field]
