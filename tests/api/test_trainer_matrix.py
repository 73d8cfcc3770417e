"""The authorization matrix of the trainer issue, through the real app (API and pages): who gets what of a client's
data. Six actors: the client themself, a trainer linked without consent, a trainer linked with consent (the client
shares episodes), a trainer with no link, a trainer whose link the client ended, and someone signed out.

MATRIX below is the literal table docs/AUTHORIZATION.md shows. Codes: 200 allowed; 404 not found (the same answer
as for something that does not exist); 403 a role (an athlete on a trainer endpoint); 401 signed out (API);
"login" a page that sends a signed-out person to sign in; "own" a list or export that answers 200 and holds only
the asker's own rows (so none of the client's). Then the leak checks: what each answer holds beyond its code."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from coach.extensions import db
from coach.models import Notification
from coach.seed import seed
from tests.factories import Api, WebSession
from tests.trainer_helpers import link

NOW = datetime.now(UTC).replace(microsecond=0)
ACTORS = ("self", "no_consent", "consent", "unlinked", "revoked", "anonymous")
SECRETS = ("client-secret-notes", "client-secret-check-in", "client-secret-reminder", "client-inbox-secret")

# (what, API or page, path); then the answer for each actor, in ACTORS order.
MATRIX = [
    # the client's own endpoints, by id or as a list
    ("sessions list", "api", "/api/v1/sessions", "own own own own own 401"),
    ("session", "api", "/api/v1/sessions/{session}", "200 200 200 404 404 401"),
    ("episodes list", "api", "/api/v1/episodes", "own own own own own 401"),
    ("episode", "api", "/api/v1/episodes/{episode}", "200 404 200 404 404 401"),
    ("assessment", "api", "/api/v1/assessment", "own own own own own 401"),
    ("reminder", "api", "/api/v1/reminders/{reminder}", "200 404 404 404 404 401"),
    ("notifications", "api", "/api/v1/notifications", "own own own own own 401"),
    ("profile", "api", "/api/v1/me", "own own own own own 401"),
    ("export", "api", "/api/v1/me/export", "own own own own own 401"),
    ("episode page", "page", "/episodes/{episode}", "200 404 200 404 404 login"),
    ("check-in page", "page", "/episodes/{episode}/follow-up", "200 404 404 404 404 login"),
    ("diary page", "page", "/diary", "own own own own own login"),
    ("report page", "page", "/report", "own own own own own login"),
    ("report PDF", "page", "/report.pdf", "own own own own own login"),
    ("episodes CSV", "page", "/episodes.csv", "own own own own own login"),
    ("inbox page", "page", "/reminders/inbox", "own own own own own login"),
    ("inbox entry", "page", "/reminders/inbox/{notification}", "302 404 404 404 404 login"),
    ("profile page", "page", "/me", "own own own own own login"),
    ("assigned to me", "api", "/api/v1/assignments", "own 403 403 403 403 401"),
    ("my trainers", "api", "/api/v1/links", "own 403 403 403 403 401"),
    ("assigned page", "page", "/assigned", "own 403 403 403 403 login"),
    # the trainer's view of the client
    ("client list", "api", "/api/v1/trainer/clients", "403 200 200 200 200 401"),
    ("client detail", "api", "/api/v1/trainer/clients/{client}", "403 200 200 404 404 401"),
    ("client assignments", "api", "/api/v1/trainer/assignments?client_id={client}", "403 200 200 404 404 401"),
    ("client list page", "page", "/trainer", "403 200 200 200 200 login"),
    ("client page", "page", "/trainer/clients/{client}", "403 200 200 404 404 login"),
    ("client report", "page", "/trainer/clients/{client}/report", "403 404 200 404 404 login"),
    ("client report PDF", "page", "/trainer/clients/{client}/report.pdf", "403 404 200 404 404 login"),
    ("client episodes CSV", "page", "/trainer/clients/{client}/report.csv", "403 404 200 404 404 login"),
]


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class Actor:
    def __init__(self, app, role: str | None, name: str):
        self.api, self.web, self.token, self.id = Api(app.test_client()), WebSession(app.test_client()), None, None
        if role:
            user, self.token = self.api.register(display_name=name, role=role)
            self.id = user["id"]
            assert self.web.login(user["email"]).status_code == 302

    def get(self, kind: str, path: str):
        if kind == "api":
            return self.api.get(path, token=self.token)
        return self.web.client.get(path)


@pytest.fixture(scope="module")
def world(database_url):
    """Built once for the module (the requests only read), on the suite's migrated database."""
    from coach import create_app
    from tests.conftest import _empty_tables, make_config

    app = create_app(make_config(database_url))
    with app.app_context():
        seed()
    actors = {name: Actor(app, role, title) for name, role, title in (
        ("self", "athlete", "Robin Client"), ("no_consent", "trainer", "Nico"), ("consent", "trainer", "Cass"),
        ("unlinked", "trainer", "Una"), ("revoked", "trainer", "Rex"), ("anonymous", None, ""))}
    me = actors["self"]
    call = lambda method, path, body: me.api.call(method, path, json=body, token=me.token)  # noqa: E731
    episode = call("POST", "/api/v1/episodes", {"started_at": _iso(NOW - timedelta(hours=2)), "severity": 6,
                                                "symptoms": ["fever"], "notes": "client-secret-notes"})
    assert episode.status_code == 201, episode.get_json()
    ids = {"client": me.id, "episode": episode.get_json()["episode"]["id"]}
    assert call("POST", f"/api/v1/episodes/{ids['episode']}/follow-ups",
                {"status": "same", "severity": 5, "notes": "client-secret-check-in"}).status_code == 201
    session = call("POST", "/api/v1/sessions", {
        "routine": "gym-floor-settle", "started_at": _iso(NOW - timedelta(minutes=9)),
        "ended_at": _iso(NOW - timedelta(minutes=5)), "completed": True, "completed_steps": [1, 2],
        "pain_before": 7, "pain_after": 4})
    assert session.status_code == 201, session.get_json()
    ids["session"] = session.get_json()["id"]
    reminder = call("POST", "/api/v1/reminders", {"title": "client-secret-reminder", "kind": "custom",
                                                   "schedule": {"type": "daily", "times": ["07:30"]}})
    ids["reminder"] = reminder.get_json()["id"]
    with app.app_context():
        note = Notification(user_id=me.id, kind="custom", title="client-inbox-secret", url="/reminders", tag="t-c",
                            fire_at=NOW)
        db.session.add(note)
        db.session.commit()
        ids["notification"] = note.id
        link(actors["no_consent"].id, me.id)
        link(actors["consent"].id, me.id, share=True)
        link(actors["revoked"].id, me.id, share=True, ended_at=NOW - timedelta(hours=1))
    yield app, actors, ids
    _empty_tables(app)


