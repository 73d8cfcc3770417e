"""One shape per resource: the export holds each resource exactly as the API answers with it, in API.md's
conventions (every key present, unset answers null, datetimes in UTC with Z), with the keys clients rely on."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.factories import PASSWORD, WebSession, add_own_routine

P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH_SECRET = "tBHItJI5svbpez7KI4CCXg"
# The keys of each resource as clients have had them (API.md; the golden copy of what the dict builders gave).
KEYS = {
    "user": {"id", "email", "display_name", "role", "timezone", "country", "birth_year", "quiet_start", "quiet_end",
             "created_at", "cancer_history", "osteoporosis", "long_term_steroids", "immunosuppressed", "iv_drug_use",
             "kidney_disease", "diuretics", "new_medicine_4_weeks", "heavy_sweater"},
    "episode": {"id", "client_id", "started_at", "trigger", "during_exercise", "exercise", "load_kg", "locations",
                "side", "severity", "locked_minutes", "eased_by_stretch", "symptoms", "relief_used", "notes", "source",
                "created_at", "updated_at"},
    "follow_up": {"id", "episode_id", "client_id", "at", "severity", "status", "symptoms", "notes"},
    "assessment": {"level", "rules_version", "evaluated_at", "flags", "info", "disclaimer"},
    "flag": {"rule", "level", "reason", "episode_ids", "sources"},
    "session": {"id", "client_id", "routine", "routine_title", "started_at", "ended_at", "completed", "completed_steps",
                "steps_total", "stop_reason", "pain_before", "pain_after", "created_at", "assignment_id", "routine_version"},
    "routine": {"slug", "title", "kind", "summary", "is_stock", "total_seconds", "total_seconds_with_optional",
                "stop_rules", "sources", "evidence", "next", "frequency", "steps"},
    "step": {"position", "title", "instruction", "seconds", "optional", "note"},
    "stop_rules": {"emergency", "stop_and_log", "general", "sources"},
    "tip": {"id", "category", "title", "text", "sources", "note"},
    "source": {"id", "title", "url"},
    "reminder": {"id", "client_id", "title", "body", "kind", "routine", "episode_id", "schedule", "enabled",
                 "next_fire_at", "last_fired_at", "url", "created_at", "updated_at", "assignment_id"},
    "notification": {"id", "reminder_id", "kind", "title", "body", "url", "tag", "fire_at", "read_at", "created_at"},
    "device": {"id", "host", "created_at", "updated_at"},
    "token": {"name", "created_at", "expires_at", "last_used_at", "revoked_at"},
    "calendar_feed": {"created_at", "last_used_at"},
    "export": {"format", "exported_at", "profile", "api_tokens", "episodes", "follow_ups", "routine_sessions",
               "routines", "reminders", "notifications", "push_devices", "calendar_feed",
               # with a trainer: as a client, their links and what is assigned to them; as a trainer, what they made
               "trainers", "assigned", "clients", "invites", "routine_versions", "assignments"},
}


@pytest.fixture
def person(seeded, api):
    """Someone with one of everything, made through the API (and the inbox entry and calendar link the way the
    dispatcher and the reminders page make them); returns (user, token, what each call answered)."""
    from coach.extensions import db
    from coach.models import Notification, User
    from coach.reminders.calendar import create_feed

    user, token = api.register(role="trainer", timezone="Europe/Berlin", country="DE")
    made = {"me": api.patch("/api/v1/me", json={"quiet_start": "22:00", "quiet_end": "07:00"}, token=token).get_json()}
    made["episode"] = api.post("/api/v1/episodes", token=token, json={
        "started_at": "2026-01-05T10:00:00+01:00", "severity": 6, "load_kg": 100, "symptoms": ["fever"],
    }).get_json()
    episode_id = made["episode"]["episode"]["id"]
    made["follow_up"] = api.post(f"/api/v1/episodes/{episode_id}/follow-ups", token=token, json={
        "at": "2026-01-06T09:00:00+01:00", "severity": 3, "status": "improving"}).get_json()
    made["session"] = api.post("/api/v1/sessions", token=token, json={
        "routine": "walk-it-off", "started_at": "2026-01-06T09:00:00+01:00", "completed": False,
        "completed_steps": [1], "stop_reason": "done_for_now", "pain_before": 5}).get_json()
    made["reminder"] = api.post("/api/v1/reminders", token=token, json={
        "title": "Move", "kind": "routine", "routine": "walk-it-off",
        "schedule": {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3]}}).get_json()
    made["device"] = api.post("/api/v1/push/subscriptions", token=token, json={
        "endpoint": "https://fcm.googleapis.com/fcm/send/device-1", "keys": {"p256dh": P256DH, "auth": AUTH_SECRET},
    }).get_json()
    add_own_routine(seeded, user["id"])
    with seeded.app_context():
        db.session.add(Notification(user_id=user["id"], reminder_id=made["reminder"]["id"], kind="routine",
                                    title="Move", url="/routines/walk-it-off/play", tag="r1",
                                    fire_at=datetime(2026, 1, 6, 6, 30, tzinfo=UTC)))
        db.session.commit()
        create_feed(db.session.get(User, user["id"]), datetime(2026, 1, 1, tzinfo=UTC))
    return user, token, made


def test_the_export_holds_each_resource_as_the_api_gives_it(person, api):
    user, token, made = person
    export = api.get("/api/v1/me/export", token=token).get_json()
    assert set(export) == KEYS["export"]

    def get(path):
        response = api.get(path, token=token)
        assert response.status_code == 200, path
        return response.get_json()

    episode, session, reminder = made["episode"]["episode"], made["session"], made["reminder"]
    assert export["episodes"] == [get(f"/api/v1/episodes/{episode['id']}")]
    assert export["routine_sessions"] == [get(f"/api/v1/sessions/{session['id']}")]
    assert export["reminders"] == [get(f"/api/v1/reminders/{reminder['id']}")]
    assert [set(row) for row in (episode, session, reminder)] == [KEYS["episode"], KEYS["session"], KEYS["reminder"]]
    assert export["follow_ups"] == [made["follow_up"]["follow_up"]]
    assert export["profile"] == get("/api/v1/me")
    assert export["notifications"] == get("/api/v1/notifications")["items"]
    assert export["push_devices"] == get("/api/v1/push/subscriptions")["items"]
    own = export["routines"][0]
    assert export["routines"] == [get(f"/api/v1/routines/{own['slug']}")]


def test_the_page_download_is_the_api_export(person, api, client):
    user, token, _ = person
    from_api = api.get("/api/v1/me/export", token=token).get_json()
    WebSession(client).login(user["email"], PASSWORD)
    download = client.get("/me/export")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    from_page = json.loads(download.get_data(as_text=True))
    assert from_page.pop("exported_at").endswith("Z") and from_api.pop("exported_at").endswith("Z")
    assert from_page == from_api


def test_the_keys_and_conventions_clients_rely_on(person, api):
    user, token, made = person
    export = api.get("/api/v1/me/export", token=token).get_json()
    assert set(made["me"]) == KEYS["user"] and (made["me"]["quiet_start"], made["me"]["quiet_end"]) == ("22:00", "07:00")
    assert set(made["episode"]) == {"episode", "assessment"} and set(made["follow_up"]) == {"follow_up", "assessment"}
    episode = made["episode"]["episode"]
    # Sent with +01:00, answered in UTC with Z; answers not given are null, lists empty, numbers as sent.
    assert episode["started_at"] == "2026-01-05T09:00:00Z" and episode["load_kg"] == 100.0
    assert episode["trigger"] is None and episode["locations"] == [] and episode["symptoms"] == ["fever"]
    assert made["follow_up"]["follow_up"]["at"] == "2026-01-06T08:00:00Z"
    assessment = api.get("/api/v1/assessment?at=2026-01-06T13:00:00%2B01:00", token=token).get_json()
    assert set(assessment) == KEYS["assessment"] and assessment["evaluated_at"] == "2026-01-06T12:00:00Z"
    assert assessment["flags"] and all(set(flag) == KEYS["flag"] for flag in assessment["flags"])
    assert all(set(item) == {"rule", "message"} for item in made["episode"]["assessment"]["info"])
    session = made["session"]
    assert (session["routine"], session["started_at"], session["ended_at"]) == ("walk-it-off", "2026-01-06T08:00:00Z", None)
    reminder = made["reminder"]
    assert (reminder["routine"], reminder["url"]) == ("walk-it-off", "/routines/walk-it-off/play")
    assert reminder["next_fire_at"].endswith("Z") and reminder["last_fired_at"] is None
    assert set(made["device"]) == KEYS["device"] and made["device"]["host"] == "fcm.googleapis.com"
    notification = export["notifications"][0]
    assert set(notification) == KEYS["notification"]
    assert (notification["fire_at"], notification["read_at"]) == ("2026-01-06T06:30:00Z", None)
    assert export["calendar_feed"] == {"created_at": "2026-01-01T00:00:00Z", "last_used_at": None}
    assert [set(t) for t in export["api_tokens"]] == [KEYS["token"]] and export["api_tokens"][0]["expires_at"].endswith("Z")
    routine = export["routines"][0]
    assert set(routine) == KEYS["routine"] and set(routine["stop_rules"]) == KEYS["stop_rules"]
    assert all(set(step) == KEYS["step"] for step in routine["steps"]) and routine["is_stock"] is False
    assert all(value.endswith("Z") for row in (episode, session, reminder) for key, value in row.items()
               if key.endswith("_at") and value is not None)


def test_content_shapes(seeded, api):
    routines = api.get("/api/v1/routines").get_json()["items"]
    assert routines and all(set(r) == KEYS["routine"] for r in routines)
    walk = api.get("/api/v1/routines/walk-it-off").get_json()
    assert (walk["total_seconds"], walk["total_seconds_with_optional"]) == (330, 630)
    assert walk["stop_rules"] == routines[0]["stop_rules"]  # the library's, the same for every routine
    assert all(set(t) == KEYS["tip"] for t in api.get("/api/v1/tips").get_json()["items"])
    assert all(set(s) == KEYS["source"] for s in api.get("/api/v1/sources").get_json()["items"])
