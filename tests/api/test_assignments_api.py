"""/api/v1/trainer/assignments and /api/v1/assignments: a trainer assigns a routine to linked clients on the
client's clock; the client lists and pauses it; sessions played from it carry assignment_id; nobody reaches
another's assignment (404) and an athlete on the trainer's endpoints gets 403."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.assignment_helpers import end_link, link, register, trainer_routine

DAILY = {"type": "daily", "times": ["07:30"]}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def setup(api, seeded):
    """A trainer (Los Angeles) with a routine, linked to Ann (London) and Ben (Auckland); Cy is linked to no one."""
    trainer, t_token = register(api, "Coach Kim", "trainer", "America/Los_Angeles")
    ann, a_token = register(api, "Ann", timezone="Europe/London")
    ben, b_token = register(api, "Ben", timezone="Pacific/Auckland")
    cy, c_token = register(api, "Cy")
    link(seeded, trainer, ann)
    link(seeded, trainer, ben)
    slug = trainer_routine(seeded, trainer)
    return {"app": seeded, "trainer": trainer, "t": t_token, "ann": ann, "a": a_token, "ben": ben, "b": b_token,
            "cy": cy, "c": c_token, "slug": slug}


def _assign(api, s, **body):
    payload = {"client_id": s["ann"], "routine": s["slug"], "schedule": DAILY, **body}
    return api.post("/api/v1/trainer/assignments", json=payload, token=s["t"])


def _session(assignment_id=None, routine="x", **extra):
    start = datetime.now(UTC) - timedelta(minutes=5)
    body = {"routine": routine, "started_at": _iso(start), "ended_at": _iso(start + timedelta(minutes=2)),
            "completed": True, "completed_steps": [1, 2]}
    if assignment_id is not None:
        body["assignment_id"] = assignment_id
    body.update(extra)
    return body


def test_assign_to_one_client_arrives_at_0730_on_her_clock(api, setup):
    s = setup
    response = _assign(api, s, note="Slow and easy <3")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["client_id"] == s["ann"] and body["routine"] == s["slug"] and body["paused"] is False
    assert body["schedule"] == {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5, 6, 7]}
    local = datetime.fromisoformat(body["next_fire_at"].replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/London"))
    assert local.strftime("%H:%M") == "07:30"
    # The reminder is Ann's own, and opens the assignment's player.
    reminders = api.get("/api/v1/reminders", token=s["a"]).get_json()["items"]
    assert [(r["title"], r["url"], r["assignment_id"]) for r in reminders] == [
        ("Morning back", f"/assigned/{body['id']}/play", body["id"])]
    assert reminders[0]["body"] == "Slow and easy <3"


def test_assign_to_several_returns_a_list_each_on_their_own_clock(api, setup):
    s = setup
    response = api.post("/api/v1/trainer/assignments", token=s["t"], json={
        "client_ids": [s["ann"], s["ben"]], "routine": "gym-floor-settle", "schedule": DAILY})
    assert response.status_code == 201, response.get_json()
    items = response.get_json()
    assert [i["client_id"] for i in items] == [s["ann"], s["ben"]]
    for item, zone in zip(items, ("Europe/London", "Pacific/Auckland"), strict=True):
        at = datetime.fromisoformat(item["next_fire_at"].replace("Z", "+00:00"))
        assert at.astimezone(ZoneInfo(zone)).strftime("%H:%M") == "07:30"
    assert items[0]["next_fire_at"] != items[1]["next_fire_at"]
    ben_reminder = api.get("/api/v1/reminders", token=s["b"]).get_json()["items"][0]
    assert ben_reminder["body"] == "From Coach Kim"  # no note: who it is from


def test_one_unlinked_client_makes_nothing(api, setup):
    s = setup
    response = api.post("/api/v1/trainer/assignments", token=s["t"], json={
        "client_ids": [s["ann"], s["cy"]], "routine": s["slug"], "schedule": DAILY})
    assert response.status_code == 404
    assert api.get("/api/v1/trainer/assignments", token=s["t"]).get_json()["items"] == []
    assert api.get("/api/v1/reminders", token=s["a"]).get_json()["items"] == []


@pytest.mark.parametrize("body, field", [
    ({"schedule": {"type": "daily", "times": ["7.30"]}}, "schedule.times"),
    ({"schedule": {"type": "once", "at": "2020-01-01T10:00:00Z"}}, "schedule.at"),
    ({"routine": "no-such-routine"}, "routine"),
    ({"note": "x" * 501}, "note"),
    ({"client_ids": [1]}, "client_id"),  # both client_id and client_ids
])
def test_bad_fields_are_400_with_the_field(api, setup, body, field):
    response = _assign(api, setup, **body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_another_trainers_routine_cannot_be_assigned(api, setup):
    s = setup
    other, _ = register(api, "Other Coach", "trainer")
    foreign = trainer_routine(s["app"], other, "Their routine")
    response = _assign(api, s, routine=foreign)
    assert response.status_code == 400 and "routine" in response.get_json()["error"]["fields"]


def test_athlete_on_trainer_endpoints_is_403_and_trainer_on_client_endpoints_too(api, setup):
    s = setup
    assert _assign(api, {**s, "t": s["a"]}).status_code == 403
    assert api.get("/api/v1/trainer/assignments", token=s["a"]).status_code == 403
    assert api.patch("/api/v1/trainer/assignments/1", json={"paused": True}, token=s["a"]).status_code == 403
    assert api.delete("/api/v1/trainer/assignments/1", token=s["a"]).status_code == 403
    assert api.get("/api/v1/assignments", token=s["t"]).status_code == 403
    assert api.get("/api/v1/assignments").status_code == 401


def test_wrong_trainer_gets_404(api, setup):
    s = setup
    made = _assign(api, s).get_json()
    _, other = register(api, "Other Coach", "trainer")
    path = f"/api/v1/trainer/assignments/{made['id']}"
    assert api.get(path, token=other).status_code == 404
    assert api.patch(path, json={"paused": True}, token=other).status_code == 404
    assert api.delete(path, token=other).status_code == 404
    assert api.get(f"/api/v1/trainer/assignments?client_id={s['ann']}", token=other).status_code == 404
    assert api.get("/api/v1/trainer/assignments", token=other).get_json()["items"] == []
    # Another client cannot pause it either.
    assert api.patch(f"/api/v1/assignments/{made['id']}", json={"paused": True}, token=s["b"]).status_code == 404


def test_client_lists_with_version_steps_and_pauses(api, setup):
    s = setup
    made = _assign(api, s, note="<b>Slow</b>").get_json()
    listed = api.get("/api/v1/assignments", token=s["a"]).get_json()["items"]
    assert len(listed) == 1
    item = listed[0]
    assert item["trainer"] == {"id": s["trainer"], "display_name": "Coach Kim"}
    assert item["routine"]["slug"] == s["slug"] and item["routine"]["version"] == 1
    assert [st["title"] for st in item["routine"]["steps"]] == ["Cat and camel", "Child's pose"]
    assert item["schedule_text"] == "07:30, daily" and item["note"] == "<b>Slow</b>"
    assert api.get("/api/v1/assignments", token=s["b"]).get_json()["items"] == []

    paused = api.patch(f"/api/v1/assignments/{made['id']}", json={"paused": True}, token=s["a"])
    assert paused.status_code == 200 and paused.get_json()["paused"] is True
    assert paused.get_json()["next_fire_at"] is None
    reminder = api.get("/api/v1/reminders", token=s["a"]).get_json()["items"][0]
    assert reminder["enabled"] is False and reminder["next_fire_at"] is None
    # The trainer sees it paused, and cannot resume the client's pause.
    seen = api.get(f"/api/v1/trainer/assignments?client_id={s['ann']}", token=s["t"]).get_json()["items"]
    assert seen[0]["paused"] is True
    refused = api.patch(f"/api/v1/trainer/assignments/{made['id']}", json={"paused": False}, token=s["t"])
    assert refused.status_code == 409
    resumed = api.patch(f"/api/v1/assignments/{made['id']}", json={"paused": False}, token=s["a"]).get_json()
    assert resumed["paused"] is False and resumed["next_fire_at"] is not None
    assert api.get("/api/v1/reminders", token=s["a"]).get_json()["items"][0]["enabled"] is True


def test_trainer_changes_schedule_and_note_and_ends(api, setup):
    s = setup
    made = _assign(api, s).get_json()
    path = f"/api/v1/trainer/assignments/{made['id']}"
    changed = api.patch(path, json={"schedule": {"type": "daily", "times": ["18:00"]}, "note": "Evenings now"},
                        token=s["t"])
    assert changed.status_code == 200, changed.get_json()
    at = datetime.fromisoformat(changed.get_json()["next_fire_at"].replace("Z", "+00:00"))
    assert at.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") == "18:00"
    reminder = api.get("/api/v1/reminders", token=s["a"]).get_json()["items"][0]
    assert reminder["schedule"]["times"] == ["18:00"] and reminder["body"] == "Evenings now"
    assert api.patch(path, json={"schedule": None}, token=s["t"]).status_code == 400

    assert api.delete(path, token=s["t"]).status_code == 204
    assert api.get("/api/v1/reminders", token=s["a"]).get_json()["items"] == []
    assert api.get("/api/v1/assignments", token=s["a"]).get_json()["items"] == []
    assert api.get("/api/v1/trainer/assignments", token=s["t"]).get_json()["items"] == []
    assert api.delete(path, token=s["t"]).status_code == 404  # already ended


def test_session_from_an_assignment_records_it_and_its_version(api, setup):
    s = setup
    made = _assign(api, s).get_json()
    key = str(uuid.uuid4())
    headers = {"Idempotency-Key": key}
    body = _session(made["id"], s["slug"])
    first = api.post("/api/v1/sessions", json=body, token=s["a"], headers=headers)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["assignment_id"] == made["id"] and first.get_json()["routine_version"] == 1
    again = api.post("/api/v1/sessions", json=body, token=s["a"], headers={"Idempotency-Key": key})
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    listed = api.get("/api/v1/sessions", token=s["a"]).get_json()["items"]
    assert listed[0]["assignment_id"] == made["id"]
    exported = api.get("/api/v1/me/export", token=s["a"]).get_json()
    assert exported["routine_sessions"][0]["assignment_id"] == made["id"]
    # A stock routine played on one's own: version 1, no assignment.
    own = api.post("/api/v1/sessions", json=_session(None, "gym-floor-settle", completed_steps=[1]), token=s["a"])
    assert own.status_code == 201 and own.get_json()["routine_version"] == 1
    assert own.get_json()["assignment_id"] is None


def test_session_with_someone_elses_or_a_wrong_assignment_is_400(api, setup):
    s = setup
    made = _assign(api, s).get_json()
    for token, body in [
        (s["b"], _session(made["id"], s["slug"])),  # Ben's session naming Ann's assignment
        (s["a"], _session(made["id"], "gym-floor-settle", completed_steps=[1])),  # another routine
        (s["a"], _session(987654, s["slug"])),
    ]:
        response = api.post("/api/v1/sessions", json=body, token=token)
        assert response.status_code == 400, response.get_json()
        assert "assignment_id" in response.get_json()["error"]["fields"]
    bad_version = api.post("/api/v1/sessions", json=_session(made["id"], s["slug"], routine_version=2), token=s["a"])
    assert bad_version.status_code == 400 and "routine_version" in bad_version.get_json()["error"]["fields"]


def test_version_steps_check_the_session_against_the_version_played(api, setup):
    s = setup
    slug = trainer_routine(s["app"], s["trainer"], "Three moves", versions=2)  # v1: 2 steps, v2: 3 steps
    made = _assign(api, s, routine=slug).get_json()
    assert made["routine_version"] == 2
    assert api.post("/api/v1/sessions", token=s["a"], json=_session(
        made["id"], slug, completed_steps=[1, 2, 3])).status_code == 201
    old = api.post("/api/v1/sessions", token=s["a"], json=_session(
        made["id"], slug, routine_version=1, completed_steps=[1, 2, 3]))
    assert old.status_code == 400 and "completed_steps" in old.get_json()["error"]["fields"]


def test_link_ended_the_assignment_is_no_longer_listed_or_usable(api, setup):
    s = setup
    made = _assign(api, s).get_json()
    end_link(s["app"], s["trainer"], s["ann"])
    assert api.get("/api/v1/assignments", token=s["a"]).get_json()["items"] == []
    assert api.patch(f"/api/v1/assignments/{made['id']}", json={"paused": True}, token=s["a"]).status_code == 404
    # The routine is no longer hers to open...
    assert api.get(f"/api/v1/routines/{s['slug']}", token=s["a"]).status_code == 404
    # ...but a session her phone played before the link ended and files late is kept, with its assignment.
    response = api.post("/api/v1/sessions", json=_session(made["id"], s["slug"]), token=s["a"])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["assignment_id"] == made["id"]
    # Someone else's assignment id is still refused.
    other = api.post("/api/v1/sessions", json=_session(made["id"] + 1000, s["slug"]), token=s["a"])
    assert other.status_code == 400 and set(other.get_json()["error"]["fields"]) >= {"routine"}
    assert api.get("/api/v1/trainer/assignments", token=s["t"]).get_json()["items"] == []
    assert api.get(f"/api/v1/trainer/assignments?client_id={s['ann']}", token=s["t"]).status_code == 404
