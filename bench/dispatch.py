"""Reminder dispatch at the busy minute, on PostgreSQL, against the fake push service; prints markdown tables.

1. Dispatch: N reminders (default 100,000; one user and one device each, five time zones) all due at the same
   instant T0; P dispatcher processes (default 2) run the real tick (coach/reminders/dispatch.py) from T0 until
   nothing is due, POSTing over HTTP/2 to a fake push service in its own process on 127.0.0.1, which checks each
   VAPID header, decrypts each push and records its arrival and Topic: `--push-service node` (the default,
   bench/pushfake.mjs: Node's nghttp2 and OpenSSL) or `python` (the tests' tests/pushfake.py on hypercorn, about
   1,100 µs of CPU a push). In production a push service checks VAPID and answers, and the phone decrypts, on
   other machines than the app's; so by default (`--decrypt later`) the Node fake answers once VAPID and the
   aes128gcm header check out and decrypts every body after the last push, off the clock, reporting that CPU
   apart and counting what does not decrypt. `--decrypt now` decrypts before each answer, on the same cores.
   Deliveries/s, duplicates (Topics seen twice) and lateness (arrival - T0) p50/p99; CPU per push by process.
2. Tick query (skipped with --stored 0): 1,000,000 stored reminders of which 1,000 due; EXPLAIN (ANALYZE,
   BUFFERS) of the claim query.
(The raw webpush() ceiling that earlier versions measured went with the target it served, "80% of raw webpush()
end to end", retired by issue 13.)

    createdb -h 127.0.0.1 -U postgres coach_reminders_bench
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/coach_reminders_bench .venv/bin/python bench/dispatch.py

The database is emptied (its name must contain "bench" or "test"). Everything stays on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")


# ---------------------------------------------------------------- the push service (its own process)
def sink_main(expected_key: str, port_pipe, control) -> None:
    """The fake push service of the tests (tests/pushfake.py: hypercorn, HTTP/2), checking VAPID and decrypting
    every push; every seeded endpoint shares the keys of its one device. Reports arrivals and Topics at the end."""
    from tests.pushfake import FakePushService

    service = FakePushService(expected_key, fallback="bench", keep_messages=False)
    keys = service.subscribe("bench").info()["keys"]
    with service:
        port_pipe.send((service.origin, keys))
        control.recv()  # "stop"
    stats = service.stats()
    control.send((service.arrivals, stats, dict(service.http_versions), service.connections, time.process_time()))


class NodePushService:
    """bench/pushfake.mjs in a Node process; every seeded endpoint falls back to the keys of its device "bench"."""

    def __init__(self, expected_key: str, decrypt: str = "later"):
        node = shutil.which("node")
        if node is None:
            raise SystemExit("node (Node.js 20) is needed for --push-service node; or use --push-service python")
        script = Path(__file__).resolve().parent / "pushfake.mjs"
        self.process = subprocess.Popen([node, str(script), "--port", "0", "--vapid-key", expected_key,
                                         "--fallback", "bench", "--decrypt", decrypt], stdout=subprocess.PIPE, text=True)
        self.origin = self.process.stdout.readline().split()[4]  # "fake push service on <origin> ..."
        self.keys = self._call("POST", "/_devices", {"name": "bench"})["keys"]
        self.cpu_at_start = 0.0

    def _call(self, method: str, path: str, document: dict | None = None) -> dict:
        data = None if document is None else json.dumps(document).encode()
        with urllib.request.urlopen(urllib.request.Request(self.origin + path, data=data, method=method)) as answer:
            return json.load(answer)

    def started(self) -> None:
        """Right before T0: its CPU from here on is what the pushes cost it."""
        self.cpu_at_start = self._call("GET", "/_arrivals")["cpu_seconds"]

    def finish(self) -> tuple[list[float], dict, dict, int, float, float]:
        """Arrivals, counts, HTTP versions, connections, CPU seconds serving the pushes, and CPU seconds the
        phones' decryption took after the run (--decrypt later; 0 when it was done before each answer)."""
        report, stats = self._call("GET", "/_arrivals"), self._call("GET", "/_stats")  # the first read decrypts
        self.process.terminate()
        self.process.wait(10)
        decrypting = report["decrypt_cpu_seconds"]
        return (report["arrivals"], stats, report["http_versions"], report["connections"],
                report["cpu_seconds"] - self.cpu_at_start - decrypting, decrypting)


