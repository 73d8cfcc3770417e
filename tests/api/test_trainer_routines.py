"""A trainer's routines through the API: build (published as version 1), publish versions to assigned clients,
who may reach them, and what a delete ends."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from coach.domain import limits
from coach.extensions import db
from coach.models import Assignment, Reminder, Routine, RoutineSession, RoutineStep, RoutineVersion, TrainerLink

URL = "/api/v1/trainer/routines"
T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def _body(**overrides) -> dict:
    body = {"title": "Hip opener", "kind": "mobility", "summary": "Before squats.",
            "steps": [{"title": "Lunge", "instruction": "Step forward and sink.", "seconds": 40},
                      {"title": "Breathe", "instruction": "Slow breaths.", "seconds": 30, "optional": True}]}
    body.update(overrides)
    return body


@pytest.fixture
def coach(api):
    _user, token = api.register(role="trainer", display_name="Coach Kim")
    return token


def _create(api, token, **overrides) -> dict:
    response = api.post(URL, json=_body(**overrides), token=token)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _assign(app, trainer_token_user, client_id, routine_id, version=1, ended=False) -> int:
    """A link and an assignment as the assignments service leaves them (rows, not a mock)."""
    with app.app_context():
        if db.session.scalar(select(TrainerLink).where(TrainerLink.trainer_id == trainer_token_user,
                                                       TrainerLink.client_id == client_id)) is None:
            db.session.add(TrainerLink(trainer_id=trainer_token_user, client_id=client_id, linked_at=T0))
        assignment = Assignment(trainer_id=trainer_token_user, client_id=client_id, routine_id=routine_id,
                                routine_version=version, schedule={"type": "daily", "times": ["07:30"]},
                                ended_at=T0 if ended else None)
        db.session.add(assignment)
        db.session.flush()
        db.session.add(Reminder(user_id=client_id, kind="routine", title="Hip opener", routine_id=routine_id,
                                assignment_id=assignment.id, schedule={"type": "daily", "times": ["07:30"]}))
        db.session.commit()
        return assignment.id


def _me(api, token) -> dict:
    return api.get("/api/v1/me", token=token).get_json()


def test_create_returns_the_routine_shape_published_as_version_1(app, api, coach):
    body = _create(api, coach)
    assert body["version"] == 1 and body["has_draft"] is False and body["clients"] == []
    assert body["kind"] == "mobility" and body["is_stock"] is False and body["title"] == "Hip opener"
    assert body["slug"].startswith("hip-opener-") and any(c.isdigit() for c in body["slug"])
    assert [s["position"] for s in body["steps"]] == [1, 2] and body["steps"][1]["optional"] is True
    assert body["total_seconds"] == 40 and body["total_seconds_with_optional"] == 70
    with app.app_context():
        version = db.session.scalar(select(RoutineVersion).where(RoutineVersion.routine_id == body["id"]))
        assert version.version == 1 and [s["title"] for s in version.steps] == ["Lunge", "Breathe"]
    listed = api.get(URL, token=coach).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert api.get(f"{URL}/{body['id']}", token=coach).get_json()["slug"] == body["slug"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": ""}, "title"),
    ({"title": "x" * (limits.ROUTINE_TITLE + 1)}, "title"),
    ({"kind": "cardio"}, "kind"),
    ({"steps": []}, "steps"),
    ({"steps": [{"title": "A", "instruction": "B", "seconds": 1}] * (limits.ROUTINE_STEPS + 1)}, "steps"),
    ({"steps": [{"title": "A", "instruction": "B", "seconds": 0}]}, "steps.0.seconds"),
    ({"steps": [{"title": "A", "instruction": "B", "seconds": limits.STEP_SECONDS + 1}]}, "steps.0.seconds"),
    ({"steps": [{"title": "A", "instruction": "B"}]}, "steps.0.seconds"),
    ({"steps": [{"title": "A", "instruction": "B", "seconds": 5}, {"title": " ", "instruction": "B", "seconds": 5}]},
     "steps.1.title"),
    ({"steps": [{"title": "A", "instruction": "B", "seconds": 5, "optional": True}]}, "steps"),
    ({"steps": [{"title": "A", "instruction": "Take ibuprofen first.", "seconds": 5}]}, "steps.0.instruction"),
    ({"steps": [{"stock_step": 999999}]}, "steps.0.stock_step"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_routines_name_the_field(api, coach, overrides, field):
    response = api.post(URL, json=_body(**overrides), token=coach)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"], error


def test_a_stock_step_is_copied_and_its_own_values_win(seeded, api, coach):
    with seeded.app_context():
        stock = db.session.scalar(select(RoutineStep).join(Routine).where(Routine.is_stock.is_(True))
                                  .order_by(RoutineStep.id))
        expected = (stock.title, stock.instruction, stock.seconds)
    body = _create(api, coach, steps=[{"stock_step": stock.id}, {"stock_step": stock.id, "seconds": 5}])
    first, second = body["steps"]
    assert (first["title"], first["instruction"], first["seconds"]) == expected
    assert (second["title"], second["seconds"]) == (expected[0], 5)


def test_publish_moves_active_assignments_only_and_never_a_session(app, api, coach):
    routine = _create(api, coach)
    trainer_id = _me(api, coach)["id"]
    ana, _ = api.register(display_name="Ana")
    ben, _ = api.register(display_name="Ben")
    active = _assign(app, trainer_id, ana["id"], routine["id"])
    ended = _assign(app, trainer_id, ben["id"], routine["id"], ended=True)
    with app.app_context():
        db.session.add(RoutineSession(user_id=ana["id"], routine_id=routine["id"], routine_slug=routine["slug"],
                                      routine_title="Hip opener", routine_version=1, assignment_id=active,
                                      started_at=T0, completed=True, completed_steps=[1], steps_total=2))
        db.session.commit()
    assert [c["display_name"] for c in api.get(f"{URL}/{routine['id']}", token=coach).get_json()["clients"]] == ["Ana"]

    response = api.patch(f"{URL}/{routine['id']}", json={"title": "Hip opener 2",
                                                           "steps": [{"title": "Squat", "instruction": "Sit back.",
                                                                      "seconds": 20}]}, token=coach)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == 2 and body["title"] == "Hip opener 2" and body["has_draft"] is False
    assert [c["display_name"] for c in body["clients"]] == ["Ana"]
    with app.app_context():
        assert db.session.get(Assignment, active).routine_version == 2
        assert db.session.get(Assignment, ended).routine_version == 1
        session = db.session.scalar(select(RoutineSession))
        assert (session.routine_version, session.routine_title, session.completed_steps) == (1, "Hip opener", [1])
        versions = db.session.scalars(select(RoutineVersion).where(RoutineVersion.routine_id == routine["id"])
                                      .order_by(RoutineVersion.version)).all()
        assert [(v.version, v.title, len(v.steps)) for v in versions] == [(1, "Hip opener", 2), (2, "Hip opener 2", 1)]


def test_only_the_author_reaches_a_routine(app, api, coach):
    routine = _create(api, coach)
    _other, other_token = api.register(role="trainer")
    _athlete, athlete_token = api.register()
    path = f"{URL}/{routine['id']}"
    for method, json in (("get", None), ("patch", {"title": "Mine now"}), ("delete", None)):
        assert getattr(api, method)(path, json=json, token=other_token).status_code == 404
        assert getattr(api, method)(path, json=json, token=athlete_token).status_code == 403
        assert getattr(api, method)(path, json=json).status_code == 401
    assert api.get(URL, token=other_token).get_json()["items"] == []
    assert api.get(URL, token=athlete_token).status_code == 403
    assert api.post(URL, json=_body(), token=athlete_token).status_code == 403
    assert api.post(URL, json=_body()).status_code == 401
    # A stock routine is no trainer's to change, and an unknown id reads the same as another's.
    with app.app_context():
        db.session.add(Routine(slug="stock-one", title="Stock", kind="relief", summary="", is_stock=True))
        db.session.commit()
        stock_id = db.session.scalar(select(Routine.id).where(Routine.slug == "stock-one"))
    assert api.get(f"{URL}/{stock_id}", token=coach).status_code == 404
    assert api.get(f"{URL}/99999999", token=coach).status_code == 404
    assert api.get(path, token=coach).get_json()["title"] == "Hip opener"


def test_delete_ends_assignments_and_their_reminders_and_keeps_sessions(app, api, coach):
    routine = _create(api, coach)
    trainer_id = _me(api, coach)["id"]
    ana, _ = api.register(display_name="Ana")
    _assign(app, trainer_id, ana["id"], routine["id"])
    with app.app_context():
        db.session.add(RoutineSession(user_id=ana["id"], routine_id=routine["id"], routine_slug=routine["slug"],
                                      routine_title="Hip opener", routine_version=1, started_at=T0, completed=True,
                                      completed_steps=[1, 2], steps_total=2))
        db.session.commit()
    assert api.delete(f"{URL}/{routine['id']}", token=coach).status_code == 204
    assert api.get(f"{URL}/{routine['id']}", token=coach).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Reminder).where(Reminder.assignment_id.is_not(None))) is None
        assert db.session.scalars(select(Assignment).where(Assignment.ended_at.is_(None))).all() == []
        session = db.session.scalar(select(RoutineSession))
        assert (session.routine_id, session.routine_slug, session.routine_title) == (None, routine["slug"], "Hip opener")


def test_titles_come_back_as_typed_in_json(api, coach):
    body = _create(api, coach, title="<script>alert(1)</script>")
    assert body["title"] == "<script>alert(1)</script>"


def test_patch_refuses_nulls_and_a_stranger_cannot_publish(api, coach):
    routine = _create(api, coach)
    response = api.patch(f"{URL}/{routine['id']}", json={"title": None}, token=coach)
    assert response.status_code == 400 and "title" in response.get_json()["error"]["fields"]
    assert api.get(f"{URL}/{routine['id']}", token=coach).get_json()["version"] == 1
