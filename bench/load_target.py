"""One app under test for bench/load.py: a database made for it, migrated and seeded, served by gunicorn with the
project's gunicorn.conf.py in production mode, and the people it is measured with (signed in by API and by form)."""
from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.load_seed import seed_history

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
WORKERS = 2
# Variables of the caller's shell that would change what is measured; the child gets the bench's own.
DROPPED = ("DATABASE_URL", "SCHEDULER_IN_PROCESS", "ACCESS_LOG", "REDIS_URL", "MAX_REQUESTS", "MAX_REQUESTS_JITTER",
           "WEB_CONCURRENCY", "BIND", "PORT", "GUNICORN_PRELOAD", "GUNICORN_CMD_ARGS", "GUNICORN_TIMEOUT")


class BenchError(RuntimeError):
    """The app under test could not be prepared or did not answer as expected."""


def clean_environment(env: dict) -> dict:
    """`env` without what would change the server measured: the bench sets those itself."""
    return {k: v for k, v in env.items() if k not in DROPPED and not k.startswith("FLASK_")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """One HTTP request, no redirects followed: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def post_json(port: int, path: str, payload: dict, headers: dict | None = None):
    status, _, body = request(port, "POST", path, {"Content-Type": "application/json", **(headers or {})},
                              json.dumps(payload).encode())
    return status, json.loads(body or b"null")


def cookies_of(headers, jar: dict) -> dict:
    for header in headers.get_all("Set-Cookie") or ():
        for name, morsel in SimpleCookie(header).items():
            jar[name] = morsel.value  # Secure cookies too: the bench talks plain HTTP to 127.0.0.1
    return jar


def prepare_database(url: str) -> None:
    """PostgreSQL: drop and create the database named in `url` (SQLite: a new file needs nothing)."""
    if not url.startswith("postgresql"):
        return
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Person:
    email: str
    token: str = ""
    cookie: str = ""


@dataclass
class Server:
    """gunicorn with the project's settings, serving `app` from `workdir`."""

    workdir: Path
    app: str
    env: dict
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(self.env, BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY=str(WORKERS),
                   # Never recycle during a run: at these rates MAX_REQUESTS would restart a worker every few
                   # seconds, which no production server sees (gunicorn.conf.py: 10,000 with jitter).
                   MAX_REQUESTS="0")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--chdir", str(self.workdir), self.app],
                cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited ({self.process.returncode}); see {self.log}:\n{self.tail()}")
            try:
                request(self.port, "GET", "/favicon.ico")
                if len(self.workers()) == WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer within 60 s; see {self.log}")

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def worker_memory_mb(self, field: str = "Rss") -> list[float]:
        """Each worker's resident memory from /proc/<pid>/smaps_rollup: "Rss" counts the pages shared with the
        preloaded master in each worker, "Pss" splits them between the processes that share them."""
        sizes = []
        for pid in self.workers():
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            kb = int(re.search(rf"^{field}:\s+(\d+) kB", rollup, re.M).group(1))
            sizes.append(round(kb / 1024, 1))
        return sizes

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Target:
    """The app at one revision (a directory) on one database."""

    def __init__(self, workdir: Path, url: str, scratch: Path, label: str):
        self.workdir, self.url, self.label = workdir, url, label
        scratch.mkdir(parents=True, exist_ok=True)
        env = clean_environment(os.environ)
        env.update(COACH_ENV="production", SECRET_KEY=secrets.token_urlsafe(48), DATABASE_URL=url,
                   COACH_INSTANCE_PATH=str(scratch / "instance"), RATELIMIT_ENABLED="false",
                   PYTHONDONTWRITEBYTECODE="1")
        self.env = env
        self.server = Server(workdir, "wsgi:app", env, scratch / "gunicorn.log")
        self.password = secrets.token_urlsafe(18)
        self.people = 0

    def flask(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True)
        if done.returncode:
            raise BenchError(f"flask {' '.join(args)} failed in {self.workdir}:\n{done.stderr[-2000:]}")

    def prepare(self) -> None:
        prepare_database(self.url)
        self.flask("db", "upgrade")
        self.flask("seed")

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def person(self, with_cookie: bool = False) -> Person:
        """A new athlete with the ten-year history, signed in through the API (and the form)."""
        self.people += 1
        who = Person(f"load{self.people}@example.com")
        port = self.server.port
        status, body = post_json(port, "/api/v1/auth/register", {
            "email": who.email, "password": self.password, "display_name": f"Load {self.people}",
            "role": "athlete", "timezone": "Europe/London", "country": "GB"})
        if status != 201:
            raise BenchError(f"register answered {status}: {body}")
        seed_history(self.url, body["user"]["id"], datetime.now(UTC))
        status, body = post_json(port, "/api/v1/auth/token", {"email": who.email, "password": self.password})
        if status != 200:
            raise BenchError(f"POST /api/v1/auth/token answered {status}: {body}")
        who.token = body["token"]
        if with_cookie:
            who.cookie = self.sign_in(who.email)
        return who

    def sign_in(self, email: str) -> str:
        """The sign-in form, as a browser: the page's CSRF token and session cookie, then the POST."""
        port = self.server.port
        status, headers, page = request(port, "GET", "/login")
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or not match:
            raise BenchError(f"GET /login answered {status} without a CSRF token")
        jar = cookies_of(headers, {})
        form = urlencode({"csrf_token": match.group(1).decode(), "email": email, "password": self.password,
                          "next": "/"}).encode()
        status, headers, _ = request(port, "POST", "/login", {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())},
            form)
        if status not in (302, 303):
            raise BenchError(f"POST /login answered {status}")
        return "; ".join(f"{k}={v}" for k, v in cookies_of(headers, jar).items())
