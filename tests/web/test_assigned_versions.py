"""A client plays a trainer's routine only as the version assigned: a draft the trainer saved never reaches
them (not by the routine's slug, not in the library, not in "Assigned to me"); publishing moves them on, the
reminder's title too; a link to the routine's own player goes to the assignment; and a client cannot make a
reminder of their own for a trainer's routine (the assignment's reminder is the one)."""
from __future__ import annotations

import pytest

from tests.factories import WebSession, page_text

DAILY = {"type": "daily", "times": ["07:30"]}
V1 = {"title": "Morning back", "kind": "mobility", "summary": "Two moves.",
      "steps": [{"title": "Cat and camel", "instruction": "Round then arch.", "seconds": 40}]}


@pytest.fixture
def coached(app, api, seeded):
    trainer, t = api.register(display_name="Coach Lee", role="trainer", email="lee@example.com")
    client, c = api.register(display_name="Ann", email="ann@example.com")
    from coach.extensions import db
    from coach.models import TrainerLink

    with app.app_context():
        db.session.add(TrainerLink(trainer_id=trainer["id"], client_id=client["id"]))
        db.session.commit()
    routine = api.post("/api/v1/trainer/routines", json=V1, token=t).get_json()
    made = api.post("/api/v1/trainer/assignments", json={"client_id": client["id"], "routine": routine["slug"],
                                                          "schedule": DAILY}, token=t)
    assert made.status_code == 201, made.get_json()
    return {"t": t, "c": c, "routine": routine, "assignment": made.get_json()["id"]}


def _draft(app, api, s):
    """The trainer saves a draft through the builder page: a new title and a secret step, not published."""
    web = WebSession(app.test_client())
    assert web.login("lee@example.com").status_code == 302
    rid = s["routine"]["id"]
    saved = web.post(f"/trainer/routines/{rid}", {
        "title": "DRAFT TITLE", "kind": "mobility", "summary": "Two moves.", "action": "save",
        "steps-0-title": "SECRET DRAFT STEP", "steps-0-instruction": "Not yet.", "steps-0-seconds": "30",
    }, page=f"/trainer/routines/{rid}")
    assert saved.status_code in (200, 302), saved.get_data(as_text=True)[:500]
    mine = api.get(f"/api/v1/trainer/routines/{rid}", token=s["t"]).get_json()
    assert mine["has_draft"] is True and mine["title"] == "DRAFT TITLE"  # the trainer sees the working copy
    return web


def test_a_draft_never_reaches_the_client(app, api, coached):
    s = coached
    _draft(app, api, s)
    slug = s["routine"]["slug"]
    # Not by the slug, not in the library.
    assert api.get(f"/api/v1/routines/{slug}", token=s["c"]).status_code == 404
    assert slug not in [r["slug"] for r in api.get("/api/v1/routines", token=s["c"]).get_json()["items"]]
    # What is assigned is version 1: its title and steps.
    (mine,) = api.get("/api/v1/assignments", token=s["c"]).get_json()["items"]
    assert mine["routine"]["version"] == 1
    assert "SECRET DRAFT STEP" not in str(mine) and "DRAFT TITLE" not in str(mine)
    client = WebSession(app.test_client())
    assert client.login("ann@example.com").status_code == 302
    page = page_text(client.client.get("/assigned").get_data(as_text=True))
    assert "Morning back" in page and "DRAFT TITLE" not in page
    played = client.client.get(f"/assigned/{s['assignment']}/play").get_data(as_text=True)
    assert "Cat and camel" in played and "SECRET DRAFT STEP" not in played
    # The routine's own player sends her to the assignment's.
    redirect = client.client.get(f"/routines/{slug}/play")
    assert redirect.status_code == 302 and redirect.headers["Location"].endswith(f"/assigned/{s['assignment']}/play")


def test_publishing_moves_the_client_and_the_reminder_title_on(app, api, coached):
    s = coached
    rid = s["routine"]["id"]
    published = api.patch(f"/api/v1/trainer/routines/{rid}", json={**V1, "title": "Morning back, longer"},
                          token=s["t"])
    assert published.status_code == 200 and published.get_json()["version"] == 2
    (mine,) = api.get("/api/v1/assignments", token=s["c"]).get_json()["items"]
    assert mine["routine"]["version"] == 2 and mine["routine"]["title"] == "Morning back, longer"
    (reminder,) = api.get("/api/v1/reminders", token=s["c"]).get_json()["items"]
    assert reminder["title"] == "Morning back, longer"


def test_a_client_cannot_make_their_own_reminder_of_a_trainers_routine(api, coached):
    s = coached
    response = api.post("/api/v1/reminders", json={"title": "Mine", "kind": "routine",
                                                   "routine": s["routine"]["slug"], "schedule": DAILY}, token=s["c"])
    assert response.status_code == 400 and "routine" in response.get_json()["error"]["fields"]
