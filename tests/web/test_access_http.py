"""Access through the real app, pages and API, for every scope: the owner gets their data, another athlete gets
the same 404 as for something that does not exist (never 403, never the data), someone signed out gets 401 from
the API and the sign-in page from a page; lists and the export hold only one's own rows."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from coach.extensions import db
from coach.models import Notification
from coach.reminders.push import sender_for
from coach.seed import seed
from tests.factories import Api, WebSession, add_own_routine
from tests.pushfake import FakePushService
from tests.reminder_helpers import push_config

MISSING = 2_000_000_000  # an id that fits the column and belongs to no row
DAILY = {"type": "daily", "times": ["07:30"]}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class Person:
    name: str
    api: Api
    web: WebSession
    token: str
    id: int
    email: str
    ids: dict = field(default_factory=dict)

    def call(self, method: str, path: str, json=None):
        return self.api.call(method, path, json=json, token=self.token)


def _person(app, name: str, device) -> Person:
    api = Api(app.test_client())
    user, token = api.register(display_name=name.title())
    web = WebSession(app.test_client())
    assert web.login(user["email"]).status_code == 302
    person = Person(name, api, web, token, user["id"], user["email"])
    now = datetime.now(UTC)
    episode = person.call("POST", "/api/v1/episodes", {
        "started_at": _iso(now - timedelta(hours=2)), "severity": 6, "notes": f"{name}-secret-notes"})
    assert episode.status_code == 201, episode.get_json()
    person.ids["episode"] = episode.get_json()["episode"]["id"]
    follow_up = person.call("POST", f"/api/v1/episodes/{person.ids['episode']}/follow-ups",
                            {"status": "same", "severity": 5, "notes": f"{name}-secret-check-in"})
    assert follow_up.status_code == 201, follow_up.get_json()
    session = person.call("POST", "/api/v1/sessions", {
        "routine": "gym-floor-settle", "started_at": _iso(now - timedelta(minutes=9)),
        "ended_at": _iso(now - timedelta(minutes=5)), "completed": True, "completed_steps": [1, 2],
        "pain_before": 7, "pain_after": 4})
    assert session.status_code == 201, session.get_json()
    person.ids["session"] = session.get_json()["id"]
    reminder = person.call("POST", "/api/v1/reminders", {"title": f"{name}-secret-reminder", "kind": "custom",
                                                          "schedule": DAILY})
    assert reminder.status_code == 201, reminder.get_json()
    person.ids["reminder"] = reminder.get_json()["id"]
    assert person.call("POST", "/api/v1/push/subscriptions", device.info()).status_code == 201
    person.ids["endpoint"] = device.endpoint
    with app.app_context():
        note = Notification(user_id=person.id, kind="custom", title=f"{name}-secret-note", url="/reminders",
                            tag=f"t-{name}", fire_at=now)
        db.session.add(note)
        db.session.commit()
        person.ids["notification"] = note.id
    person.ids["routine"] = add_own_routine(app, person.id, title=f"{name.title()} warm-up")
    assert web.post("/reminders/calendar", {}, page="/reminders/calendar").status_code in (200, 302)
    return person


@pytest.fixture
def world(app_factory):
    app = app_factory(**push_config())
    with app.app_context():
        seed()
        key = sender_for(app).keys.public_key  # the push fake checks each push is signed with the app's key
    with FakePushService(key) as service:
        alice = _person(app, "alice", service.subscribe("alice-phone"))
        bob = _person(app, "bob", service.subscribe("bob-phone"))
        yield app, alice, bob, service


# (scope, method, path, body): every request that names one person's thing. {x} is that thing's id (or endpoint).
API_REQUESTS = [
    ("episodes", "GET", "/api/v1/episodes/{episode}", None),
    ("episodes", "PATCH", "/api/v1/episodes/{episode}", {"severity": 1, "notes": "mine now"}),
    ("episodes", "DELETE", "/api/v1/episodes/{episode}", None),
    ("episodes", "POST", "/api/v1/episodes/{episode}/follow-ups", {"status": "worse", "severity": 9}),
    ("sessions", "GET", "/api/v1/sessions/{session}", None),
    ("reminders", "GET", "/api/v1/reminders/{reminder}", None),
    ("reminders", "PATCH", "/api/v1/reminders/{reminder}", {"title": "mine now"}),
    ("reminders", "DELETE", "/api/v1/reminders/{reminder}", None),
    ("reminders", "POST", "/api/v1/notifications/{notification}/read", None),
    ("reminders", "DELETE", "/api/v1/push/subscriptions", {"endpoint": "{endpoint}"}),
    ("reminders", "POST", "/api/v1/push/test", {"endpoint": "{endpoint}"}),
]
PAGE_REQUESTS = [
    ("episodes", "GET", "/episodes/{episode}", None),
    ("episodes", "GET", "/episodes/{episode}/edit", None),
    ("episodes", "GET", "/episodes/{episode}/delete", None),
    ("episodes", "GET", "/episodes/{episode}/follow-up", None),
    ("episodes", "POST", "/episodes/{episode}/edit", {"severity": "1", "notes": "mine now"}),
    ("episodes", "POST", "/episodes/{episode}/delete", {}),
    ("episodes", "POST", "/episodes/{episode}/follow-up", {"status": "worse", "severity": "9"}),
    ("reminders", "GET", "/reminders/{reminder}/edit", None),
    ("reminders", "GET", "/reminders/{reminder}/delete", None),
    ("reminders", "POST", "/reminders/{reminder}/edit", {"title": "mine now", "kind": "custom"}),
    ("reminders", "POST", "/reminders/{reminder}/toggle", {"enabled": "0"}),
    ("reminders", "POST", "/reminders/{reminder}/delete", {}),
    ("reminders", "GET", "/reminders/inbox/{notification}", None),
]


def _fill(template, ids: dict):
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, dict):
        return {key: _fill(value, ids) for key, value in template.items()}
    return template


def _missing(ids: dict) -> dict:
    return {**{key: MISSING for key in ids}, "endpoint": "https://127.0.0.1:1/no-such-device", "routine": "no-such"}


def _page(person: Person, method: str, path: str, body):
    if method == "GET":
        return person.web.client.get(path)
    return person.web.post(path, body, page="/reminders")


# What differs between any two requests: the CSRF token and the moment the level was worked out.
_PER_REQUEST = re.compile(r'(name="csrf_token" type="hidden" value="|name="csrf-token" content="|data-evaluated-at=")[^"]+')


def _same(html: str) -> str:
    return _PER_REQUEST.sub(r"\1", html)


def _secrets(person: Person) -> list[str]:
    return [f"{person.name}-secret-notes", f"{person.name}-secret-check-in", f"{person.name}-secret-reminder",
            f"{person.name}-secret-note", person.ids["endpoint"]]


def _alice_untouched(alice: Person, service) -> None:
    episode = alice.call("GET", f"/api/v1/episodes/{alice.ids['episode']}").get_json()
    assert episode["severity"] == 6 and episode["notes"] == "alice-secret-notes"
    assert alice.call("GET", f"/api/v1/sessions/{alice.ids['session']}").status_code == 200
    reminder = alice.call("GET", f"/api/v1/reminders/{alice.ids['reminder']}").get_json()
    assert reminder["title"] == "alice-secret-reminder" and reminder["enabled"] is True
    inbox = alice.call("GET", "/api/v1/notifications").get_json()
    assert [n["read_at"] for n in inbox["items"]] == [None]
    assert len(alice.call("GET", "/api/v1/push/subscriptions").get_json()["items"]) == 1
    export = alice.call("GET", "/api/v1/me/export").get_json()
    assert len(export["follow_ups"]) == 1  # no check-in was added to her spasm
    assert service.delivered() == []  # no test push reached her phone


# One world per test, each request in turn (a world takes seconds to build); a failure names the request.
def test_api_another_athlete_gets_the_404_of_a_thing_that_does_not_exist(world):
    _, alice, bob, service = world
    for scope, method, path, body in API_REQUESTS:
        theirs = bob.call(method, _fill(path, alice.ids), _fill(body, alice.ids))
        nothing = bob.call(method, _fill(path, _missing(alice.ids)), _fill(body, _missing(alice.ids)))
        asked = f"{scope}: {method} {path}"
        assert theirs.status_code == 404, (asked, theirs.status_code, theirs.get_json())
        assert theirs.get_json() == nothing.get_json(), asked
        assert theirs.get_json()["error"]["code"] == "not_found", asked
        assert not any(secret in theirs.get_data(as_text=True) for secret in _secrets(alice)), asked
        _alice_untouched(alice, service)


def test_page_another_athlete_gets_the_404_of_a_thing_that_does_not_exist(world):
    _, alice, bob, service = world
    for scope, method, path, body in PAGE_REQUESTS:
        theirs = _page(bob, method, _fill(path, alice.ids), body)
        nothing = _page(bob, method, _fill(path, _missing(alice.ids)), body)
        asked = f"{scope}: {method} {path}"
        assert theirs.status_code == 404 and nothing.status_code == 404, (asked, theirs.status_code)
        assert _same(theirs.get_data(as_text=True)) == _same(nothing.get_data(as_text=True)), asked
        assert not any(secret in theirs.get_data(as_text=True) for secret in _secrets(alice)), asked
        _alice_untouched(alice, service)


def test_signed_out_the_api_is_401_and_pages_go_to_sign_in(world):
    app, alice, _, service = world
    api, web = Api(app.test_client()), WebSession(app.test_client())
    for scope, method, path, body in API_REQUESTS:
        response = api.call(method, _fill(path, alice.ids), json=_fill(body, alice.ids))
        assert response.status_code == 401, (scope, method, path, response.status_code)
        assert response.get_json()["error"]["code"] == "unauthorized"
    for scope, method, path, body in PAGE_REQUESTS:
        url = _fill(path, alice.ids)
        response = web.client.get(url) if method == "GET" else web.post(url, body, page="/login")
        assert response.status_code == 302, (scope, method, path, response.status_code)
        assert response.headers["Location"].startswith("/login"), (scope, method, path)
    _alice_untouched(alice, service)


@pytest.mark.parametrize("path", ["/api/v1/episodes", "/api/v1/sessions", "/api/v1/reminders", "/api/v1/notifications",
                                  "/api/v1/push/subscriptions", "/api/v1/me", "/api/v1/me/export", "/api/v1/assessment"])
def test_api_lists_signed_out_are_401(api, path):
    assert api.get(path).status_code == 401


@pytest.mark.parametrize("path", ["/diary", "/reminders", "/reminders/inbox", "/reminders/calendar", "/report",
                                  "/report.pdf", "/episodes.csv", "/me", "/me/export", "/episodes/latest/edit"])
def test_pages_signed_out_go_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_owner_gets_each_of_their_things(world):
    _, alice, _, _ = world
    for _, method, path, _ in API_REQUESTS:
        if method == "GET":
            assert alice.call(method, _fill(path, alice.ids)).status_code == 200, path
    assert alice.call("GET", f"/api/v1/episodes/{alice.ids['episode']}").get_json()["notes"] == "alice-secret-notes"
    assert alice.call("GET", f"/api/v1/sessions/{alice.ids['session']}").get_json()["id"] == alice.ids["session"]
    for _, method, path, _ in PAGE_REQUESTS:
        if method != "GET" or "inbox" in path:
            continue
        assert alice.web.client.get(_fill(path, alice.ids)).status_code == 200, path
    assert "alice-secret-notes" in alice.web.client.get(f"/episodes/{alice.ids['episode']}").get_data(as_text=True)
    # Opening a notification marks it read and goes where it points.
    opened = alice.web.client.get(f"/reminders/inbox/{alice.ids['notification']}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/reminders"
    assert alice.call("POST", f"/api/v1/notifications/{alice.ids['notification']}/read").status_code == 204
    assert alice.call("POST", "/api/v1/push/test", {"endpoint": alice.ids["endpoint"]}).get_json()["outcome"] == "sent"
    assert alice.call("DELETE", "/api/v1/push/subscriptions", {"endpoint": alice.ids["endpoint"]}).status_code == 204
    assert alice.call("DELETE", f"/api/v1/reminders/{alice.ids['reminder']}").status_code == 204
    assert alice.call("DELETE", f"/api/v1/episodes/{alice.ids['episode']}").status_code == 204


def _ids_in(items: list[dict]) -> set[int]:
    return {item["id"] for item in items}


def test_api_lists_and_export_hold_only_ones_own(world):
    _, alice, bob, _ = world
    for person, other in ((alice, bob), (bob, alice)):
        episodes = person.call("GET", "/api/v1/episodes").get_json()["items"]
        assert _ids_in(episodes) == {person.ids["episode"]}
        assert _ids_in(person.call("GET", "/api/v1/sessions").get_json()["items"]) == {person.ids["session"]}
        assert _ids_in(person.call("GET", "/api/v1/reminders").get_json()["items"]) >= {person.ids["reminder"]}
        assert other.ids["reminder"] not in _ids_in(person.call("GET", "/api/v1/reminders").get_json()["items"])
        inbox = person.call("GET", "/api/v1/notifications").get_json()
        assert _ids_in(inbox["items"]) == {person.ids["notification"]} and inbox["unread_count"] == 1
        assert len(person.call("GET", "/api/v1/push/subscriptions").get_json()["items"]) == 1
        assert person.call("GET", "/api/v1/me").get_json()["id"] == person.id
        export = person.call("GET", "/api/v1/me/export")
        data = export.get_json()
        assert _ids_in(data["episodes"]) == {person.ids["episode"]}
        assert {f["episode_id"] for f in data["follow_ups"]} == {person.ids["episode"]}
        assert _ids_in(data["routine_sessions"]) == {person.ids["session"]}
        assert other.ids["reminder"] not in _ids_in(data["reminders"])
        assert _ids_in(data["notifications"]) == {person.ids["notification"]}
        assert len(data["push_devices"]) == 1 and data["calendar_feed"] is not None
        assert [r["slug"] for r in data["routines"]] == [person.ids["routine"]]
        text = export.get_data(as_text=True)
        assert not any(secret in text for secret in _secrets(other))
        assert other.email not in text and other.ids["routine"] not in text


def _links_to(html: str, path: str) -> bool:
    return re.search(re.escape(path) + r"(?![0-9])", html) is not None


def test_pages_list_only_ones_own(world):
    _, alice, bob, _ = world
    for person, other in ((alice, bob), (bob, alice)):
        client = person.web.client
        diary = client.get("/diary").get_data(as_text=True)
        assert _links_to(diary, f"/episodes/{person.ids['episode']}")
        assert not _links_to(diary, f"/episodes/{other.ids['episode']}")
        reminders = client.get("/reminders").get_data(as_text=True)
        assert f"{person.name}-secret-reminder" in reminders and f"{other.name}-secret-reminder" not in reminders
        inbox = client.get("/reminders/inbox").get_data(as_text=True)
        assert f"{person.name}-secret-note" in inbox and f"{other.name}-secret-note" not in inbox
        csv = client.get("/episodes.csv").get_data(as_text=True)
        assert f"{person.name}-secret-notes" in csv and f"{other.name}-secret-notes" not in csv
        export = client.get("/me/export").get_data(as_text=True)
        assert f"{person.name}-secret-notes" in export
        assert not any(secret in export for secret in _secrets(other))
        for page in ("/report", "/me", "/reminders/calendar", "/"):
            html = client.get(page).get_data(as_text=True)
            assert not any(secret in html for secret in _secrets(other)) and other.email not in html, page


# ---------------------------------------------------------------- routines: stock for all, one's own for oneself
def test_someone_elses_own_routine_is_404_by_slug_on_pages_and_api(world):
    app, alice, bob, _ = world
    theirs = alice.ids["routine"]
    for client, token in ((bob.web.client, bob.token), (app.test_client(), None)):
        api = Api(client)
        for path in (f"/routines/{theirs}", f"/routines/{theirs}/play"):
            response, nothing = client.get(path), client.get(path.replace(theirs, "no-such-routine"))
            assert response.status_code == 404, path
            assert _same(response.get_data(as_text=True)) == _same(nothing.get_data(as_text=True))
        response = api.get(f"/api/v1/routines/{theirs}", token=token)
        assert response.status_code == 404
        assert response.get_json() == api.get("/api/v1/routines/no-such-routine", token=token).get_json()
        listed = api.get("/api/v1/routines", token=token).get_json()["items"]
        assert theirs not in {r["slug"] for r in listed} and "gym-floor-settle" in {r["slug"] for r in listed}
        assert theirs not in client.get("/routines").get_data(as_text=True)
    # The owner plays and reads her own.
    assert alice.web.client.get(f"/routines/{theirs}").status_code == 200
    assert alice.call("GET", f"/api/v1/routines/{theirs}").status_code == 200


def test_stock_routines_are_open_signed_in_and_out(world):
    app, alice, _, _ = world
    anonymous = app.test_client()
    for client, token in ((alice.web.client, alice.token), (anonymous, None)):
        assert client.get("/routines/gym-floor-settle").status_code == 200
        assert client.get("/routines/gym-floor-settle/play").status_code == 200
        assert Api(client).get("/api/v1/routines/gym-floor-settle", token=token).status_code == 200
