"""A client's trainers through the API: accept a code (once, forgivingly typed), list, share, end; what ending
a link does to that trainer's assignments and reminders; roles, ownership and the rate limit on guesses."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.errors import Forbidden, NotFound, ValidationError
from coach.extensions import db
from coach.models import Assignment, AssignmentPause, Invite, Reminder, Routine, TrainerLink, User
from coach.trainer.links import accept_invite, end_link

INVITES, LINKS = "/api/v1/trainer/invites", "/api/v1/links"
NOT_VALID = "This code is not valid: ask your trainer for a new one."


def _invite(api, token) -> dict:
    return api.post(INVITES, token=token).get_json()


def _pair(api):
    trainer, trainer_token = api.register(role="trainer", display_name="Coach Kim")
    client, client_token = api.register()
    return trainer, trainer_token, client, client_token


def test_a_client_accepts_a_code_typed_loosely(api):
    trainer, trainer_token, _, token = _pair(api)
    code = _invite(api, trainer_token)["code"]
    typed = f" {code[:4].lower()}-{code[4:].lower()} "
    accepted = api.post(LINKS, json={"code": typed}, token=token)
    assert accepted.status_code == 201
    body = accepted.get_json()
    assert body["trainer"] == {"id": trainer["id"], "display_name": "Coach Kim"}
    assert body["share_episodes"] is False and body["linked_at"].endswith("Z")
    assert api.get(LINKS, token=token).get_json()["items"] == [body]


def test_a_code_works_once(api):
    _, trainer_token, _, first = _pair(api)
    _, second = api.register()
    code = _invite(api, trainer_token)["code"]
    assert api.post(LINKS, json={"code": code}, token=first).status_code == 201
    refused = api.post(LINKS, json={"code": code}, token=second)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == {"code": "validation_error", "message": NOT_VALID,
                                           "fields": {"code": NOT_VALID}}


@pytest.mark.parametrize("code", ["ACEFHJKM", "nonsense", "ACEF-HJK0", "x" * 64])
def test_unknown_and_malformed_codes_get_the_same_message(api, code):
    _, token = api.register()
    refused = api.post(LINKS, json={"code": code}, token=token)
    assert refused.status_code == 400 and refused.get_json()["error"]["message"] == NOT_VALID


def test_an_expired_code_gets_the_same_message(app, api):
    _, trainer_token, _, token = _pair(api)
    invite = _invite(api, trainer_token)
    with app.app_context():
        row = db.session.get(Invite, invite["id"])
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    refused = api.post(LINKS, json={"code": invite["code"]}, token=token)
    assert refused.status_code == 400 and refused.get_json()["error"]["message"] == NOT_VALID


def test_expiry_at_seven_days_with_fixed_times(app, api):
    trainer, trainer_token, client, _ = _pair(api)
    made = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    with app.app_context():
        invite = Invite(trainer_id=trainer["id"], code="ACEFHJKM", created_at=made, expires_at=made + timedelta(days=7))
        db.session.add(invite)
        db.session.commit()
        athlete = db.session.get(User, client["id"])
        with pytest.raises(ValidationError, match="not valid"):
            accept_invite(athlete, "acef hjkm", made + timedelta(days=7))
        assert accept_invite(athlete, "acef hjkm", made + timedelta(days=7) - timedelta(minutes=1)).created


def test_a_trainer_cannot_accept_a_code(api):
    _, trainer_token, _, _ = _pair(api)
    _, other_trainer = api.register(role="trainer")
    code = _invite(api, trainer_token)["code"]
    refused = api.post(LINKS, json={"code": code}, token=other_trainer)
    assert refused.status_code == 403 and "for clients" in refused.get_json()["error"]["message"]
    for method, path, body in (("GET", LINKS, None), ("PATCH", f"{LINKS}/1", {"share_episodes": True}),
                               ("DELETE", f"{LINKS}/1", None)):
        assert api.call(method, path, json=body, token=other_trainer).status_code == 403
        assert api.call(method, path, json=body).status_code == 401
    assert api.post(LINKS, json={"code": code}).status_code == 401


def test_sharing_on_and_off(app, api):
    trainer, trainer_token, client, token = _pair(api)
    api.post(LINKS, json={"code": _invite(api, trainer_token)["code"]}, token=token)
    on = api.patch(f"{LINKS}/{trainer['id']}", json={"share_episodes": True}, token=token)
    assert on.status_code == 200 and on.get_json()["share_episodes"] is True and on.get_json()["share_changed_at"]
    with app.app_context():
        link = db.session.query(TrainerLink).one()
        link.notified_level = "urgent"
        db.session.commit()
    off = api.patch(f"{LINKS}/{trainer['id']}", json={"share_episodes": False}, token=token).get_json()
    assert off["share_episodes"] is False
    with app.app_context():
        assert db.session.query(TrainerLink).one().notified_level is None
    assert api.patch(f"{LINKS}/{trainer['id']}", json={"share_episodes": "yes"}, token=token).status_code == 400
    assert api.patch(f"{LINKS}/{trainer['id']}", json={}, token=token).status_code == 400


def test_another_persons_link_or_a_stranger_is_404(api):
    trainer, trainer_token, _, token = _pair(api)
    _, stranger = api.register()
    api.post(LINKS, json={"code": _invite(api, trainer_token)["code"]}, token=token)
    for method, body in (("PATCH", {"share_episodes": True}), ("DELETE", None)):
        assert api.call(method, f"{LINKS}/{trainer['id']}", json=body, token=stranger).status_code == 404
        assert api.call(method, f"{LINKS}/{trainer['id'] + 999}", json=body, token=token).status_code == 404
    assert api.get(LINKS, token=stranger).get_json()["items"] == []


def test_already_linked_is_a_friendly_no_op_and_keeps_the_code(api):
    trainer, trainer_token, _, token = _pair(api)
    api.post(LINKS, json={"code": _invite(api, trainer_token)["code"]}, token=token)
    api.patch(f"{LINKS}/{trainer['id']}", json={"share_episodes": True}, token=token)
    second = _invite(api, trainer_token)
    again = api.post(LINKS, json={"code": second["code"]}, token=token)
    assert again.status_code == 200 and again.get_json()["share_episodes"] is True
    states = {i["id"]: i["state"] for i in api.get(INVITES, token=trainer_token).get_json()["items"]}
    assert states[second["id"]] == "open"


def test_relinking_reopens_the_same_row_with_sharing_off(app, api):
    trainer, trainer_token, _, token = _pair(api)
    first = api.post(LINKS, json={"code": _invite(api, trainer_token)["code"]}, token=token).get_json()
    api.patch(f"{LINKS}/{trainer['id']}", json={"share_episodes": True}, token=token)
    assert api.delete(f"{LINKS}/{trainer['id']}", token=token).status_code == 204
    assert api.get(LINKS, token=token).get_json()["items"] == []
    assert api.delete(f"{LINKS}/{trainer['id']}", token=token).status_code == 404
    again = api.post(LINKS, json={"code": _invite(api, trainer_token)["code"]}, token=token)
    assert again.status_code == 201 and again.get_json()["share_episodes"] is False
    assert again.get_json()["linked_at"] >= first["linked_at"]
    with app.app_context():
        link = db.session.query(TrainerLink).one()
        assert link.ended_at is None and link.ended_by is None


def _assignment_with_reminder(app, trainer_id: int, client_id: int, *, paused: bool = False) -> tuple[int, int]:
    """An assignment of the trainer's own routine to the client, with its reminder (rows made directly)."""
    with app.app_context():
        routine = Routine(title="Hips", kind="prevention", summary="", sources=[], evidence=[], next=[],
                          slug=f"hips-{trainer_id}-{client_id}-{datetime.now(UTC).timestamp()}", owner_id=trainer_id)
        db.session.add(routine)
        db.session.flush()
        schedule = {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5, 6, 7]}
        assignment = Assignment(trainer_id=trainer_id, client_id=client_id, routine_id=routine.id, routine_version=1,
                                schedule=schedule, paused=paused)
        db.session.add(assignment)
        db.session.flush()
        if paused:
            db.session.add(AssignmentPause(assignment_id=assignment.id, by="client"))
        reminder = Reminder(user_id=client_id, title="Hips", kind="routine", routine_id=routine.id, schedule=schedule,
                            enabled=True, assignment_id=assignment.id,
                            next_fire_at=datetime.now(UTC) + timedelta(hours=1))
        db.session.add(reminder)
        db.session.commit()
        return assignment.id, reminder.id