def _observe(response, kind: str) -> str:
    if kind == "page" and response.status_code == 302 and "/login" in response.headers["Location"]:
        return "login"
    return str(response.status_code)


def _row_cases():
    return [pytest.param(row, id=row[0].replace(" ", "-")) for row in MATRIX]


@pytest.mark.parametrize("row", _row_cases())
def test_the_matrix(world, row):
    app, actors, ids = world
    what, kind, path, expected = row
    found = []
    for actor_name, want in zip(ACTORS, expected.split(), strict=True):
        actor = actors[actor_name]
        response = actor.get(kind, path.format(**ids))
        got = _observe(response, kind)
        body = response.get_data().decode("utf-8", "replace")
        if want == "own":
            # Answered, and holds nothing of the client's unless the asker is the client.
            got = "own" if got == "200" and (actor_name == "self" or not any(s in body for s in SECRETS)) else got
        found.append(got)
        if got in ("404", "403", "401") and actor_name != "self":
            for secret in (*SECRETS, "Robin"):
                assert secret not in body, (what, actor_name, secret)
    assert " ".join(found) == expected, what


def test_the_matrix_is_the_one_in_the_docs():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "AUTHORIZATION.md").read_text(encoding="utf-8")
    for what, _kind, path, expected in MATRIX:
        cells = " | ".join(expected.split())
        assert f"| {what} | `{path}` | {cells} |" in doc, what


# ---------------------------------------------------------------- what the allowed answers hold
def _json(actor, path):
    response = actor.api.get(path, token=actor.token)
    assert response.status_code == 200, (path, response.get_json())
    return response.get_json()


