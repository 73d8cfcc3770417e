"""Deleting a trainer ends their links and assignments (the client keeps every session, with the title it played);
deleting a client ends their links. Each export holds what that person made and their own side of a link, and
never another person's data (other people by id only). Runs on SQLite and on PostgreSQL (DATABASE_URL)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coach.extensions import db
from coach.models import (
    Assignment,
    AssignmentPause,
    Invite,
    Reminder,
    Routine,
    RoutineSession,
    RoutineVersion,
    TrainerLink,
    User,
)
from tests.factories import PASSWORD, Api, add_own_routine, make_episode
from tests.trainer_helpers import link, make_user

NOW = datetime.now(UTC).replace(microsecond=0)
DAILY = {"type": "daily", "times": ["07:30"]}


@pytest.fixture
def world(seeded):
    """Coach Kim (trainer) with a published routine assigned to Robin (who shares, and played it once), an
    invite Robin used, a private note on Robin; Robin's own reminder and episode; another client, Sam."""
    app = seeded
    with app.app_context():
        kim = make_user("Kim", role="trainer")
        robin = make_user("Robin", birth_year=1980)
        sam = make_user("Sam")
    slug = add_own_routine(app, kim, title="Kim's hip opener")
    make_episode(app, robin, NOW, notes="robin-secret-notes")
    with app.app_context():
        routine = db.session.scalar(select(Routine).where(Routine.slug == slug))
        db.session.add(RoutineVersion(routine_id=routine.id, version=1, title=routine.title, kind=routine.kind,
                                      summary=routine.summary, steps=[{"position": 1, "title": "March",
                                                                       "instruction": "March on the spot.",
                                                                       "seconds": 60, "optional": False}]))
        routine.version = 1
        row = link(kim, robin, share=True)
        row.note = "kim-private-note-on-robin"
        link(kim, sam)
        db.session.add(Invite(trainer_id=kim, code="ABCDEFGH", expires_at=NOW + timedelta(days=7), used_at=NOW,
                              used_by_id=robin))
        assignment = Assignment(trainer_id=kim, client_id=robin, routine_id=routine.id, routine_version=1,
                                schedule=DAILY, note="Before each gym day")
        db.session.add(assignment)
        db.session.flush()
        db.session.add(AssignmentPause(assignment_id=assignment.id, started_at=NOW - timedelta(days=2),
                                       ended_at=NOW - timedelta(days=1), by="client"))
        db.session.add_all([
            Reminder(user_id=robin, kind="routine", title="Hip opener", schedule=DAILY, routine_id=routine.id,
                     assignment_id=assignment.id, next_fire_at=NOW + timedelta(hours=3)),
            Reminder(user_id=robin, kind="custom", title="robin-own-reminder", schedule=DAILY,
                     next_fire_at=NOW + timedelta(hours=3)),
            RoutineSession(user_id=robin, routine_id=routine.id, routine_slug=slug, routine_title=routine.title,
                           routine_version=1, assignment_id=assignment.id, started_at=NOW - timedelta(hours=5),
                           ended_at=NOW - timedelta(hours=5) + timedelta(minutes=1), completed=True,
                           completed_steps=[1], steps_total=1),
        ])
        db.session.commit()
        ids = {"kim": kim, "robin": robin, "sam": sam, "routine": routine.id, "assignment": assignment.id}
    return app, ids


def _token(app, name: str) -> tuple[Api, str]:
    api = Api(app.test_client())
    response = api.post("/api/v1/auth/token", json={"email": f"{name}@example.com", "password": PASSWORD})
    assert response.status_code in (200, 201), response.get_json()
    return api, response.get_json()["token"]


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_deleting_a_trainer_ends_links_and_assignments_and_the_client_keeps_the_sessions(world):
    app, ids = world
    api, token = _token(app, "kim")
    assert api.delete("/api/v1/me", json={"password": PASSWORD}, token=token).status_code == 204
    with app.app_context():
        assert db.session.get(User, ids["kim"]) is None
        for model in (TrainerLink, Invite, Assignment, AssignmentPause, RoutineVersion):
            assert _count(model) == 0, model
        assert db.session.get(Routine, ids["routine"]) is None
        # Robin's reminder for the assignment went with it; her own stays.
        assert [r.title for r in db.session.scalars(select(Reminder).where(
            Reminder.user_id == ids["robin"], Reminder.kind != "follow_up"))] == [
            "robin-own-reminder"]
        [kept] = db.session.scalars(select(RoutineSession).where(RoutineSession.user_id == ids["robin"])).all()
        assert (kept.assignment_id, kept.routine_id, kept.routine_title, kept.routine_version) == (
            None, None, "Kim's hip opener", 1)
    robin_api, robin_token = _token(app, "robin")
    export = robin_api.get("/api/v1/me/export", token=robin_token).get_json()
    assert export["trainers"] == [] and export["assigned"] == []
    assert [s["routine_title"] for s in export["routine_sessions"]] == ["Kim's hip opener"]


