"""gunicorn.conf.py: the production server's settings come from the environment, and the in-process reminder
scheduler is refused (it would tick in gunicorn's master or once per worker)."""
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"
KNOBS = ("BIND", "PORT", "WEB_CONCURRENCY", "MAX_REQUESTS", "MAX_REQUESTS_JITTER", "ACCESS_LOG", "GUNICORN_PRELOAD",
         "GUNICORN_TIMEOUT", "SCHEDULER_IN_PROCESS")


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
