"""What bench/soak.py sets up before the load: the simulated people (signed up through the API, each with a phone
subscribed to the fake push service and reminders of their own), and thousands of other people whose reminders
fall due every minute of the run (inserted in bulk: their only part is to be reminded)."""
from __future__ import annotations

import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

from bench.soak_stack import SoakError, Stack, call

ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC")
PER_SEEDED_PERSON = 10  # reminders per bulk-seeded person (each has one phone)
PLAN = list[tuple[int, datetime]]  # (reminder id, when it falls due)


def address(i: int) -> str:
    """A distinct client address per person for X-Forwarded-For (loopback range: never a real host)."""
    return f"127.1.{i // 250}.{i % 250 + 1}"


def sign_up_people(stack: Stack, n: int) -> list[dict]:
    """n athletes registered through the API, each with a phone subscribed through the API."""
    port = stack.web_port
    status, body = call(port, "GET", "/api/v1/routines?kind=relief")
    if status != 200 or not body["items"]:
        raise SoakError(f"GET /api/v1/routines answered {status}")
    routines = [(r["slug"], sum(1 for s in r["steps"] if not s["optional"])) for r in body["items"]]
    password = secrets.token_urlsafe(18)

    def one(i: int) -> dict:
        xff = {"X-Forwarded-For": address(i)}
        status, body = call(port, "POST", "/api/v1/auth/register", {
            "email": f"soak{i}@example.com", "password": password, "display_name": f"Soak {i}", "role": "athlete",
            "timezone": ZONES[i % len(ZONES)], "country": "GB"}, xff)
        if status != 201:
            raise SoakError(f"register answered {status}: {body}")
        token = body["token"]
        auth = {**xff, "Authorization": f"Bearer {token}"}
        device = stack.push.device()
        status, answer = call(port, "POST", "/api/v1/push/subscriptions",
                              {"endpoint": device["endpoint"], "keys": device["keys"]}, auth)
        if status != 201:
            raise SoakError(f"POST /api/v1/push/subscriptions answered {status}: {answer}")
        return {"user_id": body["user"]["id"], "token": token, "address": address(i), "zone": ZONES[i % len(ZONES)],
                "routines": routines}

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(n)))


def people_reminders(stack: Stack, people: list[dict], minutes: list[datetime], each: int = 2) -> PLAN:
    """`each` daily reminders per person at wall times in their own zone that fall in the run's minutes; the
    server's next_fire_at must be that minute (its zone arithmetic is part of what is checked)."""
    port = stack.web_port

    def one(job: tuple[int, dict]) -> list[tuple[int, datetime]]:
        i, person = job
        plan = []
        for k in range(each):
            due = minutes[(i * each + k) % len(minutes)]
            local = due.astimezone(ZoneInfo(person["zone"]))
            status, body = call(port, "POST", "/api/v1/reminders", {
                "title": "Posture check", "kind": "posture",
                "schedule": {"type": "daily", "times": [f"{local:%H:%M}"]}},
                {"Authorization": f"Bearer {person['token']}", "X-Forwarded-For": person["address"]})
            if status != 201:
                raise SoakError(f"POST /api/v1/reminders answered {status}: {body}")
            answered = datetime.fromisoformat(body["next_fire_at"].replace("Z", "+00:00"))
            if answered != due:
                raise SoakError(f"reminder {body['id']} is due {answered}, expected {due}")
            plan.append((body["id"], due))
        return plan

    with ThreadPoolExecutor(4) as pool:
        return [entry for part in pool.map(one, enumerate(people)) for entry in part]


def seed_people_in_bulk(stack: Stack, n: int) -> list[int]:
    """n people with one phone each (from the fake push service), inserted directly; their user ids."""
    with ThreadPoolExecutor(4) as pool:
        devices = list(pool.map(lambda _: stack.push.device(), range(n)))
    engine = create_engine(stack.database_url)
    try:
        with engine.begin() as conn:
            first = conn.execute(text("SELECT coalesce(max(id), 0) + 1 FROM users")).scalar()
            conn.execute(text("""
                INSERT INTO users (id, email, password_hash, display_name, role, timezone, country, cancer_history,
                    osteoporosis, long_term_steroids, immunosuppressed, iv_drug_use, kidney_disease, diuretics,
                    new_medicine_4_weeks, heavy_sweater, created_at, updated_at)
                SELECT i, 'seeded' || i || '@example.com', 'x', 'Seeded ' || i, 'athlete', 'UTC', 'GB', false,
                    false, false, false, false, false, false, false, false, now(), now()
                FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS i"""),
                         {"first": first, "last": first + n - 1})
            conn.execute(text("""
                INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at, updated_at)
                VALUES (:user_id, :endpoint, :p256dh, :auth, now(), now())"""),
                [{"user_id": first + i, "endpoint": d["endpoint"], "p256dh": d["keys"]["p256dh"],
                  "auth": d["keys"]["auth"]} for i, d in enumerate(devices)])
            conn.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))"))
    finally:
        engine.dispose()
    return list(range(first, first + n))


def bulk_reminders(url: str, users: list[int], minutes: list[datetime], per_minute: int) -> PLAN:
    """per_minute daily reminders due at the start of each of `minutes` (the seeded people are on UTC), spread
    over the seeded people. Inserted directly, with next_fire_at as the service would compute it."""
    rows = []
    for m, due in enumerate(minutes):
        schedule = f'{{"type": "daily", "times": ["{due:%H:%M}"], "weekdays": [1, 2, 3, 4, 5, 6, 7]}}'
        for k in range(per_minute):
            rows.append({"user_id": users[(m * per_minute + k) % len(users)], "schedule": schedule, "due": due})
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            plan = []
            for start in range(0, len(rows), 5000):
                chunk = rows[start:start + 5000]
                ids = conn.execute(text("""
                    INSERT INTO reminders (user_id, kind, title, body, schedule, enabled, next_fire_at, created_at,
                        updated_at)
                    SELECT user_id, 'custom', 'Soak reminder', 'A reminder of the soak test.', CAST(schedule AS json),
                        true, due, now(), now()
                    FROM json_to_recordset(CAST(:rows AS json)) AS r(user_id int, schedule text, due timestamptz)
                    RETURNING id, next_fire_at"""), {"rows": _json(chunk)}).all()
                plan.extend((row.id, row.next_fire_at) for row in ids)
    finally:
        engine.dispose()
    if len(plan) != len(rows):
        raise SoakError(f"inserted {len(plan)} of {len(rows)} reminders")
    return plan


def _json(rows: list[dict]) -> str:
    return json.dumps([{**r, "due": r["due"].isoformat()} for r in rows])


def run_minutes(start: datetime, seconds: float) -> list[datetime]:
    """The whole UTC minutes that begin inside [start, start + seconds)."""
    first = (start + timedelta(seconds=59)).replace(second=0, microsecond=0)
    out = []
    while first < start + timedelta(seconds=seconds):
        out.append(first.astimezone(UTC))
        first += timedelta(minutes=1)
    return out
