"""Small helpers that make users and drive the app the way a client would."""
from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from html import unescape

_counter = itertools.count(1)

PASSWORD = "correct horse battery"


def user_data(**overrides) -> dict:
    n = next(_counter)
    data = {
        "email": f"user{n}@example.com",
        "password": PASSWORD,
        "display_name": f"User {n}",
        "role": "athlete",
        "timezone": "Europe/London",
        "country": "GB",
    }
    data.update(overrides)
    return data


class Api:
    """JSON calls through the Flask test client, optionally with a bearer token."""

    def __init__(self, client):
        self.client = client

    def call(self, method: str, path: str, json=None, token: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)

    def delete(self, path, json=None, **kw):
        return self.call("DELETE", path, json=json, **kw)

    def register(self, **overrides) -> tuple[dict, str]:
        """Create a user through the API; returns (user, token)."""
        data = user_data(**overrides)
        response = self.post("/api/v1/auth/register", json=data)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        body["user"]["password"] = data["password"]
        return body["user"], body["token"]


def page_text(html: str) -> str:
    """The page as a person reads it: tags dropped, entities decoded, runs of white space made one space."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


class WebSession:
    """Form posts the way a browser makes them: fetch the page, take its CSRF token, post."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path: str = "/login") -> str:
        html = self.client.get(path).get_data(as_text=True)
        match = CSRF_RE.search(html)
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def post(self, path: str, data: dict, *, page: str | None = None, follow: bool = False):
        data = {"csrf_token": self.csrf(page or path), **data}
        return self.client.post(path, data=data, follow_redirects=follow)

    def register(self, **overrides) -> dict:
        data = user_data(**overrides)
        response = self.post("/register", data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return data

    def login(self, email: str, password: str = PASSWORD, next: str | None = None):
        payload = {"email": email, "password": password}
        if next is not None:
            payload["next"] = next
        return self.post("/login", payload)


def add_own_routine(app, owner_id: int, title: str = "My warm-up") -> str:
    """A person's own one-step prevention routine, added as the routines service adds one (there is no API to
    make one yet); returns its slug: the title's words and a suffix with a digit, e.g. my-warm-up-k7p2q."""
    from coach.extensions import db
    from coach.models import Routine, RoutineStep, User
    from coach.routines.service import add_made_routine

    with app.app_context():
        routine = Routine(title=title, kind="prevention", summary="Before squats.", sources=[20], evidence=[], next=[])
        routine.steps.append(RoutineStep(position=1, title="March", instruction="March on the spot.", seconds=60))
        add_made_routine(db.session.get(User, owner_id), routine)
        db.session.commit()
        return routine.slug


def make_episode(app, uid: int, now: datetime | None = None, **values) -> int:
    """A spasm logged through the episodes service, in its own app context (so no request shares it); returns its id.
    By default an hour before `now` (the clock when not given): severity 5, lifting during exercise, lower back left,
    not locked, eased by stretching, no symptoms; `values` override any of these."""
    from coach.episodes.service import log_episode
    from coach.extensions import db
    from coach.models import User

    now = now or datetime.now(UTC)
    base = {"started_at": now - timedelta(hours=1), "severity": 5, "trigger": "lifting", "during_exercise": True,
            "locations": ["lower_back"], "side": "left", "locked_minutes": 0, "eased_by_stretch": True, "symptoms": []}
    base.update(values)
    with app.app_context():
        episode, _ = log_episode(db.session.get(User, uid), base, now)
        return episode.id
