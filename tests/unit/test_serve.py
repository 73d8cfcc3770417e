"""scripts/serve (`make serve`) refuses to start two schedulers on anything but PostgreSQL, and says why."""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Serve:
    """scripts/serve in a process group of its own, started as a supervisor that hands SIGINT and SIGTERM down
    blocked would start it (the mask survives exec); its output collected line by line."""

    def __init__(self, database: str, instance: Path, port: int):
        env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "SECRET_KEY", "COACH_ENV")}
        env.update(DATABASE_URL=database, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1",
                   COACH_INSTANCE_PATH=str(instance))
        self.port, self.seen, self._wanted = port, [], []
        self.process = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve")], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True, preexec_fn=_block_stop_signals)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.seen.append(line)
            for wanted, found in self._wanted:
                if wanted in line:
                    found.set()

    def wait_for(self, wanted: str, seconds: float = 120) -> None:
        found = threading.Event()
        self._wanted.append((wanted, found))
        if any(wanted in line for line in list(self.seen)):
            found.set()
        assert found.wait(seconds), f"never printed {wanted!r}:\n{self.output}"

    @property
    def output(self) -> str:
        return "".join(self.seen)

    def started(self) -> dict[str, int]:
        return {name: int(pid) for name, pid in re.findall(r"started (\S+) \(pid (\d+)\)", self.output)}

    def terminate_group(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)  # as a terminal signals its foreground job

    def kill_everything(self) -> None:
        """After a failure: the group, and the processes it started in sessions of their own."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for pid in self.started().values():
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)


def _block_stop_signals() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def serve(serve_database, tmp_path):
    made = Serve(serve_database, tmp_path, _free_port())
    yield made
    made.kill_everything()


def test_sigterm_stops_web_and_both_schedulers_even_when_handed_down_blocked(serve):
    serve.wait_for("started scheduler-2")
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{serve.port}/readyz", timeout=5).status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "/readyz never answered 200:\n" + serve.output
        time.sleep(0.5)
    pids = serve.started()
    assert set(pids) == {"web", "scheduler-1", "scheduler-2"}

    serve.terminate_group()
    assert serve.process.wait(timeout=60) == 0, serve.output
    serve.wait_for("serve      | stopped", seconds=5)  # the reader's last line
    for name, pid in pids.items():
        assert f"stopping {name} (pid {pid})" in serve.output
        assert _gone(pid), f"{name} still runs after make serve stopped"
    assert "!!" not in serve.output  # nothing died on its own


def test_sigterm_during_the_migrations_stops_before_anything_starts(serve):
    serve.wait_for("flask db upgrade")
    serve.terminate_group()
    assert serve.process.wait(timeout=60) != 0  # it did not finish what it was asked to do
    serve.wait_for("before anything was started", seconds=5)
    assert "started web" not in serve.output
