"""The soak's counts, from three independent sources: what the load tool was told (every 2xx write, by the
client-made id it carried), what the database holds (by that id), and what the fake push service received (by
Topic). Each function returns plain data; `tables` renders it as markdown for docs/RELIABILITY.md."""
from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from coach.reminders.push import make_topic

TABLES = {"episode": "episodes", "session": "routine_sessions", "reminder": "reminders"}


def read_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def writes(url: str, records: list[dict], people: list[int]) -> list[dict]:
    """Per kind of write: acknowledged, replays (and how they were answered), rows stored, lost, duplicated."""
    engine = create_engine(url)
    out = []
    try:
        with engine.connect() as conn:
            for kind, table in TABLES.items():
                mine = [r for r in records if r["kind"] == kind]
                acked = {(r["user_id"], r["key"]): r["id"] for r in mine if not r["replay"] and r["id"] is not None}
                replays = [r for r in mine if r["replay"]]
                rows = conn.execute(text(f"SELECT user_id, client_id, id FROM {table} "  # noqa: S608 (fixed names)
                                         "WHERE client_id IS NOT NULL AND user_id = ANY(:people)"),
                                    {"people": people}).all()
                stored: dict[tuple, list[int]] = {}
                for user_id, client_id, row_id in rows:
                    stored.setdefault((user_id, client_id), []).append(row_id)
                lost = [k for k, row_id in acked.items() if row_id not in stored.get(k, [])]
                duplicated = [k for k, ids in stored.items() if len(ids) > 1]
                out.append({
                    "kind": kind, "table": table, "attempts": sum(1 for r in mine if not r["replay"]),
                    "acknowledged": len(acked), "replays": len(replays),
                    "replays_same_id": sum(1 for r in replays if r["status"] == 200 and r["id"] == r["original"]),
                    "replays_other": sum(1 for r in replays if r["id"] is not None and
                                         (r["status"] != 200 or r["id"] != r["original"])),
                    "stored": len(rows), "lost": len(lost), "duplicated": len(duplicated),
                    "stored_unacknowledged": sum(1 for k in stored if k not in acked),
                    "lost_keys": [list(k) for k in lost[:20]],
                })
    finally:
        engine.dispose()
    return out


def planned(plan: list[tuple[int, datetime]], records: list[dict], cutoff: datetime) -> tuple[dict, int]:
    """Topic -> due time for every occurrence due by `cutoff`: the seeded reminders, the people's own, and the
    one-offs the load tool was told were saved. Also how many planned ones fall after the cutoff (left out)."""
    due = {}
    for reminder_id, at in plan:
        due[make_topic(reminder_id, at)] = at
    for r in records:
        if r["kind"] == "reminder" and not r["replay"] and r["id"] is not None and r.get("next_fire_at"):
            due[make_topic(r["id"], _moment(r["next_fire_at"]))] = _moment(r["next_fire_at"])
    inside = {topic: at for topic, at in due.items() if at <= cutoff}
    return inside, len(due) - len(inside)


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def reminders(url: str, due: dict, cutoff: datetime, stats: dict) -> dict:
    """Due set against inbox rows, delivery rows and pushes received, all by Topic."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            inbox = Counter(tag for (tag,) in conn.execute(
                text("SELECT tag FROM notifications WHERE fire_at <= :cutoff AND reminder_id IS NOT NULL"),
                {"cutoff": cutoff}))
            rows = conn.execute(text("SELECT topic, status, attempts, EXTRACT(EPOCH FROM sent_at - fire_at) "
                                     "FROM deliveries WHERE fire_at <= :cutoff"), {"cutoff": cutoff}).all()
    finally:
        engine.dispose()
    deliveries = Counter(topic for topic, *_ in rows)
    statuses = Counter(status for _, status, *_ in rows)
    retried = sum(1 for _, _, attempts, _ in rows if attempts > 1)
    late = sorted(float(s) for *_, s in rows if s is not None)
    pushes = {topic: n for topic, n in stats.get("by_topic", {}).items()}
    pushed_due = {t: n for t, n in pushes.items() if t in due}
    expected = set(due)
    return {
        "due": len(expected),
        "inbox_rows": sum(inbox[t] for t in expected), "inbox_missing": len(expected - set(inbox)),
        "inbox_repeated": sum(1 for t in expected if inbox[t] > 1),
        "delivery_rows": sum(deliveries[t] for t in expected), "delivery_missing": len(expected - set(deliveries)),
        "delivery_repeated": sum(1 for t in expected if deliveries[t] > 1),
        "delivery_status": dict(statuses), "deliveries_retried": retried,
        "topics_pushed": len(pushed_due), "topics_missing": len(expected - set(pushed_due)),
        "topics_once": sum(1 for n in pushed_due.values() if n == 1),
        "topics_more_than_once": sum(1 for n in pushed_due.values() if n > 1),
        "extra_pushes": sum(n - 1 for n in pushed_due.values() if n > 1),
        "topics_unexpected": len([t for t in pushes if t not in expected and not _later(t, cutoff)]),
        "missing_examples": sorted(expected - set(pushed_due))[:10],
        "repeated_examples": [t for t, n in pushed_due.items() if n > 1][:10],
        "late_p50": _pct(late, 50), "late_p99": _pct(late, 99), "late_max": late[-1] if late else None,
        "push_service": {k: v for k, v in stats.items() if k != "by_topic"},
    }


def _later(topic: str, cutoff: datetime) -> bool:
    """A Topic in the cutoff's minute or later: a reminder that fell due after the load, while the stack drained."""
    return topic.rsplit("-", 1)[-1] >= f"{cutoff:%Y%m%d%H%M}"


