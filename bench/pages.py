"""Times the content pages, SOS, the diary and the report in process (Flask test client), against a bare Flask hello.

A quick check beside bench/load.py (gunicorn + wrk): no sockets, one process, so the ratio says how much work the
app itself does per request. SQLite in a temporary file by default; PostgreSQL when DATABASE_URL is set (its
database name must contain "test": the schema is dropped and rebuilt from the migrations). Prints a markdown
table for docs/PERFORMANCE.md ("Pages and content cache").

    .venv/bin/python bench/pages.py                 # 2,000 requests per endpoint (100 and 50 for the signed-in pages)
    .venv/bin/python bench/pages.py --requests 500
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/coach_pages_bench_test .venv/bin/python bench/pages.py
"""

import argparse
import gc
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402

from bench.assessment_endpoint import database_url, make_app  # noqa: E402
from bench.load_seed import SPASMS, seed_history  # noqa: E402
from coach.auth.service import open_session  # noqa: E402
from coach.extensions import db  # noqa: E402
from coach.models import User  # noqa: E402
from coach.seed import seed  # noqa: E402

EMAIL = "pages-bench@example.com"
SLUG = "gym-floor-settle"


def bare_app() -> Flask:
    hello = Flask("bare")

    @hello.get("/hello")
    def index():
        return "Hello, World!"

    return hello


def add_person(app, client, url: str) -> None:
    """The person bench/load.py measures: registered through the API, then ten years of diary in bulk
    (bench/load_seed.py: 3,650 spasms on random days, check-ins on about a quarter, a few old red flags)."""
    response = client.post("/api/v1/auth/register", json={
        "email": EMAIL, "password": "correct horse battery", "display_name": "Pages Bench", "role": "athlete",
        "timezone": "Europe/London", "country": "GB",
    })
    assert response.status_code == 201, response.get_json()
    seed_history(url, response.get_json()["user"]["id"], datetime.now(UTC))


def sign_in(app, client, email: str) -> None:
    """A session cookie for the bench user, as Flask-Login writes it at sign-in (the web form's work is not timed)."""
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        user_id = open_session(user, datetime.now(UTC), app.permanent_session_lifetime)  # the cookie's secret
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
        session.permanent = True


def timed(client, path: str, requests: int, expected: int = 200) -> tuple[float, float, float]:
    """Median and p99 wall time and median CPU time of `requests` GETs of `path`, in ms; the first few warm the
    caches up and are not counted. CPU time is this process's: on a shared machine it moves less than wall time."""
    for _ in range(min(20, requests)):
        response = client.get(path)
        assert response.status_code == expected, (path, response.status_code)
    samples, cpu = [], []
    gc.collect()
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == expected, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))], statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2_000, help="requests per endpoint (default 2,000)")
    parser.add_argument("--only", default="", help="time only the endpoints whose name holds this text")
    args = parser.parse_args()
    url = database_url()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite (file, WAL)"
    app = make_app(url)
    with app.app_context():
        seed()
    client = app.test_client()
    if not args.only or "spasms" in args.only:
        add_person(app, client, url)
    signed_in = app.test_client()
    if not args.only or "spasms" in args.only:
        sign_in(app, signed_in, EMAIL)
    bare = bare_app().test_client()

    pages = [
        ("bare Flask `/hello`", bare, "/hello", args.requests),
        ("`/` signed out", client, "/", args.requests),
        ("`/routines`", client, "/routines", args.requests),
        (f"`/routines/{SLUG}`", client, f"/routines/{SLUG}", args.requests),
        (f"`/routines/{SLUG}/play`", client, f"/routines/{SLUG}/play", args.requests),
        ("`GET /api/v1/routines`", client, "/api/v1/routines", args.requests),
        ("`/sos` signed out", client, "/sos", args.requests),
        # The signed-in pages re-read a ten-year history: fewer requests keep the run short.
        (f"`/` signed in ({SPASMS:,} spasms)", signed_in, "/", max(args.requests // 20, 30)),
        (f"`/diary` ({SPASMS:,} spasms)", signed_in, "/diary", max(args.requests // 20, 30)),
        (f"`/report` ({SPASMS:,} spasms)", signed_in, "/report", max(args.requests // 40, 20)),
    ]
    print(f"### {backend}, {args.requests:,} requests per endpoint (fewer where marked)\n")
    print("| endpoint | requests | median ms | p99 ms | CPU median ms | requests/s (1 / median) | ratio to bare |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    bare_median = None
    for name, test_client, path, requests in pages:
        if args.only and args.only not in name and name != pages[0][0]:
            continue
        median, p99, cpu = timed(test_client, path, requests)
        bare_median = bare_median or median
        print(f"| {name} | {requests:,} | {median:.3f} | {p99:.3f} | {cpu:.3f} | {1000 / median:,.0f} | "
              f"{bare_median / median:.2f}x |")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
