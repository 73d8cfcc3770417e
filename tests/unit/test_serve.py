"""scripts/serve (`make serve`) refuses to start two schedulers on anything but PostgreSQL, and says why."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url", [None, "sqlite:////tmp/coach.db"])
def test_make_serve_refuses_anything_but_postgresql(url):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if url:
        env["DATABASE_URL"] = url
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "serve")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert "make serve needs PostgreSQL" in done.stderr
    assert "started" not in done.stdout  # nothing was run, not even the migrations


@pytest.fixture
def serve_database(database_url):
    """A scratch PostgreSQL database beside DATABASE_URL's: make serve migrates and seeds it from nothing."""
    if not database_url.startswith("postgresql"):
        pytest.skip("make serve runs on PostgreSQL only: DATABASE_URL names none")
    from tests.migration_helpers import scratch_postgres

    with scratch_postgres(database_url, "serve") as url:
        yield url


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_serve(database: str, instance: Path, port: int) -> subprocess.Popen:
    import signal

    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "SECRET_KEY", "COACH_ENV")}
    env.update(DATABASE_URL=database, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", COACH_INSTANCE_PATH=str(instance))

    def handed_down_blocked():  # a parent that starts it with SIGINT and SIGTERM blocked (the mask survives exec)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})

    # A process group of its own, signalled below as a terminal signals the foreground job on Ctrl-C.
    return subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=handed_down_blocked)


def _lines_until(process: subprocess.Popen, wanted: str, seen: list[str], seconds: float = 120) -> None:
    import threading

    found = threading.Event()

    def read():
        for line in process.stdout:
            seen.append(line)
            if wanted in line:
                found.set()

    threading.Thread(target=read, daemon=True).start()
    assert found.wait(seconds), f"never printed {wanted!r}:\n{''.join(seen)}"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_sigterm_stops_web_and_both_schedulers_even_when_handed_down_blocked(serve_database, tmp_path):
    import re
    import signal
    import time
    import urllib.request

    port = _free_port()
    process = _start_serve(serve_database, tmp_path, port)
    seen: list[str] = []
    try:
        _lines_until(process, "started scheduler-2", seen)
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5).status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "/readyz never answered 200:\n" + "".join(seen)
            time.sleep(0.5)
        pids = {name: int(pid) for name, pid in re.findall(r"started (\S+) \(pid (\d+)\)", "".join(seen))}
        assert set(pids) == {"web", "scheduler-1", "scheduler-2"}

        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=60) == 0, "".join(seen)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    time.sleep(0.5)  # the reader thread's last lines
    output = "".join(seen)
    for name in pids:
        assert f"stopping {name} (pid {pids[name]})" in output
        assert _gone(pids[name]), f"{name} still runs after make serve stopped"
    assert output.rstrip().endswith("serve      | stopped")
    assert "!!" not in output  # nothing died on its own


def test_sigterm_during_the_migrations_stops_before_anything_starts(serve_database, tmp_path):
    import signal

    process = _start_serve(serve_database, tmp_path, _free_port())
    seen: list[str] = []
    try:
        _lines_until(process, "flask db upgrade", seen)
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=60) != 0  # it did not finish what it was asked to do
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    output = "".join(seen)
    assert "before anything was started" in output, output
    assert "started web" not in output