class PythonPushService:
    """tests/pushfake.py (hypercorn) in a process of its own, driven through pipes."""

    def __init__(self, expected_key: str):
        spawn = mp.get_context("spawn")
        port_recv, port_send = spawn.Pipe(duplex=False)
        self.control, control_child = spawn.Pipe()
        self.process = spawn.Process(target=sink_main, args=(expected_key, port_send, control_child))
        self.process.start()
        self.origin, self.keys = port_recv.recv()

    def started(self) -> None:
        pass  # its CPU is counted from its start (importing and serving idle cost little beside the pushes)

    def finish(self) -> tuple[list[float], dict, dict, int, float, float]:
        self.control.send("stop")
        result = self.control.recv()
        self.process.join()
        return (*result, 0.0)  # it decrypts each push before answering


# ---------------------------------------------------------------- keys
def _vapid():
    from coach.reminders.push import parse_private_key
    from tests.reminder_helpers import VAPID_PRIVATE

    return parse_private_key(VAPID_PRIVATE)


# ---------------------------------------------------------------- dispatchers (their own processes)
def dispatcher_main(url: str, vapid_private: str, threads: int, in_flight: int, batch: int, ready, start_at,
                    result_queue) -> None:
    from coach import create_app
    from coach.extensions import db
    from coach.reminders.dispatch import Dispatcher, Settings
    from coach.reminders.push import sender_for
    from tests.conftest import make_config

    app = create_app(make_config(url, VAPID_PRIVATE_KEY=vapid_private, VAPID_SUBJECT="mailto:ops@example.com",
                                 PUSH_ALLOW_LOOPBACK=True))
    with app.app_context():
        dispatcher = Dispatcher(sender_for(app), settings=Settings(batch_size=batch, send_batch=batch, threads=threads,
                                                                  in_flight=in_flight))
        ready.wait()
        time.sleep(max(0.0, start_at.value - time.time()))
        totals = {"fired": 0, "sent": 0, "ticks": 0, "cpu": time.process_time()}
        while True:
            stats = dispatcher.tick()
            totals["ticks"] += 1
            totals["fired"] += stats.fired
            totals["sent"] += stats.sent
            if not stats.fired and not stats.outcomes:
                break
        totals["cpu"] = time.process_time() - totals["cpu"]
        totals["db_cpu"] = _backend_cpu(db.session)
        dispatcher.close()
    result_queue.put(totals)


def _backend_cpu(session) -> float:
    """CPU seconds of this connection's PostgreSQL backend process (same host: /proc), or 0 if unreadable."""
    from sqlalchemy import text

    try:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


# ---------------------------------------------------------------- seeding
def reset_and_migrate(url: str):
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from coach import create_app
    from tests.conftest import make_config

    if not re.search(r"bench|test", make_url(url).database or ""):
        raise SystemExit("DATABASE_URL must name a database with 'bench' or 'test' in it: it is emptied")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app(make_config(url))
    with app.app_context():
        upgrade(revision="heads")
    return app


def seed(conn, n: int, endpoint_base: str, p256dh: str, auth: str) -> None:
    from sqlalchemy import text

    zones = "ARRAY[" + ",".join(f"'{z}'" for z in ZONES) + "]"
    conn.execute(text(f"""
        INSERT INTO users (id, email, password_hash, display_name, role, timezone, country, cancer_history,
            osteoporosis, long_term_steroids, immunosuppressed, iv_drug_use, kidney_disease, diuretics,
            new_medicine_4_weeks, heavy_sweater, created_at, updated_at)
        SELECT i, 'b' || i || '@bench.example', 'x', 'Bench ' || i, 'athlete', ({zones})[1 + i % {len(ZONES)}],
            'GB', false, false, false, false, false, false, false, false, false, now(), now()
        FROM generate_series(1, :n) AS i"""), {"n": n})
    conn.execute(text("""
        INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at, updated_at)
        SELECT i, i, :base || i, :p256dh, :auth, now(), now() FROM generate_series(1, :n) AS i"""),
                 {"n": n, "base": endpoint_base, "p256dh": p256dh, "auth": auth})
    # The one stock routine they all open (the dispatcher joins it for the URL's slug).
    conn.execute(text("""
        INSERT INTO routines (id, slug, title, kind, summary, sources, evidence, next, is_stock, created_at, updated_at)
        VALUES (1, 'floor-mobility', 'Floor mobility', 'mobility', 'Bench.', '[]', '[]', '[]', true, now(), now())"""))
    conn.execute(text("""
        INSERT INTO reminders (id, user_id, kind, title, body, routine_id, schedule, enabled, created_at, updated_at)
        SELECT i, i, 'routine', 'Floor mobility', 'Time for Floor mobility.', 1,
            '{"type": "daily", "times": ["07:00"], "weekdays": [1, 2, 3, 4, 5, 6, 7]}', true, now(), now()
        FROM generate_series(1, :n) AS i"""), {"n": n})
    for table in ("users", "push_subscriptions", "routines", "reminders"):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def make_due(conn, at: datetime) -> None:
    """Every reminder due at `at`: the daily time is that instant's wall time in its owner's zone."""
    from sqlalchemy import text

    for zone in ZONES:
        local = at.astimezone(ZoneInfo(zone))
        schedule = f'{{"type": "daily", "times": ["{local:%H:%M}"], "weekdays": [1, 2, 3, 4, 5, 6, 7]}}'
        conn.execute(text("""UPDATE reminders SET next_fire_at = :at, schedule = CAST(:schedule AS json)
                             FROM users WHERE users.id = reminders.user_id AND users.timezone = :zone"""),
                     {"at": at, "schedule": schedule, "zone": zone})


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


