"""A trainer is told, in the inbox and by push, when a client who shares their diary reaches urgent or emergency:
once per rise, with the client's name and the level word and nothing else; trainers without consent, with an
ended link or with no link hear nothing."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coach.episodes.service import add_follow_up, delete_episode
from coach.extensions import db
from coach.models import Episode, Notification, PushSubscription, TrainerLink, User
from coach.reminders import inbox
from coach.reminders.push import sender_for
from tests.factories import Api, make_episode
from tests.pushfake import FakePushService
from tests.reminder_helpers import push_config
from tests.trainer_helpers import link, make_user

NOW = datetime.now(UTC).replace(microsecond=0)
CLIENT = "Robin Client"
SECRET_NOTE = "fell off the squat rack near the mirror"


@pytest.fixture
def people(app):
    """A client and four trainers: sharing, linked without sharing, linked once (ended), not linked."""
    with app.app_context():
        ids = {"client": make_user(CLIENT)}
        for name in ("sharing", "private", "ended", "stranger"):
            ids[name] = make_user(name.title(), role="trainer")
        link(ids["sharing"], ids["client"], share=True)
        link(ids["private"], ids["client"], share=False)
        link(ids["ended"], ids["client"], share=True, ended_at=NOW - timedelta(days=1))
    return ids


def _notices(app, uid: int) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.user_id == uid).order_by(Notification.id)).all()
        db.session.expunge_all()
        return rows


def _urgent(app, uid, at=NOW, **values):
    return make_episode(app, uid, at, symptoms=["fever"], notes=SECRET_NOTE, **values)


def test_a_sharing_trainer_is_told_once_with_the_name_and_the_level_only(app, people):
    _urgent(app, people["client"])
    [notice] = _notices(app, people["sharing"])
    assert (notice.title, notice.body) == (f"Check in with {CLIENT}", "Their assessment is now urgent.")
    assert notice.url == f"/trainer/clients/{people['client']}" and notice.kind == "check_in"
    # Nothing but the name and the level: no symptom, no note, no rule, no place.
    text = f"{notice.title} / {notice.body}".replace(CLIENT, "<name>").replace("urgent", "<level>")
    assert text == "Check in with <name> / Their assessment is now <level>."
    for word in ("fever", "temperature", "squat", "lower", "back", "E1", "lifting", "severity"):
        assert word not in f"{notice.title} {notice.body}".lower()
    for uid in (people["private"], people["ended"], people["stranger"], people["client"]):
        assert _notices(app, uid) == []
    # Urgent again: already told.
    _urgent(app, people["client"], at=NOW + timedelta(minutes=5))
    assert len(_notices(app, people["sharing"])) == 1


def test_emergency_after_urgent_is_news_and_a_fall_below_urgent_resets_it(app, people):
    first = _urgent(app, people["client"])
    make_episode(app, people["client"], NOW, symptoms=["chest_pain"])
    titles = [(n.title, n.body) for n in _notices(app, people["sharing"])]
    assert titles == [(f"Check in with {CLIENT}", "Their assessment is now urgent."),
                      (f"Check in with {CLIENT}", "Their assessment is now emergency.")]
    _urgent(app, people["client"], at=NOW + timedelta(minutes=1))  # lower than what was announced: nothing
    assert len(_notices(app, people["sharing"])) == 2
    with app.app_context():
        client = db.session.get(User, people["client"])
        for episode_id in db.session.scalars(select(Episode.id).where(Episode.user_id == client.id)).all():
            delete_episode(client, episode_id)
        assert db.session.scalar(select(TrainerLink.notified_level).where(
            TrainerLink.trainer_id == people["sharing"])) is None
    assert first
    _urgent(app, people["client"], at=NOW + timedelta(minutes=2))  # risen again: told again
    assert [n.body for n in _notices(app, people["sharing"])][-1] == "Their assessment is now urgent."
    assert len(_notices(app, people["sharing"])) == 3
    assert all(_notices(app, people[name]) == [] for name in ("private", "ended", "stranger"))


def test_a_check_in_that_turns_urgent_tells_the_trainer(app, people):
    episode_id = make_episode(app, people["client"], NOW)
    assert _notices(app, people["sharing"]) == []
    with app.app_context():
        add_follow_up(db.session.get(User, people["client"]), episode_id,
                      {"status": "worse", "severity": 7, "symptoms": ["fever"]}, NOW + timedelta(minutes=5))
    [notice] = _notices(app, people["sharing"])
    assert notice.body == "Their assessment is now urgent."


def test_turning_sharing_off_stops_the_notices(app, people):
    with app.app_context():
        row = db.session.scalar(select(TrainerLink).where(TrainerLink.trainer_id == people["sharing"]))
        row.share_episodes = False
        db.session.commit()
    _urgent(app, people["client"])
    assert _notices(app, people["sharing"]) == []


def test_the_trainer_reads_the_notice_in_the_inbox_api_and_the_client_never_sees_it(app, people):
    _urgent(app, people["client"])
    api = Api(app.test_client())
    token = api.post("/api/v1/auth/token", json={"email": "sharing@example.com", "password": "correct horse battery"})
    assert token.status_code in (200, 201), token.get_json()
    inbox_page = api.get("/api/v1/notifications", token=token.get_json()["token"]).get_json()
    assert [n["title"] for n in inbox_page["items"]] == [f"Check in with {CLIENT}"] and inbox_page["unread_count"] == 1
    assert inbox_page["items"][0]["url"] == f"/trainer/clients/{people['client']}"


def test_a_push_goes_to_the_sharing_trainers_devices_only(app_factory):
    app = app_factory(**push_config())
    with app.app_context():
        key = sender_for(app).keys.public_key
        client = make_user(CLIENT)
        sharing, private = make_user("Sharing", role="trainer"), make_user("Private", role="trainer")
        link(sharing, client, share=True)
        link(private, client)
    with FakePushService(key) as service:
        devices = {uid: service.subscribe(name) for uid, name in ((sharing, "coach-phone"), (private, "other-phone"),
                                                                  (client, "client-phone"))}
        with app.app_context():
            for uid, device in devices.items():
                info = device.info()
                db.session.add(PushSubscription(user_id=uid, endpoint=info["endpoint"], p256dh=info["keys"]["p256dh"],
                                                auth=info["keys"]["auth"]))
            db.session.commit()
        _urgent(app, client)
        for thread in list(inbox.PUSHING):
            thread.join(10)
        deadline = time.monotonic() + 5
        while not service.delivered() and time.monotonic() < deadline:
            time.sleep(0.05)
        [message] = service.delivered()
        assert message.device == "coach-phone"
        assert message.payload["title"] == f"Check in with {CLIENT}"
        assert message.payload["body"] == "Their assessment is now urgent."
        assert message.payload["url"] == f"/trainer/clients/{client}"
        assert message.headers["urgency"] == "high"


def test_turning_sharing_on_while_urgent_tells_that_trainer_once(app, people):
    from coach.trainer.links import set_sharing

    _urgent(app, people["client"])
    assert _notices(app, people["private"]) == []  # linked, not sharing: nothing
    with app.app_context():
        client = db.session.get(User, people["client"])
        set_sharing(client, people["private"], True, NOW)
        set_sharing(client, people["private"], True, NOW)  # on again: no second notice
    [notice] = _notices(app, people["private"])
    assert notice.body == "Their assessment is now urgent."
    assert len(_notices(app, people["sharing"])) == 1  # the trainer already told is not told again
