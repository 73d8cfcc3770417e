"""The processes bench/soak.py runs, started the way operators start them: gunicorn with the project's
gunicorn.conf.py, two `flask --app wsgi run-scheduler` processes (the commands of `make serve`, started one by one
so that one can be killed), and the fake push service in its standalone mode (tests/pushfake.py), all on 127.0.0.1
in production mode, against a PostgreSQL database made for the run."""
from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.load_target import clean_environment, drop_database, free_port, prepare_database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DROPPED = ("REMINDER_TICK_SECONDS", "PUSH_ALLOWED_HOSTS", "PUSH_ALLOW_LOOPBACK", "TRUSTED_PROXIES", "VAPID_PRIVATE_KEY",
           "VAPID_PUBLIC_KEY", "VAPID_SUBJECT", "COACH_INSTANCE_PATH", "RATELIMIT_ENABLED")


class SoakError(RuntimeError):
    """A process of the stack did not start or answer as it should."""


def call(port: int, method: str, path: str, body=None, headers: dict | None = None, timeout: float = 30):
    """One HTTP request to 127.0.0.1:port: (status, JSON body or None). Connection failures raise OSError."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = None if body is None else json.dumps(body).encode()
        head = {"Content-Type": "application/json"} if payload is not None else {}
        conn.request(method, path, body=payload, headers={**head, **(headers or {})})
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None
    finally:
        conn.close()


def wait_for(check, what: str, seconds: float = 60, process: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log else ""
            raise SoakError(f"{what} exited with {process.returncode}:\n{tail}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SoakError(f"{what} did not come up within {seconds:.0f} s")


@dataclass
class PushFake:
    """The fake push service (tests/pushfake.py standalone): devices, counts per Topic, faults."""

    port: int

    def device(self) -> dict:
        status, body = call(self.port, "POST", "/_devices", {})
        if status not in (200, 201):
            raise SoakError(f"POST /_devices answered {status}: {body}")
        return body

    def stats(self) -> dict:
        return call(self.port, "GET", "/_stats", timeout=120)[1]

    def fault(self, status: int, seconds: float, retry_after: int | None = None) -> None:
        body = {"status": status, "seconds": seconds}
        if retry_after is not None:
            body["retry_after"] = retry_after
        answer = call(self.port, "POST", "/_fault", body)
        if answer[0] >= 300:
            raise SoakError(f"POST /_fault answered {answer}")


@dataclass
class Stack:
    database_url: str
    scratch: Path
    tick_seconds: int = 15
    web_port: int = field(default_factory=free_port)
    push_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    env: dict = field(default_factory=dict)

    def __post_init__(self):
        self.scratch.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in clean_environment(os.environ).items() if k not in DROPPED}
        env.update(
            COACH_ENV="production", SECRET_KEY=secrets.token_urlsafe(48), DATABASE_URL=self.database_url,
            COACH_INSTANCE_PATH=str(self.scratch / "instance"), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1",
            # The people reach the app through one trusted proxy that names their address (X-Forwarded-For),
            # so the per-address rate limits count each person, as in production behind a proxy.
            TRUSTED_PROXIES="1",
            PUSH_ALLOW_LOOPBACK="1",  # the fake push service is plain http://127.0.0.1
            REMINDER_TICK_SECONDS=str(self.tick_seconds),
            BIND=f"127.0.0.1:{self.web_port}", WEB_CONCURRENCY="2",
        )
        self.env = env
        self.push = PushFake(self.push_port)

    # ------------------------------------------------------------ database and one-off commands
    def flask(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True)
        if done.returncode:
            raise SoakError(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def prepare(self) -> str:
        """A fresh database, migrated and seeded as an operator would; the VAPID key pair made once. Returns the
        public key (the fake push service checks that every push is signed with it)."""
        prepare_database(self.database_url)
        self.flask("db", "upgrade")
        self.flask("seed")
        self.flask("vapid", "init", "--subject", "mailto:ops@example.com")
        return self.flask("vapid", "show").split()[0]

    def drop(self) -> None:
        drop_database(self.database_url)

    # ------------------------------------------------------------ processes
    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = self.scratch / f"{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.processes[name] = process
        return process

    def start_push(self, vapid_public_key: str) -> None:
        process = self._start("push", [sys.executable, "-m", "tests.pushfake", "--host", "127.0.0.1",
                                       "--port", str(self.push_port), "--vapid-key", vapid_public_key])
        wait_for(lambda: call(self.push_port, "GET", "/_stats")[0] == 200, "the fake push service",
                 process=process, log=self.scratch / "push.log")

    def start_web(self) -> None:
        process = self._start("web", [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"])  # as scripts/serve
        wait_for(lambda: len(self.workers()) == 2 and call(self.web_port, "GET", "/api/v1/push/public-key")[0] == 200,
                 "gunicorn", process=process, log=self.scratch / "web.log")

    def workers(self) -> list[int]:
        pid = self.processes["web"].pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def start_scheduler(self, name: str) -> subprocess.Popen:
        process = self._start(name, [str(BIN / "flask"), "--app", "wsgi", "run-scheduler"])
        wait_for(lambda: "tick every" in (self.scratch / f"{name}.log").read_text(errors="replace"),
                 name, process=process, log=self.scratch / f"{name}.log")
        return process

    def kill(self, name: str) -> int:
        """SIGKILL, as a crash or the OOM killer would: no shutdown code runs."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait()
        return process.pid

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def log_has(self, name: str, text: str) -> int:
        path = self.scratch / f"{name}.log"
        return path.read_text(errors="replace").count(text) if path.exists() else 0
