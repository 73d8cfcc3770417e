"""Routines by id: a routine reminder stores its routine's id while people and the API still name it by slug; a
routine someone makes gets a slug no stock or other made routine has (drawing again on a clash); a deleted routine
leaves its reminder in place, opening the library."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from coach import routines
from coach.errors import NotFound
from coach.extensions import db
from coach.models import Notification, Reminder, Routine, RoutineStep, User
from coach.reminders.service import create_reminder
from coach.routines.service import add_made_routine
from tests.factories import add_own_routine
from tests.reminder_helpers import Clock, FakeSender, dispatcher, make_user, utc

DAILY = {"type": "daily", "times": ["07:30"]}
T0 = utc(2026, 11, 23, 5, 0)  # Monday 06:00 in Berlin


def _routine(title="Warm-up") -> Routine:
    routine = Routine(title=title, kind="prevention", summary="Before squats.", sources=[], evidence=[], next=[])
    routine.steps.append(RoutineStep(position=1, title="March", instruction="March on the spot.", seconds=60))
    return routine


def test_a_clash_of_made_slugs_draws_again(app, monkeypatch):
    draws = iter(["warm-up-2abcd", "warm-up-2abcd", "warm-up-3efgh"])
    monkeypatch.setattr(routines.service, "new_routine_slug", lambda title: next(draws))
    with app.app_context():
        ada, bo = make_user(), make_user()
        first = add_made_routine(ada, _routine())
        db.session.commit()
        second = add_made_routine(bo, _routine())
        db.session.commit()
        rows = db.session.execute(select(Routine.slug, Routine.owner_id, Routine.is_stock).order_by(Routine.id)).all()
        assert rows == [("warm-up-2abcd", ada.id, False), ("warm-up-3efgh", bo.id, False)]
        assert (first.slug, second.slug, len(second.steps)) == ("warm-up-2abcd", "warm-up-3efgh", 1)


def test_only_a_signed_in_person_makes_a_routine(app):
    with app.app_context(), pytest.raises(NotFound):
        add_made_routine(None, _routine())


def test_a_reminder_names_a_routine_by_slug_and_stores_its_id(app, api, seeded):
    user, token = api.register(timezone="Europe/Berlin")
    slug = add_own_routine(app, user["id"])
    made = api.post("/api/v1/reminders", token=token, json={"title": "Warm up", "kind": "routine", "routine": slug,
                                                            "schedule": DAILY})
    assert made.status_code == 201
    body = made.get_json()
    assert (body["routine"], body["url"], body["body"]) == (slug, f"/routines/{slug}/play", "Time for My warm-up.")
    stock = api.post("/api/v1/reminders", token=token, json={"title": "Floor", "kind": "routine",
                                                             "routine": "floor-mobility", "schedule": DAILY})
    with app.app_context():
        stored = db.session.get(Reminder, body["id"])
        mine = db.session.scalar(select(Routine).where(Routine.slug == slug))
        floor = db.session.scalar(select(Routine).where(Routine.slug == "floor-mobility"))
        assert stored.routine_id == mine.id
        assert db.session.get(Reminder, stock.get_json()["id"]).routine_id == floor.id
    # Another person cannot point a reminder at it: the slug names nothing they may play.
    _, other = api.register()
    refused = api.post("/api/v1/reminders", token=other, json={"title": "Theirs", "kind": "routine", "routine": slug,
                                                               "schedule": DAILY})
    assert refused.status_code == 400 and refused.get_json()["error"]["fields"]["routine"] == "no such routine"
    # Changing to another routine by slug, and away from routines altogether.
    moved = api.patch(f"/api/v1/reminders/{body['id']}", token=token, json={"routine": "walk-it-off"}).get_json()
    assert (moved["routine"], moved["url"]) == ("walk-it-off", "/routines/walk-it-off/play")
    plain = api.patch(f"/api/v1/reminders/{body['id']}", token=token, json={"kind": "custom", "routine": None})
    assert plain.status_code == 200 and plain.get_json()["routine"] is None
    with app.app_context():
        assert db.session.get(Reminder, body["id"]).routine_id is None


def test_a_deleted_routine_leaves_its_reminder_which_opens_the_library(app, api, seeded):
    user, token = api.register(timezone="Europe/Berlin")
    slug = add_own_routine(app, user["id"])
    made = api.post("/api/v1/reminders", token=token, json={"title": "Warm up", "kind": "routine", "routine": slug,
                                                            "schedule": DAILY}).get_json()
    with app.app_context():
        db.session.delete(db.session.scalar(select(Routine).where(Routine.slug == slug)))
        db.session.commit()
    kept = api.get(f"/api/v1/reminders/{made['id']}", token=token).get_json()
    assert (kept["title"], kept["kind"], kept["routine"], kept["url"]) == ("Warm up", "routine", None, "/routines")
    # It can still be paused and renamed; choosing a routine again needs one that exists.
    paused = api.patch(f"/api/v1/reminders/{made['id']}", token=token, json={"enabled": False, "title": "Old"})
    assert paused.status_code == 200 and paused.get_json()["enabled"] is False
    again = api.patch(f"/api/v1/reminders/{made['id']}", token=token, json={"routine": slug})
    assert again.status_code == 400 and again.get_json()["error"]["fields"]["routine"] == "no such routine"


def test_the_dispatcher_opens_the_routine_by_its_slug_or_the_library_when_it_is_gone(app, seeded):
    with app.app_context():
        uid = make_user("Europe/Berlin").id
    keep, drop = add_own_routine(app, uid, "Keep"), add_own_routine(app, uid, "Drop")
    with app.app_context():
        user = db.session.get(User, uid)
        for title, slug in (("Mine", keep), ("Floor", "floor-mobility"), ("Gone", drop)):
            create_reminder(user, {"title": title, "kind": "routine", "routine": slug, "schedule": DAILY}, T0)
        db.session.delete(db.session.scalar(select(Routine).where(Routine.slug == drop)))
        db.session.commit()
        dispatcher(FakeSender(), Clock(utc(2026, 11, 23, 6, 30, 1))).tick()
        urls = dict(db.session.execute(select(Notification.title, Notification.url)).all())
        assert urls == {"Mine": f"/routines/{keep}/play", "Floor": "/routines/floor-mobility/play", "Gone": "/routines"}


def test_the_form_offers_my_routines_by_slug_and_saves_the_id(app, web, client, seeded):
    data = web.register()
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == data["email"]))
    mine = add_own_routine(app, uid)
    theirs = add_own_routine(app, make_other(app), "Their stretch")
    page = client.get("/reminders/new?preset=routine").get_data(as_text=True)
    assert f'value="{mine}"' in page and f'value="{theirs}"' not in page and 'value="floor-mobility"' in page
    form = {"title": "Warm up", "kind": "routine", "routine": mine, "body": "", "schedule_type": "daily",
            "times-0": "07:30", "weekdays": ["1", "2", "3", "4", "5"], "enabled": "y"}
    assert web.post("/reminders/new", form, page="/reminders/new?preset=routine").status_code == 302
    with app.app_context():
        reminder = db.session.scalar(select(Reminder).where(Reminder.user_id == uid))
        assert reminder.routine.slug == mine and reminder.body == "Time for My warm-up."
    edit = client.get(f"/reminders/{reminder.id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{mine}">|value="{mine}" selected', edit)
    refused = web.post("/reminders/new", {**form, "routine": theirs}, page="/reminders/new?preset=routine")
    assert refused.status_code == 400


def make_other(app) -> int:
    with app.app_context():
        return make_user().id
