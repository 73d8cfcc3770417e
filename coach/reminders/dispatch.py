"""The reminder dispatcher: claim due reminders, record deliveries and inbox entries, send the pushes.

One pass (`tick`) repeats two steps until nothing is due:

1. Claim (one short transaction): lock a batch of due reminders (`FOR UPDATE SKIP LOCKED` on PostgreSQL,
   so any number of dispatchers can run; SQLite takes one), write an inbox row per occurrence and a
   delivery row per device (unique keys make both exactly-once), advance `next_fire_at`, commit. The new
   deliveries are leased to this dispatcher in the same statement, so a fresh push costs no extra claim.
2. Send, outside any transaction: each leased delivery is encrypted and POSTed; results are written
   back in bulk. Deliveries whose lease ran out (a dispatcher died) or whose backoff is over are claimed
   again, also with SKIP LOCKED. Sending is at least once; the push Topic and the notification tag
   (`r<id>-<yyyymmddHHMM>`) make a repeat replace the first.

`now` comes from a clock the caller passes, so tests drive time without sleeping.
"""
from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import String, and_, cast, delete, literal_column, or_, select, update

from ..domain.schedule import QuietHours, next_fire_time, parse_schedule
from ..extensions import db
from ..models import Delivery, PushSubscription, Reminder, Routine, User
from . import bulk
from .push import Push, PushResult, Sender, encode_payload, make_topic, origin_of, sender_for
from .service import target_url

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# A literal, not a bound parameter, so the planner can use the partial index of pending deliveries.
PENDING = literal_column("'pending'", String)
FINAL = {"sent": "sent", "gone": "gone", "too_large": "too_large", "rejected": "rejected", "refused": "rejected"}


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Settings:
    batch_size: int = 500  # reminders claimed per transaction
    send_batch: int = 500  # deliveries re-claimed per transaction (retries, recovered leases)
    lease: timedelta = timedelta(seconds=300)
    max_attempts: int = 6
    backoff_base: float = 30.0  # seconds; doubles per attempt, with jitter, up to backoff_cap
    backoff_cap: float = 3600.0
    ttl: int = 4 * 3600  # a push later than this is pointless: the occurrence is only in the inbox
    threads: int = 8  # each encrypts its share of a batch while the others' pushes are in flight
    in_flight: int = 100  # pushes sent at once per sender thread (HTTP/2 streams on one connection)
    urgency: str = "normal"

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(
            batch_size=int(config.get("REMINDER_BATCH_SIZE", 500)),
            ttl=int(config.get("PUSH_TTL_SECONDS", 4 * 3600)),
            threads=max(1, int(config.get("PUSH_SEND_THREADS", 8))),
            in_flight=max(1, int(config.get("PUSH_IN_FLIGHT", 100))),
        )


@dataclass
class Job:
    """One leased delivery, with what is needed to send it."""

    id: int
    subscription_id: int
    subscription: dict
    payload: bytes
    topic: str
    fire_at: datetime
    attempts: int


@dataclass
class Stats:
    fired: int = 0
    notifications: int = 0
    created: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str, n: int = 1) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + n

    @property
    def sent(self) -> int:
        return self.outcomes.get("sent", 0)


def _skip_locked(query, model):
    # Rendered only on PostgreSQL; SQLite has no row locks (one dispatcher there).
    return query.with_for_update(skip_locked=True, of=model)


@lru_cache(maxsize=4096)
def _schedule(raw: str):
    return parse_schedule(json.loads(raw))


def schedule_of(value):
    """The schedule object of a stored schedule; the same JSON text is parsed once (they repeat a lot)."""
    return _schedule(value if isinstance(value, str) else json.dumps(value, sort_keys=True))