def _pct(values: list[float], p: float):
    if not values:
        return None
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def requests(prefix: Path) -> list[dict]:
    """locust's --csv files: requests, failures, p50, p99 per kind of request, and the failures by message."""
    out = []
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        return out
    failures: dict[str, Counter] = {}
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with open(failures_file) as handle:
            for row in csv.DictReader(handle):
                message = row["Error"].split(":")[0][:60]
                failures.setdefault(row["Name"], Counter())[message] += int(row["Occurrences"])
    with open(stats_file) as handle:
        for row in csv.DictReader(handle):
            out.append({"name": row["Name"], "requests": int(row["Request Count"]),
                        "failures": int(row["Failure Count"]), "p50": row["50%"], "p99": row["99%"],
                        "rps": float(row["Requests/s"]), "errors": dict(failures.get(row["Name"], {}))})
    return out


def tables(result: dict) -> str:
    """The markdown tables for docs/RELIABILITY.md."""
    lines = ["| request | requests | errors | p50 ms | p99 ms | errors by kind |", "|---|---:|---:|---:|---:|---|"]
    for r in result["requests"]:
        errors = ", ".join(f"{k}: {v}" for k, v in r["errors"].items()) or "-"
        lines.append(f"| {r['name']} | {r['requests']:,} | {r['failures']:,} | {r['p50']} | {r['p99']} | {errors} |")
    lines += ["", "| write | sent | acknowledged (2xx) | replays: same id / other | rows stored | lost | duplicated "
              "| stored, not acknowledged |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for w in result["writes"]:
        lines.append(f"| {w['kind']} (`{w['table']}`) | {w['attempts']:,} | {w['acknowledged']:,} | "
                     f"{w['replays_same_id']:,} / {w['replays_other']:,} | {w['stored']:,} | {w['lost']} | "
                     f"{w['duplicated']} | {w['stored_unacknowledged']} |")
    r = result["reminders"]
    service = r["push_service"]
    status = ", ".join(f"{k} {v:,}" for k, v in sorted(r["delivery_status"].items()))
    lines += ["", "| reminders due | inbox rows (missing, repeated) | delivery rows (missing, repeated) | delivery "
              "status | topics pushed | missing | once | more than once (extra pushes) | unexpected |",
              "|---:|---|---|---|---:|---:|---:|---|---:|",
              f"| {r['due']:,} | {r['inbox_rows']:,} ({r['inbox_missing']}, {r['inbox_repeated']}) | "
              f"{r['delivery_rows']:,} ({r['delivery_missing']}, {r['delivery_repeated']}) | {status} | "
              f"{r['topics_pushed']:,} | {r['topics_missing']} | {r['topics_once']:,} | "
              f"{r['topics_more_than_once']} ({r['extra_pushes']}) | {r['topics_unexpected']} |",
              "", f"Push service: {', '.join(f'{k} {v:,}' for k, v in service.items() if isinstance(v, int))}. "
              f"Delivery lateness (sent - due): p50 {_s(r['late_p50'])}, p99 {_s(r['late_p99'])}, "
              f"max {_s(r['late_max'])}; deliveries that needed more than one attempt: {r['deliveries_retried']:,}."]
    return "\n".join(lines)


def _s(value) -> str:
    return "-" if value is None else f"{value:.1f} s"
