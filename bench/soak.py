"""The soak: simulated people use the JSON API for minutes while reminders fall due every minute, one of the two
schedulers is killed with SIGKILL mid-way and started again; then every acknowledged write is looked up in the
database by its client-made id and every reminder that fell due is looked up by its Topic in the inbox, the delivery
rows and the fake push service's counts. Fault cases replace the kill: the push service answering 500 or 429 for a
minute, or PostgreSQL restarted under load (/readyz polled throughout).

    .venv/bin/pip install -r requirements-bench.txt        # locust, once (make bench-deps)
    .venv/bin/python bench/soak.py --users 200 --minutes 5
    .venv/bin/python bench/soak.py --users 200 --minutes 3 --fault push500   # or push429, pgrestart

Everything runs on 127.0.0.1 in production mode (bench/soak_stack.py), in a PostgreSQL database made for the run
and dropped after it (--keep keeps it). Markdown tables go to stdout, every figure to bench/results/ (not in git).
`--fault pgrestart` stops the local cluster for 10 s (pg_ctlcluster, as root): other users of it see that too.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bench import soak_count  # noqa: E402
from bench.soak_seed import bulk_reminders, people_reminders, run_minutes, seed_people_in_bulk, sign_up_people  # noqa: E402
from bench.soak_stack import BIN, ROOT, SoakError, Stack, call  # noqa: E402

LEASE_SECONDS = 300  # coach/reminders/dispatch.py Settings.lease: how long a dead scheduler's claims stay with it
PG_CLUSTER = ("15", "main")


def now() -> datetime:
    return datetime.now(UTC)


class Timeline:
    """What happened when, in seconds from the start of the load."""

    def __init__(self):
        self.start = time.time()
        self.events: list[tuple[float, str]] = []

    def note(self, what: str) -> None:
        at = round(time.time() - self.start, 1)
        self.events.append((at, what))
        print(f"[{at:7.1f} s] {what}", file=sys.stderr, flush=True)


class ReadyPoller(threading.Thread):
    """GET /readyz every half second; keeps each change of answer (status, or 'no answer')."""

    def __init__(self, port: int, timeline: Timeline):
        super().__init__(daemon=True)
        self.port, self.timeline, self.stop = port, timeline, threading.Event()
        self.changes: list[tuple[float, str]] = []
        self.counts: dict[str, int] = {}

    def run(self):
        last = None
        while not self.stop.is_set():
            try:
                answer = str(call(self.port, "GET", "/readyz", timeout=5)[0])
            except OSError as error:
                answer = f"no answer ({type(error).__name__})"
            self.counts[answer] = self.counts.get(answer, 0) + 1
            if answer != last:
                self.changes.append((round(time.time() - self.timeline.start, 1), answer))
                last = answer
            self.stop.wait(0.5)


def pending_leased_to(url: str, pid: int) -> list[int]:
    """The deliveries a scheduler process had claimed and not finished (its lease owner names its pid)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT id FROM deliveries WHERE status = 'pending' AND lease_owner LIKE :o"),
                                     {"o": f"%:{pid}:%"}).scalars())
    finally:
        engine.dispose()


def fate_of(url: str, ids: list[int]) -> dict:
    if not ids:
        return {}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*), max(sent_at) FROM deliveries WHERE id = ANY(:ids) "
                                     "GROUP BY status"), {"ids": ids}).all()
    finally:
        engine.dispose()
    return {status: {"count": n, "last_sent_at": last.isoformat() if last else None} for status, n, last in rows}