def due_query(now: datetime, limit: int):
    """The claim: the oldest due reminders with their owner's zone and quiet hours, locked, skipping rows
    another dispatcher holds. Served by the index on next_fire_at (paused ones have none)."""
    query = (
        select(Reminder.id, Reminder.user_id, Reminder.kind, Reminder.title, Reminder.body,
               Routine.slug.label("routine"), Reminder.episode_id, Reminder.assignment_id, cast(Reminder.schedule, String).label("schedule"),
               Reminder.next_fire_at, User.timezone, User.quiet_start, User.quiet_end)
        .join(User, User.id == Reminder.user_id)
        .outerjoin(Routine, Routine.id == Reminder.routine_id)  # a routine reminder's URL names its slug
        .where(Reminder.next_fire_at <= now)
        .order_by(Reminder.next_fire_at)
        .limit(limit)
    )
    return _skip_locked(query, Reminder)


# A pure function of hashable arguments: at the busy minute thousands of reminders share a schedule, a zone
# and a due time, so the answer is worked out once.
_next = lru_cache(maxsize=65536)(next_fire_time)


def catch_up(schedule, due: datetime, now: datetime, tz: str, quiet: QuietHours | None,
             limit: int = 1000) -> tuple[datetime, datetime | None]:
    """(the occurrence to fire, the next one). Occurrences missed while no dispatcher ran collapse into
    the latest one that is due, so a late pass sends one reminder, not a backlog."""
    fire_at, nxt = due, _next(schedule, due, tz, quiet)
    for _ in range(limit):
        if nxt is None or nxt > now:
            return fire_at, nxt
        fire_at, nxt = nxt, _next(schedule, nxt, tz, quiet)
    return fire_at, _next(schedule, now, tz, quiet)


