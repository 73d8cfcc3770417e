"""PUT /api/v1/episodes/by-client/<client_id>: the phone's one spasm, saved as it unfolds (contract 4)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select


def _url(client_id: str) -> str:
    return f"/api/v1/episodes/by-client/{client_id}"


def _start(hours: float = 1) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


def _put(api, token, client_id, body):
    return api.call("PUT", _url(client_id), json=body, token=token)


def _check_ins(app, episode_id: int) -> int:
    from coach.extensions import db
    from coach.models import Reminder

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.episode_id == episode_id))


def test_a_safety_check_yes_creates_the_spasm_without_a_pain_score(app, api):
    _, token = api.register()
    key = str(uuid.uuid4())
    response = _put(api, token, key, {"started_at": _start(), "symptoms": ["chest_pain"]})
    assert response.status_code == 201
    body = response.get_json()
    episode = body["episode"]
    assert episode["client_id"] == key and episode["symptoms"] == ["chest_pain"]
    assert episode["severity"] is None and episode["trigger"] is None and episode["during_exercise"] is None
    assert episode["locked_minutes"] is None and episode["eased_by_stretch"] is None
    assert body["assessment"]["level"] == "emergency"
    # Its check-ins were scheduled with it (24 h, 72 h, 14 and 28 days; none is past yet).
    assert _check_ins(app, episode["id"]) == 4


def test_later_snapshots_merge_and_never_remove_a_saved_yes(app, api):
    _, token = api.register()
    key = str(uuid.uuid4())
    first = _put(api, token, key, {"started_at": _start(), "symptoms": ["both_legs"], "locations": ["lower_back"],
                                   "trigger": "lifting"}).get_json()["episode"]
    # The quick log, a snapshot that knows nothing of the safety check's answer: the "Yes" stays.
    second = _put(api, token, key, {"severity": 7, "symptoms": [], "locations": ["buttock", "lower_back"],
                                    "trigger": None, "during_exercise": True, "notes": "at the gym"})
    assert second.status_code == 200
    merged = second.get_json()["episode"]
    assert merged["id"] == first["id"]
    assert merged["symptoms"] == ["both_legs"] and merged["locations"] == ["lower_back", "buttock"]
    assert merged["severity"] == 7 and merged["during_exercise"] is True and merged["notes"] == "at the gym"
    assert merged["trigger"] == "lifting"  # null in a snapshot leaves the stored answer alone
    # A stop reason from the player adds its symptom; a new score replaces the old one.
    third = _put(api, token, key, {"symptoms": ["chest_pain"], "severity": 5}).get_json()["episode"]
    assert third["symptoms"] == ["both_legs", "chest_pain"] and third["severity"] == 5
    assert third["started_at"] == first["started_at"]
    listed = api.get("/api/v1/episodes", token=token).get_json()["items"]
    assert [e["id"] for e in listed] == [first["id"]]
    assert _check_ins(app, first["id"]) == 4  # merging schedules nothing more


def test_the_same_uuid_in_any_spelling_is_one_spasm(api):
    _, token = api.register()
    key = str(uuid.uuid4())
    assert _put(api, token, key.upper(), {"started_at": _start()}).status_code == 201
    again = _put(api, token, key, {"symptoms": ["fever"]})
    assert again.status_code == 200 and again.get_json()["episode"]["client_id"] == key


def test_a_new_spasm_needs_its_start_time(api):
    _, token = api.register()
    response = _put(api, token, str(uuid.uuid4()), {"symptoms": ["chest_pain"]})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"started_at": "required"}
    assert api.get("/api/v1/episodes", token=token).get_json()["items"] == []


def test_another_persons_client_id_is_a_separate_spasm(api):
    _, alice = api.register()
    _, bob = api.register()
    key = str(uuid.uuid4())
    hers = _put(api, alice, key, {"started_at": _start(2), "symptoms": ["saddle_numbness"], "severity": 8})
    his = _put(api, bob, key, {"started_at": _start(1), "severity": 3})
    assert hers.status_code == 201 and his.status_code == 201
    assert hers.get_json()["episode"]["id"] != his.get_json()["episode"]["id"]
    assert his.get_json()["episode"]["symptoms"] == [] and his.get_json()["assessment"]["level"] != "emergency"
    mine = api.get("/api/v1/episodes", token=alice).get_json()["items"]
    assert len(mine) == 1 and mine[0]["severity"] == 8 and mine[0]["symptoms"] == ["saddle_numbness"]


def test_a_client_id_that_is_not_a_uuid_is_refused(api):
    _, token = api.register()
    for bad in ("not-a-uuid", "12345", "7f0c1d2e-0b8a-4c47-9a57-3f1a2b9d6e1"):
        response = _put(api, token, bad, {"started_at": _start()})
        assert response.status_code == 400, bad
        assert "client_id" in response.get_json()["error"]["fields"]
    assert api.get("/api/v1/episodes", token=token).get_json()["items"] == []


def test_upsert_checks_every_field_like_a_log(api):
    _, token = api.register()
    key = str(uuid.uuid4())
    future = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    response = _put(api, token, key, {"started_at": _start(), "symptoms": ["not_a_code"], "severity": 11})
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"symptoms.0", "severity"}
    early = _put(api, token, key, {"started_at": future})
    assert early.status_code == 400 and early.get_json()["error"]["fields"] == {
        "started_at": "can't be more than 10 minutes in the future"}
    assert _put(api, token, key, {"started_at": _start()}).status_code == 201
    assert _put(api, token, key, {"started_at": future}).get_json()["error"]["fields"]["started_at"] == \
        "can't be more than 10 minutes in the future"
    assert _put(api, token, key, {"notes": "x" * 2001}).get_json()["error"]["fields"] == {"notes": "2001 characters; the limit is 2000: shorten it by 1"}


def test_signed_out_callers_and_missing_csrf_are_refused(client, web, api):
    key = str(uuid.uuid4())
    assert client.put(_url(key), json={"started_at": _start()}).status_code == 401
    web.register()
    refused = client.put(_url(key), json={"started_at": _start()})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    token = client.get("/sync-state").get_json()["csrf_token"]
    accepted = client.put(_url(key), json={"started_at": _start(), "symptoms": ["whole_body_spasms"]},
                          headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    merged = client.put(_url(key), json={"severity": 4}, headers={"X-CSRFToken": token})
    assert merged.status_code == 200 and merged.get_json()["episode"]["symptoms"] == ["whole_body_spasms"]


def test_the_upsert_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/episodes/by-client/{client_id}"]["put"]
    assert {"200", "201", "400"} <= set(operation["responses"])


# Undoing a mis-tapped tick of the safety check's urgent line (remove_symptoms, clear_if).

def test_an_undone_tick_removes_only_that_urgent_symptom_and_the_assessment_follows(api):
    _, token = api.register()
    key = str(uuid.uuid4())
    before = _put(api, token, key, {"started_at": _start(), "severity": 4, "symptoms": ["one_leg_symptoms"]}).get_json()
    ticked = _put(api, token, key, {"symptoms": ["fever", "weight_loss"]}).get_json()
    assert ticked["assessment"]["level"] == "urgent"
    undone = _put(api, token, key, {"remove_symptoms": ["fever"]})
    assert undone.status_code == 200
    assert undone.get_json()["episode"]["symptoms"] == ["one_leg_symptoms", "weight_loss"]
    gone = _put(api, token, key, {"remove_symptoms": ["weight_loss", "cannot_stand"]}).get_json()
    assert gone["episode"]["symptoms"] == ["one_leg_symptoms"]
    assert gone["assessment"]["level"] == before["assessment"]["level"]
    assert [f["rule"] for f in gone["assessment"]["flags"]] == [f["rule"] for f in before["assessment"]["flags"]]
    # Sent twice (a replay), nothing more changes; tick again after the undo and it is back.
    assert _put(api, token, key, {"remove_symptoms": ["weight_loss"]}).get_json()["episode"]["symptoms"] == ["one_leg_symptoms"]
    again = _put(api, token, key, {"symptoms": ["fever"]}).get_json()
    assert again["episode"]["symptoms"] == ["one_leg_symptoms", "fever"] and again["assessment"]["level"] == "urgent"


def test_an_emergency_answer_or_any_other_code_cannot_be_removed(api):
    _, token = api.register()
    key = str(uuid.uuid4())
    _put(api, token, key, {"started_at": _start(), "symptoms": ["saddle_numbness", "night_pain", "fever"]})
    emergency = _put(api, token, key, {"remove_symptoms": ["fever", "saddle_numbness"]})
    assert emergency.status_code == 400
    assert emergency.get_json()["error"]["fields"] == {
        "remove_symptoms": "saddle_numbness: an emergency answer is never removed here; change it in the diary"}
    other = _put(api, token, key, {"remove_symptoms": ["night_pain"]})
    assert other.status_code == 400
    assert other.get_json()["error"]["fields"]["remove_symptoms"].startswith(
        "night_pain: only fever, weight_loss, cannot_stand")
    unknown = _put(api, token, key, {"remove_symptoms": ["not_a_code"]})
    assert unknown.status_code == 400 and "remove_symptoms.0" in unknown.get_json()["error"]["fields"]
    both = _put(api, token, key, {"symptoms": ["fever"], "remove_symptoms": ["fever"]})
    assert both.status_code == 400 and both.get_json()["error"]["fields"] == {
        "remove_symptoms": "fever: cannot be added and removed at once"}
    # Nothing refused was half done.
    stored = api.get("/api/v1/episodes", token=token).get_json()["items"][0]
    assert stored["symptoms"] == ["saddle_numbness", "night_pain", "fever"]


def test_removing_never_touches_another_persons_spasm(api):
    _, alice = api.register()
    _, bob = api.register()
    key = str(uuid.uuid4())
    _put(api, alice, key, {"started_at": _start(), "symptoms": ["fever"], "locked_minutes": 61})
    his = _put(api, bob, key, {"started_at": _start(), "remove_symptoms": ["fever"], "clear_if": {"locked_minutes": 61}})
    assert his.status_code == 201 and his.get_json()["episode"]["symptoms"] == []
    hers = api.get("/api/v1/episodes", token=alice).get_json()["items"]
    assert len(hers) == 1 and hers[0]["symptoms"] == ["fever"] and hers[0]["locked_minutes"] == 61


def test_clear_if_sets_locked_minutes_back_to_not_recorded_only_while_it_is_61(api):
    _, token = api.register()
    key = str(uuid.uuid4())
    _put(api, token, key, {"started_at": _start(), "locked_minutes": 61})
    # A plain null still leaves the stored answer alone: clearing is asked for explicitly.
    assert _put(api, token, key, {"locked_minutes": None}).get_json()["episode"]["locked_minutes"] == 61
    cleared = _put(api, token, key, {"clear_if": {"locked_minutes": 61}}).get_json()
    assert cleared["episode"]["locked_minutes"] is None and cleared["assessment"]["level"] != "urgent"
    # Changed since the tick (the diary says 90): the undo leaves it.
    _put(api, token, key, {"locked_minutes": 90})
    assert _put(api, token, key, {"clear_if": {"locked_minutes": 61}}).get_json()["episode"]["locked_minutes"] == 90
    for body, field in (({"clear_if": {"locked_minutes": 90}}, "clear_if.locked_minutes"),
                        ({"clear_if": {"locked_minutes": 61}, "locked_minutes": 61}, "clear_if.locked_minutes"),
                        ({"clear_if": {"severity": 4}}, "clear_if.severity")):
        refused = _put(api, token, key, body)
        assert refused.status_code == 400 and field in refused.get_json()["error"]["fields"], body
    assert api.get("/api/v1/episodes", token=token).get_json()["items"][0]["locked_minutes"] == 90


def test_tick_undo_tick_replayed_in_order_ends_ticked(api):
    _, token = api.register()
    key = str(uuid.uuid4())
    start = _start()
    for body in ({"started_at": start, "symptoms": ["cannot_stand"]}, {"started_at": start, "remove_symptoms": ["cannot_stand"]},
                 {"started_at": start, "symptoms": ["cannot_stand"]}):
        last = _put(api, token, key, body)
    assert last.get_json()["episode"]["symptoms"] == ["cannot_stand"]


def test_the_undo_fields_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    text = str(spec)
    assert "remove_symptoms" in text and "clear_if" in text
