"""Accepting at the same moment: a double tap on one code, and two codes of one trainer sent together (two
invites, two tabs), each end with one link and a friendly answer for both requests, never a 500 or a 'not
valid' to someone who is linked. The two requests are held until both have checked for a link (tests/web/
test_save_once.py's barrier), so the race happens every run."""
from __future__ import annotations

from sqlalchemy import func, select

from coach.extensions import db
from coach.models import Invite, TrainerLink, User
from coach.trainer.invites import create_invite
from tests.web.test_save_once import _both_at_once

HOLD = ("before_cursor_execute", "UPDATE invites SET")


def _people(app, api):
    trainer, _ = api.register(display_name="Coach Lee", role="trainer", email="lee@example.com")
    client, token = api.register(display_name="Ann", email="ann@example.com")
    with app.app_context():
        coach = db.session.get(User, trainer["id"])
        codes = [create_invite(coach).code for _ in range(2)]
    return token, codes


def _links(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(TrainerLink))


def test_a_double_tap_on_one_code_links_once_and_both_answers_say_linked(app_factory, api):
    app = app_factory()
    token, (code, _) = _people(app, api)
    results = _both_at_once([app, app_factory()], "trainer_links",
                            lambda client: client.post("/api/v1/links", json={"code": code}, token=token), hold=HOLD)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 201], [r.get_json() for r in results]
    assert {r.get_json()["trainer"]["display_name"] for r in results} == {"Coach Lee"}
    assert _links(app) == 1


def test_two_codes_of_one_trainer_at_once_make_one_link_and_keep_one_code(app_factory, api):
    app = app_factory()
    token, codes = _people(app, api)
    results = _both_at_once([app, app_factory()], "trainer_links",
                            lambda client: client.post("/api/v1/links", json={"code": codes.pop()}, token=token),
                            hold=HOLD)
    assert sorted(r.status_code for r in results) == [200, 201], [r.get_json() for r in results]
    assert _links(app) == 1
    with app.app_context():  # the code of the request that did not link stays free for someone else
        assert db.session.scalar(select(func.count()).select_from(Invite).where(Invite.used_at.is_(None))) == 1