class Dispatcher:
    def __init__(self, sender: Sender | None, clock: Clock = system_clock, settings: Settings | None = None,
                 owner: str | None = None):
        self.sender, self.clock = sender, clock
        self.settings = settings or Settings()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]
        self._blocked: dict[str, datetime] = {}  # push host -> not before (429 Retry-After)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self.settings.threads) if self.settings.threads > 1 else None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    # ------------------------------------------------------------ the whole pass
    def tick(self, *, budget: float | None = None) -> Stats:
        """Work until nothing is due (or `budget` seconds of wall time have passed)."""
        stats, started = Stats(), time.monotonic()
        while True:
            fired, jobs = self.claim_due(stats)
            self.send(jobs, stats)
            retry = self.claim_pending()
            self.send(retry, stats)
            if fired < self.settings.batch_size and len(retry) < self.settings.send_batch:
                break
            if budget is not None and time.monotonic() - started > budget:
                break
        if stats.fired or stats.outcomes:
            log.info("reminders: %d fired, %d deliveries created, results %s", stats.fired, stats.created, stats.outcomes)
        return stats

    # ------------------------------------------------------------ step 1: claim due reminders
    def claim_due(self, stats: Stats | None = None) -> tuple[int, list[Job]]:
        stats = stats or Stats()
        now, session = self.clock(), db.session
        rows = session.execute(due_query(now, self.settings.batch_size)).all()
        if not rows:
            session.rollback()
            return 0, []
        devices: dict[int, list[tuple[int, dict]]] = {}
        if self.sender is not None:
            for sub_id, user_id, endpoint, p256dh, auth in bulk.devices_of({row.user_id for row in rows}):
                devices.setdefault(user_id, []).append(
                    (sub_id, {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}})
                )
        ttl, lease_until = timedelta(seconds=self.settings.ttl), now + self.settings.lease
        occurrences, pushes, advances, payloads = [], [], [], {}
        for row in rows:
            quiet = QuietHours(row.quiet_start, row.quiet_end) if row.quiet_start and row.quiet_end else None
            fire_at, nxt = catch_up(schedule_of(row.schedule), row.next_fire_at, now, row.timezone, quiet)
            # A one-off that has fired is switched off (a reminder with a next time is always on).
            advances.append({"id": row.id, "next_fire_at": nxt, "last_fired_at": fire_at, "enabled": nxt is not None})
            tag, url = make_topic(row.id, fire_at), target_url(row.kind, row.routine, row.episode_id, row.assignment_id)
            occurrences.append(bulk.Occurrence(row.id, row.user_id, row.kind, row.title, row.body, fire_at, tag, url))
            if now - fire_at > ttl or row.user_id not in devices:
                continue  # no device, or too late to be worth a push: the inbox has it
            payloads[row.id] = encode_payload(row.title, row.body, url, tag)
            pushes.extend((occurrences[-1], sub_id) for sub_id, _ in devices[row.user_id])
        subscriptions = {sub_id: info for subs in devices.values() for sub_id, info in subs}
        created = bulk.record_occurrences(occurrences, pushes, now, lease_until, self.owner)
        bulk.advance_reminders(advances)
        bulk.commit()
        by_reminder = {o.reminder_id: o for o in occurrences}
        jobs = [Job(delivery_id, sub_id, subscriptions[sub_id], payloads[reminder_id], by_reminder[reminder_id].tag,
                    by_reminder[reminder_id].fire_at, 1) for delivery_id, reminder_id, sub_id in created]
        stats.fired += len(rows)
        stats.notifications += len(occurrences)
        stats.created += len(jobs)
        return len(rows), jobs

    # ------------------------------------------------------------ step 2a: re-claim retries and lost leases
    def claim_pending(self) -> list[Job]:
        if self.sender is None:
            return []
        now, session = self.clock(), db.session
        query = (
            select(Delivery.id, Delivery.subscription_id, Delivery.payload, Delivery.topic, Delivery.fire_at,
                   Delivery.attempts, PushSubscription.endpoint, PushSubscription.p256dh, PushSubscription.auth)
            .join(PushSubscription, PushSubscription.id == Delivery.subscription_id)
            .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now,
                   or_(Delivery.lease_until.is_(None), Delivery.lease_until <= now))
            .order_by(Delivery.next_attempt_at)
            .limit(self.settings.send_batch)
        )
        rows = session.execute(_skip_locked(query, Delivery)).all()
        if not rows:
            session.rollback()
            return []
        ttl = timedelta(seconds=self.settings.ttl)
        expired = [r.id for r in rows if now - r.fire_at > ttl]
        live = [r for r in rows if now - r.fire_at <= ttl]
        bulk.finish_deliveries(expired, {"status": "expired", "lease_until": None,
                                         "last_error": "older than the push TTL"})
        bulk.lease_deliveries([r.id for r in live], now + self.settings.lease, self.owner)
        bulk.commit()
        return [Job(r.id, r.subscription_id, {"endpoint": r.endpoint, "keys": {"p256dh": r.p256dh, "auth": r.auth}},
                    r.payload.encode("utf-8"), r.topic, r.fire_at, r.attempts + 1) for r in live]

    # ------------------------------------------------------------ step 2b: send, then record
    def send(self, jobs: list[Job], stats: Stats) -> None:
        """Send in chunks, one per sender thread at a time; each chunk goes out `in_flight` pushes at once
        (HTTP/2 streams that share one connection per push service)."""
        if not jobs:
            return
        deadline = time.monotonic() + self.settings.lease.total_seconds() - self.sender.timeout - 5
        threads = self.settings.threads if self._pool else 1
        size = max(self.settings.in_flight, -(-len(jobs) // threads))
        chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]

        def chunk(part: list[Job]) -> list[tuple[Job, PushResult]]:
            # Windows of `in_flight` pushes; the first holds one, so a host that answers 429 (or does not
            # answer) costs one push, and the rest of its pushes wait as Retry-After asks.
            results: list[tuple[Job, PushResult]] = []
            window: list[Job] = []
            window_size = 1

            def flush() -> None:
                nonlocal window_size
                sent = self.sender.send_many([Push(job.subscription, job.payload, job.topic) for job in window],
                                             urgency=self.settings.urgency, ttl=self.settings.ttl)
                for job, result in zip(window, sent, strict=True):
                    if result.outcome == "rate_limited":
                        self._hold(job, result.retry_after or 60)
                    elif result.outcome == "retry" and result.status is None:
                        # No answer at all (refused, reset, timed out): the host is down or unreachable, and
                        # each further try would cost a timeout. Its other pushes wait for the first backoff.
                        self._hold(job, self.settings.backoff_base)
                    results.append((job, result))
                window.clear()
                window_size = self.settings.in_flight

            for job in part:
                host, now = origin_of(job.subscription["endpoint"])[1], self.clock()
                with self._lock:
                    blocked = self._blocked.get(host)
                if blocked is not None and blocked > now:  # 429, or the host is not answering: wait
                    results.append((job, PushResult("deferred", retry_after=(blocked - now).total_seconds())))
                elif time.monotonic() > deadline:  # the lease is running out: leave it to the next claim
                    results.append((job, PushResult("deferred", retry_after=0.0)))
                else:
                    window.append(job)
                    if len(window) >= window_size:
                        flush()
            if window:
                flush()
            return results

        parts = self._pool.map(chunk, chunks) if self._pool and len(chunks) > 1 else map(chunk, chunks)
        self.record([pair for part in parts for pair in part], stats)

    def _hold(self, job: Job, seconds: float) -> None:
        host = origin_of(job.subscription["endpoint"])[1]
        with self._lock:
            self._blocked[host] = max(self._blocked.get(host, self.clock()), self.clock() + timedelta(seconds=seconds))

    def backoff(self, attempts: int) -> float:
        delay = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** max(0, attempts - 1))
        return delay * random.uniform(0.8, 1.2)

    def record(self, results: list[tuple[Job, PushResult]], stats: Stats) -> None:
        now, session = self.clock(), db.session
        final: dict[tuple[str, int | None], list[int]] = {}
        later, gone_subs = [], set()
        for job, result in results:
            outcome = result.outcome
            if outcome in FINAL:
                final.setdefault((FINAL[outcome], result.status), []).append(job.id)
                if outcome == "gone":
                    gone_subs.add(job.subscription_id)
                if outcome == "too_large":
                    log.error("push: 413 payload too large for delivery %s (%d bytes)", job.id, len(job.payload))
            elif outcome == "deferred":  # not attempted: the attempt is given back
                later.append({"id": job.id, "next_attempt_at": now + timedelta(seconds=result.retry_after or 0),
                              "attempts": job.attempts - 1, "last_error": None, "last_status": None})
            elif job.attempts >= self.settings.max_attempts:
                final.setdefault(("failed", result.status), []).append(job.id)
            else:  # rate_limited (Retry-After) or retry (5xx, network): back off
                delay = result.retry_after if outcome == "rate_limited" else self.backoff(job.attempts)
                later.append({"id": job.id, "next_attempt_at": now + timedelta(seconds=delay),
                              "attempts": job.attempts, "last_error": (result.detail or outcome)[:200],
                              "last_status": result.status})
            stats.count(outcome)
        for (status, code), ids in final.items():
            values = {"status": status, "lease_until": None, "last_status": code}
            if status == "sent":
                values["sent_at"] = now
            bulk.finish_deliveries(ids, values)
        bulk.reschedule_deliveries(later)
        if gone_subs:
            # 404/410: the browser unsubscribed or the subscription expired; its other pushes go with it.
            session.execute(update(Delivery).where(and_(Delivery.subscription_id.in_(gone_subs),
                                                        Delivery.status == "pending"))
                            .values(status="gone", lease_until=None))
            session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone_subs)))
        bulk.commit()


def prune_deliveries(before: datetime, *, batch: int = 10_000) -> int:
    """Delete finished delivery records created before `before`, `batch` rows per transaction (short locks
    on a big table); pending ones and the inbox stay. Running it twice at once is harmless."""
    deleted = 0
    while True:
        ids = select(Delivery.id).where(Delivery.status != PENDING, Delivery.created_at < before).limit(batch)
        result = db.session.execute(delete(Delivery).where(Delivery.id.in_(ids.scalar_subquery())))
        db.session.commit()
        deleted += result.rowcount
        if result.rowcount < batch:
            return deleted


def tick(app, *, clock: Clock = system_clock, sender: Sender | None = None, settings: Settings | None = None,
         budget: float | None = None) -> Stats:
    """One scheduler tick in an app context (the APScheduler job and `flask run-scheduler` call this)."""
    with app.app_context():
        dispatcher = Dispatcher(sender or sender_for(app), clock, settings or Settings.from_config(app.config))
        try:
            return dispatcher.tick(budget=budget)
        finally:
            dispatcher.close()
            db.session.remove()
