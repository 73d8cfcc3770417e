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