def test_ending_a_link_ends_that_trainers_assignments_and_reminders_only(app, api):
    trainer, trainer_token, client, token = _pair(api)
    other, other_token = api.register(role="trainer")
    for code in (_invite(api, trainer_token)["code"], _invite(api, other_token)["code"]):
        assert api.post(LINKS, json={"code": code}, token=token).status_code == 201
    running, reminder = _assignment_with_reminder(app, trainer["id"], client["id"])
    paused, paused_reminder = _assignment_with_reminder(app, trainer["id"], client["id"], paused=True)
    kept, kept_reminder = _assignment_with_reminder(app, other["id"], client["id"])

    assert api.delete(f"{LINKS}/{trainer['id']}", token=token).status_code == 204
    with app.app_context():
        for ident in (running, paused):
            assert db.session.get(Assignment, ident).ended_at is not None
        assert db.session.query(AssignmentPause).filter(AssignmentPause.ended_at.is_(None)).count() == 0
        assert db.session.get(Reminder, reminder) is None and db.session.get(Reminder, paused_reminder) is None
        assert db.session.get(Assignment, kept).ended_at is None and db.session.get(Reminder, kept_reminder)
        link = db.session.query(TrainerLink).filter_by(trainer_id=trainer["id"]).one()
        assert link.ended_by == "client" and link.share_episodes is False
    assert [i["trainer"]["id"] for i in api.get(LINKS, token=token).get_json()["items"]] == [other["id"]]