# ---------------------------------------------------------------- the tick query at 1,000,000 stored
def tick_query(app, stored: int, due: int) -> dict:
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    from coach.extensions import db
    from coach.reminders.dispatch import due_query

    with app.app_context(), db.engine.begin() as conn:
        existing = conn.execute(text("SELECT count(*) FROM reminders")).scalar()
        users = conn.execute(text("SELECT max(id) FROM users")).scalar()
        conn.execute(text("""
            INSERT INTO reminders (user_id, kind, title, schedule, enabled, next_fire_at, created_at, updated_at)
            SELECT 1 + i % :users, 'posture', 'Posture check',
                '{"type": "daily", "times": ["09:00"], "weekdays": [1, 2, 3, 4, 5]}', true,
                CASE WHEN i <= :due THEN now() - interval '30 seconds'
                     ELSE now() + (i % 604800) * interval '1 second' + interval '1 minute' END, now(), now()
            FROM generate_series(1, :extra) AS i"""), {"users": users, "due": due, "extra": stored - existing})
        # The reminders already fired by the dispatch run are due tomorrow; make them future too.
        conn.execute(text("ANALYZE reminders; ANALYZE users"))
        compiled = due_query(datetime.now(UTC), 500).compile(dialect=postgresql.dialect(),
                                                            compile_kwargs={"literal_binds": True})
        sql = str(compiled)
        plan = [row[0] for row in conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql))]
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            conn.execute(text(sql)).all()
            timings.append((time.perf_counter() - started) * 1000)
        total = conn.execute(text("SELECT count(*), count(*) FILTER (WHERE next_fire_at <= now()) FROM reminders")).one()
        conn.rollback()
    return {"sql": sql, "plan": plan, "median_ms": statistics.median(timings), "stored": total[0], "due": total[1]}


