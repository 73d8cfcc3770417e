"""The soak's simulated people (locust): what a phone does through the JSON API while reminders fall due.

Run by bench/soak.py, which signs the people up first and hands them over in SOAK_PEOPLE (a JSON file of
{token, address}); every acknowledged write is appended to SOAK_RECORDS (JSON lines) with the client-made id it
carried, so the soak can look each one up in the database afterwards. Each person, between pauses of a few seconds:
logs a spasm (sometimes sent twice with the same Idempotency-Key, as a phone does when it replays its offline
outbox and the first answer was lost), completes a relief session (replayed the same way), reads the assessment,
the diary and the inbox, and now and then sets a one-off reminder a few minutes ahead.
"""
from __future__ import annotations

import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from itertools import count

from locust import HttpUser, between, events, task

REPLAY_SHARE = 0.3  # of spasm logs and sessions, the share sent a second time with the same key
EVERYDAY_TRIGGERS = ("lifting", "bending", "twisting", "running", "sport", "sitting", "standing", "at_rest")
BACK = ("lower_back", "mid_back", "upper_back", "neck", "buttock")

_people: list[dict] = []
_next_person = count()
_records = None


@events.test_start.add_listener
def _open(environment, **_kwargs):
    global _records, _people
    with open(os.environ["SOAK_PEOPLE"]) as handle:
        _people = json.load(handle)
    _records = open(os.environ["SOAK_RECORDS"], "a", buffering=1)  # noqa: SIM115  (line-buffered for the run)


@events.test_stop.add_listener
def _close(environment, **_kwargs):
    if _records is not None:
        _records.flush()


def record(**fields) -> None:
    _records.write(json.dumps(fields) + "\n")


def moment(minutes_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(timespec="seconds")


class Person(HttpUser):
    wait_time = between(float(os.environ.get("SOAK_WAIT_MIN", "1")), float(os.environ.get("SOAK_WAIT_MAX", "5")))

    def on_start(self):
        me = _people[next(_next_person) % len(_people)]
        self.user_id = me["user_id"]
        # Each person has an address of their own behind the one trusted proxy, as real phones would.
        self.client.headers.update({"Authorization": f"Bearer {me['token']}", "X-Forwarded-For": me["address"]})
        self.routines = me["routines"]  # [(slug, steps)]
        self.reminders = 0

    # ------------------------------------------------------------ writes that must be stored exactly once
    def _write(self, kind: str, path: str, body: dict, name: str) -> None:
        key = str(uuid.uuid4())
        first = self._post(kind, path, body, key, name, expect=(201,))
        if first is not None and random.random() < REPLAY_SHARE:
            # The outbox sends it again: the server must answer 200 with the same record, and store nothing new.
            self._post(kind, path, body, key, f"{name} (replay)", expect=(200,), original=first)

    def _post(self, kind, path, body, key, name, expect, original=None):
        with self.client.post(path, json=body, headers={"Idempotency-Key": key}, name=name,
                              catch_response=True) as response:
            status = response.status_code
            stored_id = None
            if 200 <= status < 300:
                data = response.json()
                stored_id = (data.get("episode") or data)["id"]
            record(kind=kind, key=key, id=stored_id, status=status, user_id=self.user_id, replay=original is not None,
                   original=original, next_fire_at=(response.json().get("next_fire_at") if kind == "reminder"
                                                    and stored_id else None))
            if status not in expect:
                response.failure(f"{status}: {response.text[:200]}")
            elif original is not None and stored_id != original:
                response.failure(f"replay answered id {stored_id}, the first answer was {original}")
            else:
                response.success()
            return stored_id if 200 <= status < 300 else None

    @task(5)
    def log_spasm(self):
        body = {"started_at": moment(random.uniform(0, 120)), "severity": random.randint(1, 7),
                "trigger": random.choice(EVERYDAY_TRIGGERS), "locations": [random.choice(BACK)],
                "during_exercise": random.choice((True, False)), "eased_by_stretch": random.choice((True, False, None))}
        self._write("episode", "/api/v1/episodes", body, "POST /api/v1/episodes")

    @task(3)
    def complete_session(self):
        slug, steps = random.choice(self.routines)
        started = random.uniform(5, 60)
        body = {"routine": slug, "started_at": moment(started), "ended_at": moment(started - 4), "completed": True,
                "completed_steps": list(range(1, steps + 1)), "pain_before": random.randint(3, 7),
                "pain_after": random.randint(0, 3)}
        self._write("session", "/api/v1/sessions", body, "POST /api/v1/sessions")

    @task(1)
    def set_reminder(self):
        if self.reminders >= 10:  # well inside the 50 a person may keep
            return
        self.reminders += 1
        at = datetime.now(UTC) + timedelta(minutes=random.uniform(1, 3))
        body = {"title": "Stretch break", "kind": "posture",
                "schedule": {"type": "once", "at": at.isoformat(timespec="seconds")}}
        self._write("reminder", "/api/v1/reminders", body, "POST /api/v1/reminders")

    # ------------------------------------------------------------ reads
    @task(4)
    def read_assessment(self):
        self.client.get("/api/v1/assessment", name="GET /api/v1/assessment")

    @task(2)
    def read_diary(self):
        self.client.get("/api/v1/episodes?limit=20", name="GET /api/v1/episodes")

    @task(2)
    def read_inbox(self):
        self.client.get("/api/v1/notifications?limit=20", name="GET /api/v1/notifications")