def test_a_trainer_ends_a_link_by_client_id(app, api):
    trainer, trainer_token, client, token = _pair(api)
    stranger, _ = api.register()
    api.post(LINKS, json={"code": _invite(api, trainer_token)["code"]}, token=token)
    assignment, reminder = _assignment_with_reminder(app, trainer["id"], client["id"])
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with app.test_request_context():
        coach = db.session.get(User, trainer["id"])
        with pytest.raises(NotFound):
            end_link(coach, client_id=stranger["id"], now=now)
        with pytest.raises(Forbidden, match="for trainers only"):
            end_link(db.session.get(User, client["id"]), client_id=client["id"], now=now)  # a client names a trainer
        link = end_link(coach, client_id=client["id"], now=now)
        assert link.ended_at == now and link.ended_by == "trainer"
        assert db.session.get(Assignment, assignment).ended_at == now and db.session.get(Reminder, reminder) is None
        with pytest.raises(TypeError):
            end_link(coach, client_id=client["id"], trainer_id=trainer["id"])
    assert api.get(LINKS, token=token).get_json()["items"] == []


def test_guessing_codes_is_rate_limited(app_factory):
    from tests.factories import Api

    app = app_factory(RATELIMIT_INVITE_CODE_USER="3 per minute")
    api = Api(app.test_client())
    _, token = api.register()
    for _ in range(3):
        assert api.post(LINKS, json={"code": "ACEFHJKM"}, token=token).status_code == 400
    limited = api.post(LINKS, json={"code": "ACEFHJKM"}, token=token)
    assert limited.status_code == 429 and limited.headers.get("Retry-After")