# ---------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="sender threads per dispatcher process")
    parser.add_argument("--in-flight", type=int, default=100, help="pushes at once per sender thread (HTTP/2 streams)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--stored", type=int, default=1_000_000, help="0: skip the tick query")
    parser.add_argument("--push-service", choices=("node", "python"), default="node",
                        help="the fake push service: bench/pushfake.mjs (Node) or tests/pushfake.py (hypercorn)")
    parser.add_argument("--decrypt", choices=("later", "now"), default="later",
                        help="node: the phones' decryption after the last push, off the clock and reported apart "
                             "(later), or before each 201 on the same cores (now); python: always now")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (FOR UPDATE SKIP LOCKED; several dispatchers)")
    from coach.config import normalise_database_url
    from coach.extensions import db
    from coach.reminders.push import _public_of
    from tests.reminder_helpers import VAPID_PRIVATE

    url = normalise_database_url(url)
    run_started = time.perf_counter()
    load = os.getloadavg()
    app = reset_and_migrate(url)
    spawn = mp.get_context("spawn")
    if args.push_service == "node":
        service = NodePushService(_public_of(_vapid()), args.decrypt)
    else:
        service, args.decrypt = PythonPushService(_public_of(_vapid())), "now"
    with app.app_context(), db.engine.begin() as conn:
        seed(conn, args.reminders, f"{service.origin}/push/", service.keys["p256dh"], service.keys["auth"])
    print(f"seeded {args.reminders:,} users, devices and reminders in {time.perf_counter() - run_started:.0f} s",
          file=sys.stderr)

    ready, start_at, results = spawn.Event(), spawn.Value("d", 0.0), spawn.Queue()
    workers = [spawn.Process(target=dispatcher_main, args=(url, VAPID_PRIVATE, args.threads, args.in_flight, args.batch,
                                                          ready, start_at, results)) for _ in range(args.processes)]
    for w in workers:
        w.start()
    time.sleep(4)  # the children import and build their apps
    t0 = datetime.fromtimestamp(int(time.time()) + 3, UTC)
    with app.app_context(), db.engine.begin() as conn:
        make_due(conn, t0)
    start_at.value = t0.timestamp()
    service.started()
    ready.set()
    totals = [results.get() for _ in workers]
    for w in workers:
        w.join()
    arrivals, received, versions, connections, sink_cpu, phones_cpu = service.finish()

    with app.app_context(), db.engine.connect() as conn:
        from sqlalchemy import text

        sent = conn.execute(text("SELECT count(*) FROM deliveries WHERE status = 'sent'")).scalar()
        inbox = conn.execute(text("SELECT count(*) FROM notifications")).scalar()
    topics = received["by_topic"]
    duplicates = sum(count - 1 for count in topics.values())
    lateness = [a - t0.timestamp() for a in arrivals]
    span = max(arrivals) - t0.timestamp()
    rate = len(arrivals) / span
    print("\n### Dispatch at the busy minute\n")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average at the start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f};"
          f" {args.in_flight} pushes in flight per sender thread; the {args.push_service} push service saw"
          f" {connections} connections"
          f" ({', '.join(f'HTTP/{v}: {n:,}' for v, n in sorted(versions.items()))}),"
          f" {received['invalid']:,} pushes it refused (VAPID, or a body that is not aes128gcm"
          + (", or does not decrypt" if args.decrypt == "now" else "") + "); decryption: " +
          ("after the last push, every body, as the phones would (--decrypt later)" if args.decrypt == "later" else
           "before each answer (--decrypt now)") + "\n")
    decrypted = received.get("decrypted", len(arrivals))  # the Python fake decrypts each push before its 201
    print("| reminders due at T0 | dispatcher processes x sender threads | pushes accepted | distinct topics "
          "| duplicates | decrypted / undecryptable | deliveries marked sent | inbox rows | last push after T0 "
          "| deliveries/s | lateness p50 | lateness p99 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.reminders:,} | {args.processes} x {args.threads} | {len(arrivals):,} | {len(topics):,} | "
          f"{duplicates:,} | {decrypted:,} / {received.get('undecryptable', 0):,} | {sent:,} | {inbox:,} | "
          f"{span:.1f} s | {rate:,.0f} | {percentile(lateness, 50):.1f} s | {percentile(lateness, 99):.1f} s |")
    n = len(arrivals)
    serving = "VAPID check, answer" if args.decrypt == "later" else "VAPID check, decryption, answer"
    per_push = {"dispatchers": sum(t["cpu"] for t in totals) / n * 1e6,
                "their PostgreSQL backends": sum(t["db_cpu"] for t in totals) / n * 1e6,
                f"push service ({args.push_service}: {serving})": sink_cpu / n * 1e6}
    print("\n| CPU per push | µs |\n|---|---:|")
    for name, micros in per_push.items():
        print(f"| {name} | {micros:.0f} |")
    print(f"| total, on the clock | {sum(per_push.values()):.0f} |")
    if args.decrypt == "later":
        print(f"| the phones' decryption (after the last push, off the clock) | {phones_cpu / n * 1e6:.0f} |")
    print("\nPer dispatcher: " + ", ".join(f"{t['fired']:,} fired in {t['ticks']} ticks, {t['cpu']:.1f} s CPU"
                                          for t in totals))
    if not args.stored:
        return
    query = tick_query(app, args.stored, 1_000)
    uses_index = any("ix_reminders_next_fire_at" in line for line in query["plan"])
    print(f"\n### Tick query: {query['stored']:,} stored reminders, {query['due']:,} due\n")
    print(f"median of 20 runs: {query['median_ms']:.2f} ms; uses ix_reminders_next_fire_at: {uses_index}\n")
    print("```sql\n" + query["sql"] + "\n```\n\n```\n" + "\n".join(query["plan"]) + "\n```")
    print(f"\ntotal run time {time.perf_counter() - run_started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
