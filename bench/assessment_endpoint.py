"""Times GET /api/v1/assessment (from the worker's cache, and computed) and POST /api/v1/episodes (which answers with
the new assessment) through the Flask test client for users with 10 to 3,650 episodes.

SQLite in a temporary file by default; PostgreSQL when DATABASE_URL is set (its database name must contain
"test": the schema is dropped and rebuilt from the migrations). Prints markdown tables for docs/PERFORMANCE.md.

    .venv/bin/python bench/assessment_endpoint.py
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/coach_diary_bench_test .venv/bin/python bench/assessment_endpoint.py
"""

import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.triage import NOW, PROFILE, make_history  # noqa: E402
from coach import create_app  # noqa: E402
from coach.config import TestConfig, normalise_database_url  # noqa: E402
from coach.extensions import db  # noqa: E402
from coach.models import Episode, FollowUp, User  # noqa: E402

SIZES = (10, 100, 1_000, 3_650)
AT = NOW.isoformat()


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    url = normalise_database_url(url)
    name = make_url(url).database or ""
    if not re.search(r"test", name):
        raise SystemExit(f"DATABASE_URL must name a throw-away database with 'test' in its name, got {name!r}")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def make_app(url: str):
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    config.RATELIMIT_ENABLED = False
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
    return app


def add_user(app, client, n: int, shift: timedelta = timedelta(0)) -> str:
    """A user with n daily episodes (the same history bench/triage.py times, moved by `shift`); returns a bearer
    token."""
    response = client.post("/api/v1/auth/register", json={
        "email": f"bench{n}{'-now' if shift else ''}@example.com", "password": "correct horse battery", "display_name": f"Bench {n}",
        "role": "athlete", "timezone": "Europe/London", "country": "GB",
    })
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    episodes, follow_ups = make_history(n)
    with app.app_context():
        user = db.session.get(User, body["user"]["id"])
        for name in ("cancer_history", "osteoporosis", "immunosuppressed", "kidney_disease", "diuretics", "heavy_sweater"):
            setattr(user, name, getattr(PROFILE, name))
        user.birth_year = PROFILE.birth_year
        ids = {}
        for e in episodes:
            row = Episode(user_id=user.id, started_at=e.started_at + shift, trigger=e.trigger, during_exercise=e.during_exercise,
                          locations=list(e.locations), side=e.side, severity=e.severity, locked_minutes=e.locked_minutes,
                          eased_by_stretch=e.eased_by_stretch, symptoms=list(e.symptoms), created_at=e.started_at + shift)
            db.session.add(row)
            ids[e.id] = row
        db.session.flush()
        for f in follow_ups:
            db.session.add(FollowUp(episode_id=ids[f.episode_id].id, user_id=user.id, at=f.at + shift,
                                    severity=f.severity, status=f.status, symptoms=list(f.symptoms), created_at=f.at + shift))
        db.session.commit()
    return body["token"]


def timed(func, repeats: int) -> tuple[float, float]:
    func()  # warm-up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def forget(app) -> None:
    """Empty the worker's assessment cache (when there is one), so the next call computes the assessment."""
    cache = app.extensions.get("coach.assessment_cache")
    if cache is not None:
        cache._entries.clear()


def main():
    url = database_url()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite (file, WAL)"
    app = make_app(url)
    client = app.test_client()
    print(f"### {backend}\n")
    print("| episodes | GET /api/v1/assessment median ms | p95 ms | computed (no cache) median ms | p95 ms "
          "| POST /api/v1/episodes median ms | p95 ms | GET /api/v1/me median ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in SIZES:
        token = add_user(app, client, n)
        headers = {"Authorization": f"Bearer {token}"}
        repeats = 40 if n >= 1_000 else 100

        def endpoint(headers=headers):
            response = client.get(f"/api/v1/assessment?at={AT.replace('+', '%2B')}", headers=headers)
            assert response.status_code == 200, response.get_json()

        def computed(headers=headers):
            forget(app)
            endpoint(headers)

        def me(headers=headers):
            assert client.get("/api/v1/me", headers=headers).status_code == 200

        # POST: a person whose ten years end today (the rules' windows hold the recent part), one spasm per call.
        now_token = add_user(app, client, n, shift=datetime.now(UTC) - NOW)

        def post(headers=(("Authorization", f"Bearer {now_token}"),)):
            response = client.post("/api/v1/episodes", headers=dict(headers), json={
                "started_at": datetime.now(UTC).isoformat(), "severity": 4, "locations": ["lower_back"],
                "trigger": "lifting"})
            assert response.status_code == 201, response.get_json()

        median, p95 = timed(endpoint, repeats)
        c_median, c_p95 = timed(computed, repeats)
        p_median, p_p95 = timed(post, repeats)
        me_median, _ = timed(me, repeats)
        print(f"| {n:,} | {median:.1f} | {p95:.1f} | {c_median:.1f} | {c_p95:.1f} | {p_median:.1f} | {p_p95:.1f} "
              f"| {me_median:.1f} |")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
