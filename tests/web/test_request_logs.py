"""Request ids and access lines as an operator reads them: the id is echoed, a hostile one replaced, the line
names method, path, status, duration and user id and nothing private, and production writes JSON lines."""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..factories import Api

ROOT = Path(__file__).resolve().parents[2]


def access_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "coach.access"]


def test_a_sane_request_id_is_kept_and_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "a1b2c3d4-e5f6-4711-8a9b-0c1d2e3f4a5b"})
    assert response.headers["X-Request-ID"] == "a1b2c3d4-e5f6-4711-8a9b-0c1d2e3f4a5b"


@pytest.mark.parametrize("hostile", ["short", "x" * 200, 'abc" injected="1', "id with spaces 12345",
                                     "{\"level\":\"ERROR\"}", "../../etc/passwd%00"])
def test_a_hostile_request_id_is_replaced(client, hostile):
    response = client.get("/healthz", headers={"X-Request-ID": hostile})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_each_request_without_an_id_gets_its_own(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_one_access_line_per_request_with_the_user_and_no_private_data(app_factory, caplog):
    client = app_factory(REQUEST_LOG=True).test_client()
    api = Api(client)
    user, token = api.register(email="private.person@example.com")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="coach.access"):
        response = api.get("/api/v1/episodes?limit=5", token=token)
    assert response.status_code == 200
    (record,) = access_records(caplog)
    assert (record.method, record.path, record.status) == ("GET", "/api/v1/episodes", 200)
    assert record.request_id == response.headers["X-Request-ID"]
    assert record.user_id == user["id"]
    assert isinstance(record.duration_ms, float)
    line = record.getMessage() + json.dumps({k: str(v) for k, v in vars(record).items()})
    for private in ("private.person", "limit=5", token):
        assert private not in line


def test_a_secret_in_the_url_is_logged_as_the_route(app_factory, caplog):
    client = app_factory(REQUEST_LOG=True).test_client()
    with caplog.at_level(logging.INFO, logger="coach.access"):
        client.get("/reminders/feed/rcal_not-a-real-token-but-secret-looking.ics")
        client.get("/join/SECRETCODE")
    paths = [record.path for record in access_records(caplog)]
    assert paths == ["/reminders/feed/<token>.ics", "/join/<code>"]


PRODUCTION_REQUEST = """
from wsgi import app
response = app.test_client().get("/readyz", headers={"X-Request-ID": "probe-0123456789"})
print(response.status_code, response.headers["X-Request-ID"])
"""


def test_production_writes_json_lines_that_carry_the_request_id(tmp_path):
    """The real start-up path (wsgi.py, COACH_ENV=production): an unmigrated database makes /readyz log a warning
    during the request, then the access line; both are JSON on stderr with the request's id."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("FLASK_", "LOG_", "REQUEST_LOG", "COACH_"))}
    env.update(COACH_ENV="production", SECRET_KEY="k" * 12 + "production-like-secret-0123456789",
               DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}", COACH_INSTANCE_PATH=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", PRODUCTION_REQUEST], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["503", "probe-0123456789"]
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    warning = next(line for line in lines if line["logger"] == "coach.ops.readiness")
    access = next(line for line in lines if line["logger"] == "coach.access")
    assert warning["level"] == "WARNING" and warning["request_id"] == "probe-0123456789"
    assert access["request_id"] == "probe-0123456789"
    assert (access["method"], access["path"], access["status"], access["user_id"]) == ("GET", "/readyz", 503, None)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", access["time"])
