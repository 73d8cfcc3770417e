"""GET /api/v1/trainer/clients (needs attention first), GET /trainer/clients/{id} (episodes and assessment only
while shared), PUT the private note, DELETE ends the link; 403 for an athlete, 404 for anyone not linked."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.auth.service import issue_token
from coach.extensions import db
from coach.models import TrainerLink, User
from tests import client_seed as seed

NOW = datetime.now(UTC)


@pytest.fixture
def world(seeded):
    """A trainer with three clients: Ann shares and had an emergency, Bob does not share (a spasm he logged), and
    Cy has an assignment done every morning; another trainer and a stranger athlete."""
    app = seeded
    with app.app_context():
        trainer = seed.person("Coach Kim", role="trainer")
        other = seed.person("Coach Lee", role="trainer")
        stranger = seed.person("Stranger")
        routine = seed.routine_of(trainer)
        ann, bob, cy = seed.person("Ann"), seed.person("Bob"), seed.person("Cy")
        seed.link(trainer, ann, NOW - timedelta(days=30), share=True)
        seed.link(trainer, bob, NOW - timedelta(days=30), share=False, note="Knee surgery in May")
        seed.link(trainer, cy, NOW - timedelta(days=30))
        seed.link(other, bob, NOW - timedelta(days=30), share=True)
        seed.spasm(ann, NOW - timedelta(hours=3), symptoms=["bladder_bowel_change"])
        seed.spasm(bob, NOW - timedelta(hours=3), symptoms=["bladder_bowel_change"])
        assignment = seed.assign(trainer, cy, routine, NOW - timedelta(days=20))
        for k in range(1, 12):
            seed.played(cy, NOW - timedelta(days=k), assignment)
        db.session.add(seed.played(bob, NOW - timedelta(days=1)))
        db.session.commit()
        tokens = {name: issue_token(user, NOW, 1)[0]
                  for name, user in (("kim", trainer), ("lee", other), ("stranger", stranger), ("ann", ann))}
        ids = {"ann": ann.id, "bob": bob.id, "cy": cy.id}
    return app, tokens, ids


def test_the_list_puts_the_emergency_first_and_hides_what_is_not_shared(world, api):
    _, tokens, ids = world
    response = api.get("/api/v1/trainer/clients", token=tokens["kim"])
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [c["display_name"] for c in items] == ["Ann", "Bob", "Cy"]
    ann, bob, cy = items
    assert ann["flag_level"] == "emergency"
    assert ann["attention"] == {"rank": 0, "reason": "Emergency flag in their diary: check in with them"}
    assert bob["flag_level"] is None and bob["attention"]["reason"] is None  # his spasm is not shared with Kim
    assert cy["adherence_7d"] is not None and cy["adherence_30d"] is not None
    assert set(ann) == {"id", "display_name", "linked_at", "share_episodes", "adherence_7d", "adherence_30d",
                        "last_session_at", "flag_level", "attention"}
    assert "note" not in response.get_data(as_text=True)


def test_detail_has_episodes_and_assessment_only_while_shared(world, api):
    _, tokens, ids = world
    shared = api.get(f"/api/v1/trainer/clients/{ids['ann']}", token=tokens["kim"]).get_json()
    assert shared["assessment"]["level"] == "emergency" and len(shared["episodes"]) == 1
    assert set(shared["adherence"]) == {"last_7_days", "last_30_days"}
    private = api.get(f"/api/v1/trainer/clients/{ids['bob']}", token=tokens["kim"])
    assert private.status_code == 200
    body = private.get_json()
    assert "episodes" not in body and "assessment" not in body
    assert len(body["sessions"]) == 1


def test_an_assignment_done_every_morning_shows_in_the_detail(world, api):
    _, tokens, ids = world
    body = api.get(f"/api/v1/trainer/clients/{ids['cy']}", token=tokens["kim"]).get_json()
    week = body["adherence"]["last_7_days"]
    assert week["pct"] is not None and week["pct"] >= 80
    assert len(week["days"]) == 7
    assert body["assignments"][0]["routine_title"] == "Warm-up"


@pytest.mark.parametrize("who, status", [("stranger", 403), ("ann", 403), ("lee", 404)])
def test_others_get_403_for_the_role_or_404_for_the_client(world, api, who, status):
    _, tokens, ids = world
    assert api.get(f"/api/v1/trainer/clients/{ids['cy']}", token=tokens[who]).status_code == status
    assert api.call("PUT", f"/api/v1/trainer/clients/{ids['cy']}/note", json={"text": "x"},
                    token=tokens[who]).status_code == status


def test_anonymous_is_401(api):
    assert api.get("/api/v1/trainer/clients").status_code == 401


def test_the_note_is_the_trainers_alone(world, api):
    app, tokens, ids = world
    response = api.call("PUT", f"/api/v1/trainer/clients/{ids['bob']}/note", json={"text": "  Prefers mornings "},
                        token=tokens["kim"])
    assert response.status_code == 200 and response.get_json()["text"] == "Prefers mornings"
    too_long = api.call("PUT", f"/api/v1/trainer/clients/{ids['bob']}/note", json={"text": "x" * 2001},
                        token=tokens["kim"])
    assert too_long.status_code == 400
    with app.app_context():
        links = {link.trainer.display_name: link.note for link in db.session.query(TrainerLink).filter_by(client_id=ids["bob"])}
    assert links == {"Coach Kim": "Prefers mornings", "Coach Lee": None}
    lee_view = api.get(f"/api/v1/trainer/clients/{ids['bob']}", token=tokens["lee"]).get_data(as_text=True)
    assert "Prefers mornings" not in lee_view


def test_ending_the_link_from_the_trainers_side(world, api):
    app, tokens, ids = world
    assert api.delete(f"/api/v1/trainer/clients/{ids['cy']}", token=tokens["kim"]).status_code == 204
    assert api.get(f"/api/v1/trainer/clients/{ids['cy']}", token=tokens["kim"]).status_code == 404
    assert api.delete(f"/api/v1/trainer/clients/{ids['cy']}", token=tokens["kim"]).status_code == 404
    names = [c["display_name"] for c in api.get("/api/v1/trainer/clients", token=tokens["kim"]).get_json()["items"]]
    assert names == ["Ann", "Bob"]
    with app.app_context():
        assert db.session.get(User, ids["cy"]) is not None
