"""While the database is away (a restart, a failover), every request that needs it answers 503 with Retry-After:
the API in its one error shape, pages with a page a person can read; never a 500, so phones' outboxes keep what
they sent and try again, and the logs get one line per request rather than a traceback (bench/soak.py --fault
pgrestart found 500s)."""
from __future__ import annotations

import socket

import pytest

from ..factories import WebSession


def closed_port() -> int:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def away(app, app_factory):
    """The same app pointed at a PostgreSQL server that is not there (`app` first: it owns the test database)."""
    return app_factory(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/gone")


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/v1/me", None),
    ("GET", "/api/v1/assessment", None),
    ("POST", "/api/v1/episodes", {"started_at": "2026-12-01T08:00:00Z", "severity": 4}),
])
def test_api_answers_503_with_retry_after_while_the_database_is_away(away, method, path, body, caplog):
    response = away.test_client().open(path, method=method, json=body,
                                       headers={"Authorization": "Bearer rc_" + "a" * 43,
                                                "Idempotency-Key": "7f0c1d2e-0b8a-4c47-9a57-3f1a2b9d6e10"})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 5  # Flask-Limiter may lengthen it to a rate window's end
    assert response.get_json()["error"]["code"] == "unavailable"
    assert "Traceback" not in caplog.text


def test_a_signed_in_page_answers_503_with_a_page_while_the_database_is_away(app, away):
    browser = app.test_client()
    WebSession(browser).register()
    cookie = browser.get_cookie("session")
    phone = away.test_client()
    phone.set_cookie(cookie.key, cookie.value)
    response = phone.get("/diary")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 5
    page = response.get_data(as_text=True)
    assert "Back in a moment" in page
    assert "SOS" in page  # the way to help in pain is still on the page


def test_signed_out_pages_that_need_the_database_answer_503(away):
    response = away.test_client().get("/routines")
    assert response.status_code == 503
    assert "Back in a moment" in response.get_data(as_text=True)