def kill_mid_burst(stack: Stack, timeline: Timeline, at: float, result: dict) -> None:
    """At the first minute's burst after `at` (pushes start arriving), SIGKILL scheduler a, restart it 5 s later:
    whatever it had claimed and not finished must be taken over when its lease runs out."""
    while time.time() < at:
        time.sleep(0.2)
    boundary = (int(time.time()) // 60 + 1) * 60
    while time.time() < boundary:
        time.sleep(0.1)
    before = stack.push.stats()["received"]
    give_up = time.time() + 30
    while time.time() < give_up and stack.push.stats()["received"] - before < 200:
        time.sleep(0.05)
    pid = stack.kill("scheduler-a")
    timeline.note(f"SIGKILL scheduler-a (pid {pid}) while the minute's pushes were going out")
    result["killed_pid"] = pid
    result["leased_at_kill"] = pending_leased_to(stack.database_url, pid)
    timeline.note(f"deliveries leased to it and not finished: {len(result['leased_at_kill'])}")
    time.sleep(5)
    stack.start_scheduler("scheduler-a")
    timeline.note(f"scheduler-a started again (pid {stack.processes['scheduler-a'].pid})")


def push_fault(stack: Stack, timeline: Timeline, at: float, status: int) -> None:
    """From 5 s before the first minute's burst after `at`, so the whole minute has pushes waiting."""
    at = (int(at) // 60 + 1) * 60 - 5
    while time.time() < at:
        time.sleep(0.2)
    stack.push.fault(status, 60, retry_after=5 if status == 429 else None)
    timeline.note(f"push service answers {status} for 60 s" + (" (Retry-After: 5)" if status == 429 else ""))
    time.sleep(60)
    timeline.note("push service recovered")


def restart_postgres(timeline: Timeline, at: float) -> None:
    while time.time() < at:
        time.sleep(0.2)
    version, cluster = PG_CLUSTER
    timeline.note("PostgreSQL: pg_ctlcluster stop (fast)")
    subprocess.run(["pg_ctlcluster", version, cluster, "stop", "-m", "fast"], check=True)
    time.sleep(10)
    subprocess.run(["pg_ctlcluster", version, cluster, "start"], check=True)
    timeline.note("PostgreSQL: started again")


def drain(stack: Stack, due: dict, cutoff: datetime, limit: float, timeline: Timeline) -> float:
    """Wait until every due Topic has reached the push service and no due delivery is pending (or `limit`)."""
    started = time.time()
    engine = create_engine(stack.database_url)
    try:
        while time.time() - started < limit:
            pushed = stack.push.stats()["by_topic"]
            missing = sum(1 for t in due if t not in pushed)
            with engine.connect() as conn:
                pending = conn.execute(text("SELECT count(*) FROM deliveries WHERE status = 'pending' "
                                            "AND fire_at <= :c"), {"c": cutoff}).scalar()
            if not missing and not pending:
                break
            timeline.note(f"draining: {missing} due topics not pushed yet, {pending} deliveries pending")
            time.sleep(10)
    finally:
        engine.dispose()
    return round(time.time() - started, 1)


def run(args) -> dict:
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    scratch = ROOT / "bench" / "results" / f"soak-{args.fault}-{stamp}"
    stack = Stack(f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}", scratch)
    result: dict = {"command": " ".join(sys.argv), "date": stamp, "fault": args.fault, "users": args.users,
                    "minutes": args.minutes, "reminders_per_minute": args.reminders_per_minute,
                    "load_average": {"before": os.getloadavg()}, "cpus": os.cpu_count()}
    try:
        public_key = stack.prepare()
        stack.start_push(public_key)
        stack.start_web()
        seeded = seed_people_in_bulk(stack, max(1, args.reminders_per_minute * args.minutes // 10))
        people = sign_up_people(stack, args.users)
        for name in ("scheduler-a", "scheduler-b"):
            stack.start_scheduler(name)
        duration = args.minutes * 60
        load_start = time.time() + 45  # the reminders below take a few seconds to make
        minutes = run_minutes(datetime.fromtimestamp(load_start, UTC), duration)
        plan = people_reminders(stack, people, minutes) + bulk_reminders(stack.database_url, seeded, minutes,
                                                                         args.reminders_per_minute)
        print(f"{len(seeded):,} seeded people, {args.users} signed up; {len(plan):,} reminders due over "
              f"{len(minutes)} minutes", file=sys.stderr)
        people_file, records_file = scratch / "people.json", scratch / "records.jsonl"
        people_file.write_text(json.dumps(people))
        env = dict(os.environ, SOAK_PEOPLE=str(people_file), SOAK_RECORDS=str(records_file))
        while time.time() < load_start:
            time.sleep(0.1)
        timeline = Timeline()
        poller = ReadyPoller(stack.web_port, timeline)
        poller.start()
        master = stack.processes["web"].pid
        locust = subprocess.Popen(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "soak_locust.py"), "--headless", "--only-summary",
             "-u", str(args.users), "-r", str(min(args.users, 20)), "--run-time", f"{duration}s",
             "--stop-timeout", "10", "--host", f"http://127.0.0.1:{stack.web_port}", "--csv", str(scratch / "locust"),
             "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=open(scratch / "locust.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT)
        timeline.note(f"load: {args.users} people for {args.minutes} min")
        events: dict = {}
        if args.fault == "none":
            action = threading.Thread(target=kill_mid_burst, args=(stack, timeline, timeline.start + duration / 2 - 30,
                                                                   events))
        elif args.fault in ("push500", "push429"):
            action = threading.Thread(target=push_fault, args=(stack, timeline, timeline.start + 30,
                                                               int(args.fault[4:])))
        else:
            action = threading.Thread(target=restart_postgres, args=(timeline, timeline.start + 60))
        action.start()
        result["load_average"]["middle"] = None
        while locust.poll() is None:
            if result["load_average"]["middle"] is None and time.time() > timeline.start + duration / 2:
                result["load_average"]["middle"] = os.getloadavg()
            time.sleep(1)
        action.join()
        cutoff = now()
        timeline.note("load over")
        result["load_average"]["end of load"] = os.getloadavg()
        records = soak_count.read_records(records_file)
        due, after = soak_count.planned(plan, records, cutoff)
        result["drain_seconds"] = drain(stack, due, cutoff, LEASE_SECONDS + 120, timeline)
        timeline.note(f"drained after {result['drain_seconds']} s")
        poller.stop.set()
        poller.join()
        stats = stack.push.stats()
        result["gunicorn_master_same"] = stack.processes["web"].pid == master and stack.processes["web"].poll() is None
        if events.get("leased_at_kill") is not None:
            events["leased_fate"] = fate_of(stack.database_url, events.pop("leased_at_kill"))
        result["kill"] = events
        result["readyz"] = {"changes": poller.changes, "counts": poller.counts}
        result["timeline"] = timeline.events
        result["requests"] = soak_count.requests(scratch / "locust")
        result["writes"] = soak_count.writes(stack.database_url, records, [p["user_id"] for p in people])
        result["reminders"] = soak_count.reminders(stack.database_url, due, cutoff, stats)
        result["reminders"]["planned_after_cutoff"] = after
        result["scheduler_errors"] = {name: stack.log_has(name, "Traceback")
                                      for name in ("scheduler-a", "scheduler-b", "web")}
        (scratch / "result.json").write_text(json.dumps(result, indent=1, default=str))
        return result
    finally:
        stack.stop_all()
        if not args.keep:
            stack.drop()


def report(result: dict) -> str:
    lines = [f"Command: `{result['command']}`; {result['date']}; load average (1, 5, 15 min) before "
             f"{_avg(result['load_average']['before'])}, mid-run {_avg(result['load_average']['middle'])}, "
             f"at the end {_avg(result['load_average']['end of load'])}; {result['cpus']} cores.", "",
             soak_count.tables(result), ""]
    kill = result.get("kill") or {}
    if kill:
        lines.append(f"Scheduler killed (pid {kill['killed_pid']}); the deliveries it held: "
                     + (", ".join(f"{s} {v['count']} (last sent {v['last_sent_at']})"
                                  for s, v in kill["leased_fate"].items()) or "none") + ".")
    ready = result["readyz"]
    lines.append("`/readyz`: " + ", ".join(f"{at} s: {answer}" for at, answer in ready["changes"])
                 + f" (answers: {ready['counts']}).")
    lines.append(f"gunicorn master never restarted: {result['gunicorn_master_same']}; drain after the load: "
                 f"{result['drain_seconds']} s; tracebacks in logs: {result['scheduler_errors']}.")
    lines.append("Timeline: " + "; ".join(f"{at} s {what}" for at, what in result["timeline"]))
    return "\n".join(lines)


def _avg(values) -> str:
    return "-" if not values else " / ".join(f"{v:.2f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument("--reminders-per-minute", type=int, default=5000,
                        help="seeded reminders due at the start of each minute of the run (10 per seeded person)")
    parser.add_argument("--fault", choices=("none", "push500", "push429", "pgrestart"), default="none",
                        help="none: SIGKILL a scheduler mid-way; otherwise the fault instead")
    parser.add_argument("--database", default="coach_soak_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.fault == "pgrestart" and os.geteuid() != 0:
        raise SystemExit("--fault pgrestart runs pg_ctlcluster: run it as root")
    try:
        result = run(args)
    except SoakError as error:
        raise SystemExit(f"soak: {error}") from None
    print(report(result))


if __name__ == "__main__":
    main()
