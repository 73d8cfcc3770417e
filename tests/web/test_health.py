"""/healthz and /readyz as a load balancer meets them: cheap, unauthenticated, never cached, no cookie, and a 503
with a reason (never a 500 or a hang) when the database is away, unmigrated or behind the code's migrations."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from coach.extensions import db
from coach.ops.readiness import migration_heads

from ..factories import WebSession

# Tests that point an app elsewhere ask for `app` first: app_factory empties the first app's database afterwards.


def closed_port() -> int:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_the_database(app, app_factory):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/gone")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_answers_503_fast_when_the_database_is_unreachable(app, app_factory):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/gone")
    started = time.monotonic()
    response = app.test_client().get("/readyz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "reason": "database unreachable"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_answers_503_when_the_database_host_never_answers(app, app_factory):
    """A server that takes the connection and then says nothing (hung, or packets dropped on the way): the
    connect timeout (DATABASE_CONNECT_TIMEOUT, 2 s here) ends the wait instead of the balancer's own timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel completes the handshake; nothing ever reads or writes
        port = silent.getsockname()[1]
        app = app_factory(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{port}/x",
                          DATABASE_CONNECT_TIMEOUT=2)
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
        started = time.monotonic()
        response = app.test_client().get("/readyz")
        assert (response.status_code, response.get_json()["reason"]) == (503, "database unreachable")
        assert 1.5 < time.monotonic() - started < 5


def test_readyz_answers_503_on_a_database_nobody_migrated(app, app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "reason": "database not migrated"}


def test_readyz_answers_503_until_the_migrations_reach_head(app):
    directory = app.extensions["migrate"].directory
    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    (head,) = migration_heads(directory)
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    previous = previous if isinstance(previous, str) else previous[0]  # a merge: either parent is behind
    client = app.test_client()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": previous})
        try:
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.get_json() == {"status": "unavailable", "reason": "migrations not at head"}
        finally:
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert client.get("/readyz").status_code == 200


def test_probes_carry_no_session_cookie_even_for_a_signed_in_browser(client):
    WebSession(client).register()
    assert client.get("/").status_code == 200  # signed in: pages set and vary on the cookie
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")


# In a process of its own: the limiter is one object per process and keeps a default limit it was given for every
# app made after it (the rest of this worker's tests would meet "2 per minute").
UNDER_A_DEFAULT_LIMIT = """
from tests.conftest import make_app
client = make_app(%r, RATELIMIT_DEFAULT="2 per minute").test_client()
print(" ".join(str(client.get(path).status_code) for path in ("/healthz", "/readyz", "/") for _ in range(5)))
"""


def test_probes_are_never_rate_limited(database_url):
    done = subprocess.run([sys.executable, "-c", UNDER_A_DEFAULT_LIMIT % database_url], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[2], timeout=120, check=True)
    statuses = done.stdout.split()
    assert statuses[:10] == ["200"] * 10  # five of each probe under a default of 2 a minute
    assert statuses[10:] == ["200", "200", "429", "429", "429"]  # which a page meets


class TcpRelay:
    """The network between the app and PostgreSQL, which a test can cut (open connections reset, new ones refused)
    and restore on the same port: what the app sees while the database server restarts."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.restore()

    def restore(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen()
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() still holding the socket; close() alone won't
        except OSError:
            pass
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_readyz_recovers_by_itself_when_the_database_comes_back(app, app_factory, database_url):
    url = make_url(database_url)
    relay = TcpRelay(url.host or "127.0.0.1", url.port or 5432)
    relayed = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    client = app_factory(SQLALCHEMY_DATABASE_URI=relayed).test_client()
    try:
        assert client.get("/readyz").status_code == 200  # the pool now holds a connection through the relay
        relay.cut()
        started = time.monotonic()
        response = client.get("/readyz")
        assert (response.status_code, response.get_json()["reason"]) == (503, "database unreachable")
        assert time.monotonic() - started < 3
        assert client.get("/healthz").status_code == 200
        relay.restore()
        assert client.get("/readyz").status_code == 200  # the same app and pool: nothing was restarted
    finally:
        relay.cut()
