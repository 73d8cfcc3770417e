"""With REDIS_URL set, sign-in limits are counted in Redis, so every worker shares one count."""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from coach.config import Config

REDIS = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def test_redis_url_selects_redis_storage(monkeypatch):
    monkeypatch.setenv("REDIS_URL", REDIS)
    assert Config().RATELIMIT_STORAGE_URI == REDIS
    monkeypatch.delenv("REDIS_URL")
    assert Config().RATELIMIT_STORAGE_URI == "memory://"


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_two_workers_share_the_count_in_redis(app_factory):
    # Two app instances stand in for two gunicorn workers; a fresh key prefix isolates this run.
    prefix = f"test-{uuid.uuid4().hex}"
    workers = [app_factory(RATELIMIT_STORAGE_URI=REDIS, RATELIMIT_KEY_PREFIX=prefix) for _ in range(2)]
    email = f"{uuid.uuid4().hex}@example.com"
    statuses = [
        workers[i % 2].test_client().post("/api/v1/auth/token", json={"email": email, "password": "wrong password"}).status_code
        for i in range(6)
    ]
    # The per-account limit is 5 failures a minute, counted across both workers.
    assert statuses[:5] == [401] * 5 and statuses[5] == 429


# In a process of its own: the limiter is one object per process, and a storage it marked dead would stay dead
# for the apps the rest of this worker's tests make (their counts would then land in the fallback's memory).
OUT_OF_REACH = """
import uuid
from tests.conftest import make_app
app = make_app(%r, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0", RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=%r)
client, email, statuses = app.test_client(), f"{uuid.uuid4().hex}@example.com", []
for _ in range(6):
    try:
        statuses.append(client.post("/api/v1/auth/token", json={"email": email, "password": "wrong"}).status_code)
    except Exception:  # the test config lets exceptions through: production answers them 500
        statuses.append(500)
print(statuses)
"""


def _statuses_with_redis_out_of_reach(database_url: str, fallback: bool) -> list[int]:
    # Nothing listens on port 9: every call to the storage fails.
    done = subprocess.run([sys.executable, "-c", OUT_OF_REACH % (database_url, fallback)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sign_in_still_answers_and_limits_while_redis_is_out_of_reach(database_url):
    # The limiter counts in this worker's memory instead: five wrong passwords, then the limit.
    assert _statuses_with_redis_out_of_reach(database_url, True) == [401] * 5 + [429]
    # Without it (the default), every rate-limited request fails.
    assert set(_statuses_with_redis_out_of_reach(database_url, False)) == {500}


def test_the_memory_fallback_is_off_unless_turned_on(monkeypatch):
    assert Config().RATELIMIT_IN_MEMORY_FALLBACK_ENABLED is False
    monkeypatch.setenv("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", "true")
    assert Config().RATELIMIT_IN_MEMORY_FALLBACK_ENABLED is True
