"""Times GET /api/v1/trainer/clients for a trainer with 50 and with 500 clients, each with 90 days of sessions
(an assignment every morning, most mornings done, some sessions on their own) and episodes (a spasm about every
ten days, with check-ins; a third of the clients share their diary), against a bare Flask endpoint in the same
run, and prints a markdown table for docs/PERFORMANCE.md.

SQLite in a temporary file by default; PostgreSQL when DATABASE_URL is set (its database name must contain
"test": the schema is dropped and rebuilt from the migrations).

    .venv/bin/python bench/trainer_clients.py
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/coach_clients_bench_test .venv/bin/python bench/trainer_clients.py
"""

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bench.assessment_endpoint import database_url, make_app, timed  # noqa: E402
from coach.auth.service import issue_token  # noqa: E402
from coach.extensions import db  # noqa: E402
from coach.models import Assignment, Episode, FollowUp, Routine, RoutineSession, TrainerLink, User  # noqa: E402

SIZES = (50, 500)
DAYS = 90
DAILY = {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5, 6, 7]}
ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata")


def add_trainer(app, n: int, now: datetime) -> str:
    """A trainer with n clients and their 90 days; returns the trainer's bearer token. Bulk inserts: the
    seeding is not what is timed."""
    rnd = random.Random(n)
    with app.app_context():
        trainer = User(email=f"coach{n}@example.com", password_hash="x", display_name=f"Coach {n}", role="trainer",
                       timezone="Europe/London", country="GB")
        db.session.add(trainer)
        db.session.flush()
        routine = Routine(slug=f"warm-up-{n}", title="Warm-up", kind="prevention", summary="Five easy minutes",
                          owner_id=trainer.id)
        db.session.add(routine)
        db.session.flush()
        first_client = db.session.execute(insert(User).returning(User.id), [
            {"email": f"client{n}-{i}@example.com", "password_hash": "x", "display_name": f"Client {i:03d}",
             "role": "athlete", "timezone": ZONES[i % len(ZONES)], "country": "GB"} for i in range(n)]).scalars().all()
        start = now - timedelta(days=DAYS)
        db.session.execute(insert(TrainerLink), [
            {"trainer_id": trainer.id, "client_id": cid, "linked_at": start, "share_episodes": i % 3 == 0}
            for i, cid in enumerate(first_client)])
        assignments = db.session.execute(insert(Assignment).returning(Assignment.id, Assignment.client_id), [
            {"trainer_id": trainer.id, "client_id": cid, "routine_id": routine.id, "routine_version": 1,
             "schedule": DAILY, "created_at": start, "updated_at": start, "paused": False} for cid in first_client]).all()
        sessions, episodes = [], []
        for aid, cid in assignments:
            keen = rnd.random()
            for k in range(DAYS):
                at = start + timedelta(days=k, hours=7, minutes=rnd.randint(0, 120))
                if rnd.random() < keen:
                    sessions.append({"user_id": cid, "routine_slug": routine.slug, "routine_title": "Warm-up",
                                     "started_at": at, "ended_at": at + timedelta(minutes=5), "completed": True,
                                     "completed_steps": [1, 2, 3], "steps_total": 3, "assignment_id": aid})
                if rnd.random() < 0.1:
                    episodes.append({"user_id": cid, "started_at": at + timedelta(hours=9), "severity": rnd.randint(2, 8),
                                     "locations": ["lower_back"], "symptoms": [], "source": "form",
                                     "created_at": at, "updated_at": at})
        db.session.execute(insert(RoutineSession), sessions)
        rows = db.session.execute(insert(Episode).returning(Episode.id, Episode.user_id, Episode.started_at), episodes).all()
        db.session.execute(insert(FollowUp), [
            {"episode_id": eid, "user_id": uid, "at": at + timedelta(days=1), "status": "resolved", "symptoms": []}
            for eid, uid, at in rows if at + timedelta(days=1) < now])
        db.session.commit()
        token, _ = issue_token(trainer, now, 1)
        return token, len(sessions), len(episodes)


def main():
    url = database_url()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite (file, WAL)"
    app = make_app(url)

    @app.get("/bench/bare")
    def bare():
        return {"ok": True}

    client = app.test_client()
    now = datetime.now(UTC)
    print(f"### {backend}\n")
    print("| clients | sessions | episodes | GET /api/v1/trainer/clients median ms | p95 ms | bare endpoint median ms "
          "| p95 ms | ratio (median) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in SIZES:
        token, sessions, episodes = add_trainer(app, n, now)
        headers = {"Authorization": f"Bearer {token}"}
        repeats = 30 if n >= 500 else 60

        def endpoint(headers=headers, n=n):
            response = client.get("/api/v1/trainer/clients", headers=headers)
            assert response.status_code == 200 and len(response.get_json()["items"]) == n, response.status_code

        def bare_call():
            assert client.get("/bench/bare").status_code == 200

        median, p95 = timed(endpoint, repeats)
        bare_median, bare_p95 = timed(bare_call, repeats)
        print(f"| {n:,} | {sessions:,} | {episodes:,} | {median:.1f} | {p95:.1f} | {bare_median:.2f} | {bare_p95:.2f} "
              f"| {median / bare_median:,.0f}x |")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