def test_deleting_a_client_ends_their_links_and_the_trainer_keeps_what_they_made(world):
    app, ids = world
    api, token = _token(app, "robin")
    assert api.delete("/api/v1/me", json={"password": PASSWORD}, token=token).status_code == 204
    with app.app_context():
        assert [row.client_id for row in db.session.scalars(select(TrainerLink))] == [ids["sam"]]
        assert _count(Assignment) == 0 and _count(Reminder) == 0
        assert db.session.get(Routine, ids["routine"]) is not None and _count(RoutineVersion) == 1
        invite = db.session.scalar(select(Invite))
        assert invite.used_at is not None and invite.used_by_id is None  # who used it goes with them
    kim_api, kim_token = _token(app, "kim")
    export = kim_api.get("/api/v1/me/export", token=kim_token).get_json()
    assert [c["client_id"] for c in export["clients"]] == [ids["sam"]] and export["assignments"] == []


def test_a_trainers_export_holds_what_they_made_and_clients_by_id_only(world):
    app, ids = world
    api, token = _token(app, "kim")
    export = api.get("/api/v1/me/export", token=token).get_json()
    assert [r["title"] for r in export["routines"]] == ["Kim's hip opener"]
    assert [(v["routine_id"], v["version"], v["steps"][0]["title"]) for v in export["routine_versions"]] == [
        (ids["routine"], 1, "March")]
    assert [(i["code"], i["used_at"] is not None) for i in export["invites"]] == [("ABCDEFGH", True)]
    assert [(c["client_id"], c["note"]) for c in export["clients"]] == [
        (ids["robin"], "kim-private-note-on-robin"), (ids["sam"], None)]
    [assignment] = export["assignments"]
    assert (assignment["client_id"], assignment["routine_version"], assignment["note"]) == (
        ids["robin"], 1, "Before each gym day")
    assert [p["by"] for p in assignment["pauses"]] == ["client"]
    assert export["trainers"] == [] and export["assigned"] == []
    # Nothing of the clients: no names, emails, episodes, sessions or their sharing choices.
    text = json.dumps(export)
    for secret in ("Robin", "robin@example.com", "Sam", "robin-secret-notes", "robin-own-reminder", "share_episodes"):
        assert secret not in text, secret
    assert export["episodes"] == [] and export["routine_sessions"] == []


def test_a_clients_export_holds_their_links_and_whats_assigned_and_nothing_of_the_trainer(world):
    app, ids = world
    api, token = _token(app, "robin")
    export = api.get("/api/v1/me/export", token=token).get_json()
    assert [(t["trainer_id"], t["share_episodes"], t["ended_at"]) for t in export["trainers"]] == [
        (ids["kim"], True, None)]
    assert [(a["trainer_id"], a["routine_id"], a["note"]) for a in export["assigned"]] == [
        (ids["kim"], ids["routine"], "Before each gym day")]
    assert export["clients"] == [] and export["assignments"] == [] and export["invites"] == []
    assert export["routines"] == [] and export["routine_versions"] == []  # Kim's routine is Kim's
    text = json.dumps(export)
    for secret in ("kim-private-note-on-robin", "Kim@", "kim@example.com", "ABCDEFGH", '"Kim"'):
        assert secret not in text, secret
    # Sam's export does not mention Robin's link or assignment.
    sam_api, sam_token = _token(app, "sam")
    sam = sam_api.get("/api/v1/me/export", token=sam_token).get_json()
    assert [t["trainer_id"] for t in sam["trainers"]] == [ids["kim"]] and sam["assigned"] == []
    assert "Before each gym day" not in json.dumps(sam)


def test_an_ended_link_stays_in_the_clients_export_and_its_assignment_does_not(world):
    app, ids = world
    with app.app_context():
        row = db.session.scalar(select(TrainerLink).where(TrainerLink.client_id == ids["robin"]))
        row.ended_at, row.ended_by, row.share_episodes = NOW, "client", False
        db.session.commit()
    api, token = _token(app, "robin")
    export = api.get("/api/v1/me/export", token=token).get_json()
    assert [(t["trainer_id"], t["ended_by"]) for t in export["trainers"]] == [(ids["kim"], "client")]
    assert export["assigned"] == []
