"""The per-worker assessment cache (coach/episodes/assessment_cache.py) never answers with what the data no longer
says: every write the assessment reads moves users.assessment_rev in its own transaction, an emergency logged in one
worker is seen by the next request in another, and the answer moves with the local day and with records dated
after `now`."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from coach.domain import triage
from coach.episodes.assessment_cache import EXTENSION
from coach.episodes.schemas import AssessmentOut
from coach.episodes.service import add_follow_up, delete_episode, log_episode, update_episode, upsert_episode
from coach.extensions import db
from coach.formats import on_day
from coach.models import User
from tests.factories import Api, WebSession
from tests.web.test_bounded_history import full_history


def at(moment: datetime) -> str:
    return quote(moment.isoformat())


def spasm(started_at: datetime, **values) -> dict:
    return {"started_at": started_at.isoformat(), "severity": 4, "locations": ["lower_back"], **values}


def uncached(app, user_id: int, now: datetime) -> dict:
    """The engine over every row, as the API shapes it: what a worker with no cache would answer."""
    with app.app_context():
        user = db.session.get(User, user_id)
        episodes, follow_ups = full_history(user)
        result = triage.assess(episodes, follow_ups, triage.Profile(
            birth_year=user.birth_year, **{name: bool(getattr(user, name)) for name in triage.Profile.__dataclass_fields__
                                           if name != "birth_year"}), now, user.timezone, on_day)
        return AssessmentOut.model_validate(result).model_dump(mode="json")


def rev(app, user_id: int) -> int:
    with app.app_context():
        return db.session.get(User, user_id).assessment_rev


def test_an_emergency_logged_in_one_worker_is_seen_by_the_next_request_in_another(app_factory):
    first, second = app_factory(), app_factory()  # two create_app() on one database: two gunicorn workers
    one, two = Api(first.test_client()), Api(second.test_client())
    _, token = one.register()
    assert two.get("/api/v1/assessment", token=token).get_json()["level"] == "none"
    assert two.get("/api/v1/assessment", token=token).get_json()["level"] == "none"  # now from the second's cache
    assert len(second.extensions[EXTENSION]) == 1
    now = datetime.now(UTC)
    created = one.post("/api/v1/episodes", json=spasm(now - timedelta(minutes=5), locations=["chest"]), token=token)
    assert created.status_code == 201 and created.get_json()["assessment"]["level"] == "emergency"
    answer = two.get("/api/v1/assessment", token=token).get_json()
    assert answer["level"] == "emergency" and answer["flags"][0]["rule"] == "E7"
    # And back: deleting it in the second worker is seen by the first, whose cache held the emergency.
    assert one.get("/api/v1/assessment", token=token).get_json()["level"] == "emergency"
    assert two.delete(f"/api/v1/episodes/{created.get_json()['episode']['id']}", token=token).status_code == 204
    assert one.get("/api/v1/assessment", token=token).get_json()["level"] == "none"


def test_signed_in_pages_see_an_emergency_from_another_worker(app_factory):
    first, second = app_factory(), app_factory()
    one = Api(first.test_client())
    user, token = one.register()
    web = WebSession(second.test_client())
    assert web.login(user["email"]).status_code == 302
    assert 'name="coach-level" content="none"' in web.client.get("/diary").get_data(as_text=True)
    one.post("/api/v1/episodes", json=spasm(datetime.now(UTC) - timedelta(minutes=1), symptoms=["saddle_numbness"]),
             token=token)
    assert 'name="coach-level" content="emergency"' in web.client.get("/diary").get_data(as_text=True)
    home = web.client.get("/")
    assert home.status_code == 303 and "reason=assessment" in home.headers["Location"]


NOW = datetime(2026, 6, 15, 11, 0, tzinfo=UTC)


def writes():
    """Each kind of write the assessment reads, as the service functions every page and API call go through."""
    def log(user, ids):
        ids.append(log_episode(user, {"started_at": NOW - timedelta(days=2), "severity": 8, "locations": ["calf"],
                                      "trigger": "lifting"}, NOW)[0].id)

    def upsert_new(user, ids):
        ids.append(upsert_episode(user, "0b9b6f7e-7d3c-4c51-9f55-0b3b2a1c9d10", {
            "started_at": NOW - timedelta(hours=3), "symptoms": ["fever"]}, NOW)[0].id)

    def upsert_merge(user, ids):
        upsert_episode(user, "0b9b6f7e-7d3c-4c51-9f55-0b3b2a1c9d10", {"locked_minutes": 61}, NOW)

    def upsert_undo(user, ids):
        upsert_episode(user, "0b9b6f7e-7d3c-4c51-9f55-0b3b2a1c9d10", {
            "remove_symptoms": ["fever"], "clear_if": {"locked_minutes": 61}}, NOW)

    def edit(user, ids):
        update_episode(user, ids[0], {"locations": ["chest"]}, NOW)

    def follow_up(user, ids):
        add_follow_up(user, ids[0], {"status": "worse", "severity": 9, "symptoms": ["cannot_stand"]}, NOW)

    def delete(user, ids):
        delete_episode(user, ids[0])

    def profile(name, value):
        def change(user, ids):
            from coach.account.profile import ProfileChanges, update_profile

            update_profile(user, ProfileChanges({name: value}), NOW)
        change.__name__ = f"profile_{name}"
        return change

    def prompt(user, ids):
        from coach.account.profile import finish_profile_prompt

        finish_profile_prompt(user, {"osteoporosis": True}, NOW)

    return [log, upsert_new, upsert_merge, upsert_undo, edit, follow_up, profile("birth_year", 1950),
            profile("kidney_disease", True), profile("timezone", "Pacific/Auckland"), prompt, delete]


def test_every_write_moves_the_revision_and_the_cached_answer_is_the_uncached_one(app):
    api = Api(app.test_client())
    user, token = api.register()
    ids: list[int] = []
    url = f"/api/v1/assessment?at={at(NOW)}"
    for write in writes():
        before = rev(app, user["id"])
        api.get(url, token=token)  # the cache holds the answer before the write
        with app.app_context():
            write(db.session.get(User, user["id"]), ids)
        assert rev(app, user["id"]) > before, write.__name__
        cached = api.get(url, token=token).get_json()
        assert cached == uncached(app, user["id"], NOW), write.__name__
        assert api.get(url, token=token).get_json() == cached  # and again, from the cache


def test_a_change_the_assessment_does_not_read_keeps_the_revision(app):
    api = Api(app.test_client())
    user, token = api.register()
    before = rev(app, user["id"])
    assert api.patch("/api/v1/me", json={"display_name": "Someone else", "country": "IE"}, token=token).status_code == 200
    assert rev(app, user["id"]) == before


def test_the_api_write_paths_move_the_revision(app):
    api = Api(app.test_client())
    user, token = api.register()
    now = datetime.now(UTC)
    steps = [
        ("POST /episodes", lambda: api.post("/api/v1/episodes", json=spasm(now - timedelta(hours=1)), token=token)),
        ("PUT /episodes/by-client", lambda: api.call("PUT", "/api/v1/episodes/by-client/4c1f0c8e-3a57-4d0c-b1a4-"
                                                     "5b8a3f2e9d01", json={"started_at": now.isoformat()},
                                                     token=token)),
        ("PATCH /episodes", lambda: api.patch(f"/api/v1/episodes/{first}", json={"severity": 9}, token=token)),
        ("POST /follow-ups", lambda: api.post(f"/api/v1/episodes/{first}/follow-ups", json={"status": "same"},
                                              token=token)),
        ("PATCH /me", lambda: api.patch("/api/v1/me", json={"heavy_sweater": True}, token=token)),
        ("DELETE /episodes", lambda: api.delete(f"/api/v1/episodes/{first}", token=token)),
    ]
    first = None
    for name, call in steps:
        before = rev(app, user["id"])
        response = call()
        assert response.status_code in (200, 201, 204), (name, response.get_json())
        if first is None:
            first = response.get_json()["episode"]["id"]
        assert rev(app, user["id"]) == before + 1, name


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Auckland"])
def test_the_answer_moves_with_the_local_day(app, zone):
    api = Api(app.test_client())
    user, token = api.register(timezone=zone)
    evening = datetime(2026, 6, 15, 23, 50, tzinfo=ZoneInfo(zone))
    api.post("/api/v1/episodes", json=spasm(evening - timedelta(hours=1), locations=["jaw"]), token=token)
    late = api.get(f"/api/v1/assessment?at={at(evening)}", token=token).get_json()
    assert late["flags"][0]["reason"] == "You logged a spasm in your jaw today."
    after_midnight = api.get(f"/api/v1/assessment?at={at(evening + timedelta(minutes=20))}", token=token).get_json()
    assert after_midnight["flags"][0]["reason"] == "You logged a spasm in your jaw yesterday."
    week_later = api.get(f"/api/v1/assessment?at={at(evening + timedelta(days=7))}", token=token).get_json()
    assert week_later["level"] == "none"
    assert after_midnight == uncached(app, user["id"], evening + timedelta(minutes=20))


def test_a_spasm_dated_a_few_minutes_ahead_counts_from_its_time(app):
    # A phone's clock may run up to 10 minutes fast: such a log is saved, and counts once its time comes.
    api = Api(app.test_client())
    user, token = api.register()
    now = datetime.now(UTC)
    api.get(f"/api/v1/assessment?at={at(now)}", token=token)
    assert api.post("/api/v1/episodes", json=spasm(now + timedelta(minutes=5), locations=["chest"]),
                    token=token).status_code == 201
    assert api.get(f"/api/v1/assessment?at={at(now + timedelta(minutes=1))}", token=token).get_json()["level"] == "none"
    assert api.get(f"/api/v1/assessment?at={at(now + timedelta(minutes=6))}",
                   token=token).get_json()["level"] == "emergency"
    # An earlier moment of the same day is not served the later answer either.
    assert api.get(f"/api/v1/assessment?at={at(now + timedelta(minutes=2))}", token=token).get_json()["level"] == "none"


def test_what_a_rolled_back_write_showed_is_never_served_later(app):
    # A transaction that wrote and then rolled back gave back its revision number; the next real write takes the
    # same number, so nothing computed inside that transaction may have been kept under it.
    from coach.episodes.service import assess_user
    from coach.models import Episode

    api = Api(app.test_client())
    user, token = api.register()
    with app.app_context():
        person = db.session.get(User, user["id"])
        db.session.add(Episode(user_id=person.id, started_at=NOW - timedelta(hours=1), locations=["chest"], symptoms=[]))
        db.session.flush()
        assert assess_user(person, NOW).level == "emergency"  # this transaction sees its own write
        db.session.rollback()
        log_episode(db.session.get(User, user["id"]), {"started_at": NOW - timedelta(hours=2), "severity": 2,
                                                       "locations": ["neck"]}, NOW)
    assert api.get(f"/api/v1/assessment?at={at(NOW)}", token=token).get_json() == uncached(app, user["id"], NOW)
    assert api.get(f"/api/v1/assessment?at={at(NOW)}", token=token).get_json()["level"] == "none"
