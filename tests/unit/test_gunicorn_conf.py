"""gunicorn.conf.py: the production server's settings come from the environment, its own log lines are JSON in
production, and the in-process reminder scheduler is refused (it would tick in gunicorn's master or once per
worker)."""
import json
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"
KNOBS = ("BIND", "PORT", "WEB_CONCURRENCY", "MAX_REQUESTS", "MAX_REQUESTS_JITTER", "ACCESS_LOG", "GUNICORN_PRELOAD",
         "GUNICORN_TIMEOUT", "SCHEDULER_IN_PROCESS", "COACH_ENV", "LOG_FORMAT", "LOG_LEVEL")


def settings(monkeypatch, **env) -> dict:
    for name in KNOBS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults_are_production_ones(monkeypatch):
    conf = settings(monkeypatch)
    assert conf["wsgi_app"] == "wsgi:app"
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["worker_class"] == "sync"
    assert conf["workers"] == 2 * len(os.sched_getaffinity(0))
    assert conf["preload_app"] is True
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (10_000, 1_000)
    assert conf["accesslog"] is None
    assert conf["timeout"] == 30


@pytest.mark.parametrize(("env", "bind"), [
    ({"PORT": "5001"}, ["0.0.0.0:5001"]),
    ({"BIND": "unix:/run/coach.sock", "PORT": "5001"}, ["unix:/run/coach.sock"]),
])
def test_bind_from_the_environment(monkeypatch, env, bind):
    assert settings(monkeypatch, **env)["bind"] == bind


def test_knobs_from_the_environment(monkeypatch):
    conf = settings(monkeypatch, WEB_CONCURRENCY="3", MAX_REQUESTS="0", ACCESS_LOG="-", GUNICORN_PRELOAD="0")
    assert (conf["workers"], conf["max_requests"], conf["max_requests_jitter"]) == (3, 0, 0)
    assert conf["accesslog"] == "-"
    assert conf["preload_app"] is False


def test_refuses_the_in_process_scheduler():
    env = {k: v for k, v in os.environ.items() if k not in KNOBS}
    env.update(SCHEDULER_IN_PROCESS="1", BIND="127.0.0.1:0", WEB_CONCURRENCY="1")
    done = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(CONF), "bench.bare_app:app"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "run-scheduler" in done.stderr
    assert "Booting worker" not in done.stderr


@pytest.mark.parametrize(("env", "json_logs"), [
    ({}, True), ({"COACH_ENV": "production"}, True), ({"COACH_ENV": "development"}, False),
    ({"COACH_ENV": "development", "LOG_FORMAT": "json"}, True), ({"LOG_FORMAT": "text"}, False),
])
def test_gunicorns_own_lines_are_json_in_production(monkeypatch, env, json_logs):
    conf = settings(monkeypatch, **env)
    assert ("logconfig_dict" in conf) is json_logs
    if json_logs:
        # The app writes the access line; gunicorn's stays off unless ACCESS_LOG asks for it.
        assert conf["logconfig_dict"]["loggers"]["gunicorn.access"]["level"] == "WARNING"
        assert settings(monkeypatch, ACCESS_LOG="-", **env)["logconfig_dict"]["loggers"]["gunicorn.access"][
            "level"] == "INFO"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_production_server_writes_only_json_lines(tmp_path):
    """gunicorn with the app as deployed: its start-up, the app's access line and its shutdown, one JSON object per
    line on stderr, the access line with the request's id."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in KNOBS and not k.startswith(("FLASK_", "COACH_"))}
    env.update(COACH_ENV="production", SECRET_KEY="k" * 12 + "production-like-secret-0123456789",
               DATABASE_URL=f"sqlite:///{tmp_path / 'coach.db'}", COACH_INSTANCE_PATH=str(tmp_path),
               BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONF)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "lb-probe-0001"})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.headers["X-Request-ID"] == "lb-probe-0001"
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=60)
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    access = [line for line in lines if line["logger"] == "coach.access"]
    assert [(line["path"], line["status"], line["request_id"]) for line in access] == [
        ("/healthz", 200, "lb-probe-0001")]