def test_the_client_list_shows_the_flag_only_to_the_trainer_with_consent(world):
    app, actors, ids = world
    rows = {name: [c for c in _json(actors[name], "/api/v1/trainer/clients")["items"] if c["id"] == ids["client"]]
            for name in ("no_consent", "consent", "unlinked", "revoked")}
    assert rows["unlinked"] == [] and rows["revoked"] == []
    [private], [shared] = rows["no_consent"], rows["consent"]
    assert (private["share_episodes"], private["flag_level"]) == (False, None)
    assert (shared["share_episodes"], shared["flag_level"]) == (True, "urgent")
    assert "urgent" not in json.dumps(private) and "fever" not in json.dumps(private)
    assert "fever" not in json.dumps(shared)  # the level word, not the symptom


def test_the_client_detail_holds_episodes_and_assessment_only_with_consent(world):
    app, actors, ids = world
    private = _json(actors["no_consent"], f"/api/v1/trainer/clients/{ids['client']}")
    shared = _json(actors["consent"], f"/api/v1/trainer/clients/{ids['client']}")
    assert "episodes" not in private and "assessment" not in private
    assert [s["id"] for s in private["sessions"]] == [ids["session"]] == [s["id"] for s in shared["sessions"]]
    text = json.dumps(private)
    for secret in (*SECRETS, "fever", "urgent"):
        assert secret not in text, secret
    assert [e["notes"] for e in shared["episodes"]] == ["client-secret-notes"]
    assert shared["assessment"]["level"] == "urgent"
    for secret in ("client-secret-reminder", "client-inbox-secret"):  # never the reminders or the inbox
        assert secret not in json.dumps(shared)


def test_the_client_page_without_consent_says_nothing_of_the_diary(world):
    app, actors, ids = world
    private = actors["no_consent"].web.client.get(f"/trainer/clients/{ids['client']}").get_data(as_text=True)
    shared = actors["consent"].web.client.get(f"/trainer/clients/{ids['client']}").get_data(as_text=True)
    assert "Robin Client" in private and "Robin Client" in shared
    for secret in (*SECRETS, "Fever", "fever"):
        assert secret not in private, secret
    assert "client-secret-notes" in shared or "Urgent" in shared or "urgent" in shared


def test_the_404s_say_the_same_as_for_nothing_at_all(world):
    """An unlinked trainer, a revoked one and one without consent get the very answer a client id that does not
    exist gets: no hint that this person exists or keeps a diary."""
    app, actors, ids = world
    missing = 2_000_000_000
    for name in ("unlinked", "revoked"):
        actor = actors[name]
        for template in ("/api/v1/trainer/clients/{}", "/api/v1/trainer/assignments?client_id={}"):
            real, none = (actor.api.get(template.format(c), token=actor.token) for c in (ids["client"], missing))
            assert (real.status_code, real.get_json()) == (none.status_code, none.get_json()), (name, template)
    for name in ("no_consent", "unlinked", "revoked"):
        actor = actors[name]
        for template in ("/trainer/clients/{}/report", "/trainer/clients/{}/report.csv"):
            real, none = (actor.web.client.get(template.format(c)) for c in (ids["client"], missing))
            assert real.status_code == none.status_code == 404, (name, template)
        real, none = (actor.api.get(f"/api/v1/episodes/{e}", token=actor.token) for e in (ids["episode"], missing))
        assert (real.status_code, real.get_json()) == (none.status_code, none.get_json()) or name == "consent"


def test_no_trainer_sees_the_clients_rows_in_their_own_lists_and_export(world):
    app, actors, ids = world
    for name in ("no_consent", "consent", "unlinked", "revoked"):
        actor = actors[name]
        for path in ("/api/v1/sessions", "/api/v1/episodes", "/api/v1/notifications", "/api/v1/me/export"):
            body = json.dumps(_json(actor, path))
            for secret in SECRETS:
                assert secret not in body, (name, path, secret)
        export = _json(actor, "/api/v1/me/export")
        assert export["episodes"] == [] and export["routine_sessions"] == [] and export["reminders"] == []
        assert "Robin" not in json.dumps(export)
