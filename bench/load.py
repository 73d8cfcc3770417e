"""Load test: Relief Coach under gunicorn (the project's gunicorn.conf.py, 2 sync workers) driven by wrk -t2 -c16,
beside a bare Flask app under the same settings, on SQLite and on PostgreSQL, optionally against an older revision.

    .venv/bin/python bench/load.py --compare 7b5111e          # the full run (about 15 minutes), docs/PERFORMANCE.md
    .venv/bin/python bench/load.py --quick --endpoints /      # a smoke run: a few seconds per endpoint

Each endpoint: answered once and checked (status, content type), a warm-up, full speed for --duration seconds,
then paced to half that rate (p99 at half load). The app runs with COACH_ENV=production and RATELIMIT_ENABLED=false;
the person measured has 3,650 spasms over ten years (bench/load_seed.py). Markdown tables go to stdout, every
figure to --json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.load_target import ROOT, BenchError, Server, Target, clean_environment, drop_database, request  # noqa: E402
from bench.load_wrk import CONNECTIONS, THREADS, ensure_wrk, measure  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/coach_load_bench"
HTML, JSON = "text/html", "application/json"
BROWSER_ENCODINGS = "gzip, deflate, br"


@dataclass(frozen=True)
class Endpoint:
    key: str  # what --endpoints names
    label: str
    method: str
    path: str  # {slug}: the first routine
    auth: str  # "": signed out; "token": bearer; "cookie": the form's session; "poster": a fresh person's token
    status: int
    content_type: str
    needle: str  # text every answer must contain
    goal: float | None = None  # issue 12's goal for the ratio to the bare endpoint


ENDPOINTS = (
    Endpoint("/", "`/` (signed out)", "GET", "/", "", 200, HTML, "</html>", 0.5),
    Endpoint("/routines", "`/routines/<slug>`", "GET", "/routines/{slug}", "cookie", 200, HTML, "</html>", 0.5),
    Endpoint("/api/v1/routines", "`GET /api/v1/routines`", "GET", "/api/v1/routines", "token", 200, JSON, '"slug"',
             0.5),
    Endpoint("/api/v1/assessment", "`GET /api/v1/assessment`", "GET", "/api/v1/assessment", "token", 200, JSON,
             '"level"', 0.5),
    Endpoint("/api/v1/episodes", "`POST /api/v1/episodes`", "POST", "/api/v1/episodes", "poster", 201, JSON,
             '"assessment"', 0.25),
    Endpoint("/diary", "`/diary`", "GET", "/diary", "cookie", 200, HTML, "</html>"),
    Endpoint("/report", "`/report`", "GET", "/report", "cookie", 200, HTML, "</html>"),
    Endpoint("/sos", "`/sos`", "GET", "/sos", "cookie", 200, HTML, "</html>"),
)
BARE = Endpoint("bare", "bare Flask `/hello`", "GET", "/hello", "", 200, HTML, "Hello")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def worktree(rev: str, scratch: Path) -> Path:
    """A checkout of `rev` in a temporary directory (git worktree, removed at the end)."""
    path = scratch / f"rev-{rev}"
    git("worktree", "add", "--detach", str(path), rev)
    return path


def headers_for(endpoint: Endpoint, reader, target: Target, encoding: str) -> dict:
    """The request headers: credentials, and the Accept-Encoding a browser sends (as the phone gets the pages)."""
    headers = {"Accept-Encoding": encoding} if encoding else {}
    if endpoint.auth == "token":
        headers.update({"Authorization": f"Bearer {reader.token}", "Accept": JSON})
    elif endpoint.auth == "cookie":
        headers["Cookie"] = reader.cookie
    elif endpoint.auth == "poster":
        headers.update({"Authorization": f"Bearer {target.person().token}", "Accept": JSON})
    return headers


def check_once(port: int, endpoint: Endpoint, path: str, headers: dict) -> None:
    """Before timing: the endpoint answers as expected (status, type, a piece of the body read uncompressed),
    then once as the load sends it (a quick log as load.lua sends it), saying how it came compressed."""
    body = None
    if endpoint.method == "POST":
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = json.dumps({"started_at": now, "severity": 4, "locations": ["lower_back"]}).encode()
        headers = dict(headers, **{"Content-Type": JSON})
    plain = {k: v for k, v in headers.items() if k != "Accept-Encoding"}
    status, got, content = request(port, endpoint.method, path, plain, body)
    kind = got.get("Content-Type", "")
    if status != endpoint.status or not kind.startswith(endpoint.content_type) or endpoint.needle.encode() not in content:
        raise BenchError(f"{endpoint.method} {path} answered {status} {kind!r}, expected {endpoint.status} "
                         f"{endpoint.content_type} containing {endpoint.needle!r}: {content[:300]!r}")
    status, got, content = request(port, endpoint.method, path, headers, body)
    if status != endpoint.status:
        raise BenchError(f"{endpoint.method} {path} answered {status} with {headers.get('Accept-Encoding')!r}")
    how = got.get("Content-Encoding") or "not compressed"
    print(f"  ok {endpoint.method} {path}: {status} {kind}, {len(content):,} bytes {how}", flush=True)


def run_bare(scratch: Path, args) -> dict:
    server = Server(ROOT, "bench.bare_app:app", clean_environment(os.environ), scratch / "bare-gunicorn.log")
    server.start()
    try:
        headers = headers_for(BARE, None, None, args.accept_encoding)
        check_once(server.port, BARE, BARE.path, headers)
        result = measure(f"http://127.0.0.1:{server.port}{BARE.path}", args.duration, args.warmup, "GET", 200,
                         BARE.needle, headers)
        result["rss_mb"], result["pss_mb"] = server.worker_memory_mb(), server.worker_memory_mb("Pss")
        return result
    finally:
        server.stop()


def run_target(target: Target, endpoints: list[Endpoint], args) -> dict:
    print(f"- {target.label}: migrating and seeding content", flush=True)
    target.prepare()
    target.start()
    try:
        port = target.server.port
        started = time.monotonic()
        reader = target.person(with_cookie=True)
        print(f"  seeded a person with 3,650 spasms in {time.monotonic() - started:.1f} s", flush=True)
        status, _, body = request(port, "GET", "/api/v1/routines", {"Authorization": f"Bearer {reader.token}"})
        slug = json.loads(body)["items"][0]["slug"]
        _, _, body = request(port, "GET", "/api/v1/assessment", {"Authorization": f"Bearer {reader.token}"})
        level = json.loads(body)["level"]
        print(f"  the person's level: {level}; routine page: /routines/{slug}", flush=True)
        if level == "emergency":
            raise BenchError("the seeded person is at emergency: every page would redirect to the emergency screen")
        encoding = args.accept_encoding
        checks = {e.key: headers_for(e, reader, target, encoding) for e in endpoints}
        for e in endpoints:
            check_once(port, e, e.path.format(slug=slug), checks[e.key])
        results = {"level": level, "slug": slug, "endpoints": {}}
        for e in endpoints:
            url = f"http://127.0.0.1:{port}{e.path.format(slug=slug)}"
            fresh = (lambda e=e: headers_for(e, reader, target, encoding)) if e.auth == "poster" else None
            result = measure(url, args.duration, args.warmup, e.method, e.status, e.needle,
                             headers_for(e, reader, target, encoding) if fresh is None else {}, before_each=fresh)
            result["rss_mb"] = target.server.worker_memory_mb()
            result["pss_mb"] = target.server.worker_memory_mb("Pss")
            results["endpoints"][e.key] = result
            print(f"  {e.label}: {result['max'].rps:,.0f} req/s, p99 {result['max'].p99:.1f} ms", flush=True)
        return results
    finally:
        target.stop()


def pg_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    engine = create_engine(make_url(url).set(database="postgres"))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as error:  # noqa: BLE001 (any failure means: skip PostgreSQL, saying why)
        return str(error).splitlines()[0]
    finally:
        engine.dispose()


def fmt_row(label: str, result: dict, bare_rps: float) -> str:
    full, half = result["max"], result["half"]
    if full.requests < CONNECTIONS:
        return f"| {label} | fewer answers ({full.requests}) than connections: phases too short (--duration) |"
    errors = full.errors + (half.errors if half else 0)
    detail = {**full.error_detail}
    for name, count in (half.error_detail if half else {}).items():
        detail[name] = detail.get(name, 0) + count
    detail = ", ".join(f"{name} {count}" for name, count in detail.items())
    rss = " / ".join(f"{mb:.0f}" for mb in result["rss_mb"])
    paced = f"{half.p99:.1f} at {half.rps:,.1f} req/s" if half and half.requests else "-"
    return (f"| {label} | {full.rps:,.1f} | {full.p50:.1f} | {full.p99:.1f} | {full.rps / bare_rps:.2f}x | "
            f"{errors}{f' ({detail})' if detail else ''} | {paced} | {rss} |")


def table(title: str, bare: dict, results: dict, endpoints: list[Endpoint]) -> str:
    bare_rps = bare["max"].rps
    lines = [f"#### {title}", "",
             "| endpoint | req/s | p50 ms | p99 ms | ratio to bare | errors | p99 ms at half load | RSS MB per worker |",
             "|---|---:|---:|---:|---:|---:|---:|---:|", fmt_row(BARE.label, bare, bare_rps)]
    lines += [fmt_row(e.label, results["endpoints"][e.key], bare_rps) for e in endpoints]
    return "\n".join(lines)


def comparison(bare: dict, new: dict, old: dict, endpoints: list[Endpoint]) -> str:
    rps = bare["max"].rps
    lines = ["| endpoint | ratio old | ratio new | goal | p99 ms old | p99 ms new | p99 ms at half load old | new "
             "(goal < 25) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for e in endpoints:
        n, o = new["endpoints"][e.key], old["endpoints"][e.key]
        if min(n["max"].requests, o["max"].requests) < CONNECTIONS:
            lines.append(f"| {e.label} | phases too short (--duration) |")
            continue
        half = [f"{r['half'].p99:.1f}" if r["half"] and r["half"].requests else "-" for r in (o, n)]
        goal = f">= {e.goal}x" if e.goal else ""
        lines.append(f"| {e.label} | {o['max'].rps / rps:.2f}x | {n['max'].rps / rps:.2f}x | {goal} | "
                     f"{o['max'].p99:.1f} | {n['max'].p99:.1f} | {half[0]} | {half[1]} |")
    return "\n".join(lines)


def to_json(value):
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return asdict(value) if hasattr(value, "__dataclass_fields__") else value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--compare", metavar="REV", help="also measure this older revision (e.g. 7b5111e)")
    parser.add_argument("--rev", metavar="REV", help="measure this revision instead of the working tree")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both (default)")
    parser.add_argument("--pg-url", default=PG_URL, help=f"PostgreSQL database to create and drop (default {PG_URL}; "
                        "--compare uses the same name + _old)")
    parser.add_argument("--endpoints", help="comma-separated: " + ", ".join(e.key for e in ENDPOINTS))
    parser.add_argument("--duration", type=float, default=10, help="seconds per timed phase (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per endpoint (default 2)")
    parser.add_argument("--accept-encoding", default=BROWSER_ENCODINGS, help="the Accept-Encoding header sent "
                        f"(default {BROWSER_ENCODINGS!r}, as browsers; '' for none)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 s phases, 1 s warm-up")
    parser.add_argument("--json", help="where to write the figures (default bench/load_results.json; with --quick "
                        "a file in the temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases and temporary files")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup = 2, 1
    if not args.json:
        args.json = str(Path(tempfile.gettempdir()) / "coach-load-quick.json" if args.quick
                        else ROOT / "bench" / "load_results.json")
    keys = {e.key for e in ENDPOINTS}
    wanted = [k.strip() for k in args.endpoints.split(",")] if args.endpoints else [e.key for e in ENDPOINTS]
    unknown = [k for k in wanted if k not in keys]
    if unknown:
        parser.error(f"unknown endpoint {unknown[0]!r}; choose from {', '.join(sorted(keys))}")
    args.selected = [e for e in ENDPOINTS if e.key in wanted]
    args.databases = [d.strip() for d in args.db.split(",")]
    if any(d not in ("sqlite", "postgresql") for d in args.databases):
        parser.error("--db takes sqlite, postgresql or both")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_wrk()
    command = "python bench/load.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    scratch = Path(tempfile.mkdtemp(prefix="coach-load-"))
    revisions = [("new", args.rev)] + ([("old", args.compare)] if args.compare else [])
    meta = {"command": command, "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"nproc": os.cpu_count(), "loadavg_before": os.getloadavg(), "python": platform.python_version(),
                        "wrk": f"-t{THREADS} -c{CONNECTIONS}", "gunicorn": "gunicorn.conf.py, 2 sync workers, "
                        "preloaded, MAX_REQUESTS=0"},
            "accept_encoding": args.accept_encoding, "duration_s": args.duration, "warmup_s": args.warmup,
            "revisions": {}, "databases": {}}
    began = time.monotonic()
    out: list[str] = []
    dirs = {}
    try:
        for name, rev in revisions:
            dirs[name] = worktree(rev, scratch) if rev else ROOT
            sha = git("rev-parse", "--short", rev or "HEAD")
            dirty = not rev and bool(git("status", "--porcelain", "--untracked-files=no"))
            meta["revisions"][name] = f"{sha}{' + uncommitted changes' if dirty else ''}" if not rev else sha
        for db in args.databases:
            if db == "postgresql" and (why := pg_reachable(args.pg_url)):
                print(f"\nPostgreSQL at {make_url(args.pg_url).render_as_string()} is not reachable ({why}): skipped."
                      " Start it or pass --pg-url, or --db sqlite.", flush=True)
                meta["databases"][db] = {"skipped": why}
                out.append(f"### PostgreSQL\n\nNot measured: {why}\n")
                continue
            print(f"\n## {db}: bare Flask", flush=True)
            bare = run_bare(scratch / f"{db}-bare", args)
            section = {"bare": bare}
            for name, _ in revisions:
                url = (f"sqlite:///{scratch / f'{db}-{name}.db'}" if db == "sqlite"
                       else make_url(args.pg_url).set(database=make_url(args.pg_url).database
                                                      + ("_old" if name == "old" else "")).render_as_string(False))
                target = Target(dirs[name], url, scratch / f"{db}-{name}", f"{name} ({meta['revisions'][name]})")
                try:
                    section[name] = run_target(target, args.selected, args)
                finally:
                    if not args.keep:
                        drop_database(url)
            meta["databases"][db] = section
            title = "SQLite (file, WAL)" if db == "sqlite" else "PostgreSQL"
            out.append(f"### {title}\n")
            for name, _ in revisions:
                out.append(table(f"{title}, {name}: {meta['revisions'][name]}", bare, section[name], args.selected))
                out.append("")
            if args.compare:
                out += [f"#### {title}: old against new (ratio to the bare endpoint of this run)", "",
                        comparison(bare, section["new"], section["old"], args.selected), ""]
    except BenchError as error:
        print(f"\nbench/load.py: {error}", file=sys.stderr)
        return 1
    finally:
        for name, rev in revisions:
            if rev and name in dirs:
                git("worktree", "remove", "--force", str(dirs[name]))
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    meta["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    meta["machine"]["loadavg_after"] = os.getloadavg()
    Path(args.json).write_text(json.dumps(to_json(meta), indent=1) + "\n")
    print("\n" + "\n".join(out))
    load = meta["machine"]["loadavg_before"][0], meta["machine"]["loadavg_after"][0]
    print(f"Command: `{command}` ({meta['started']}, {(time.monotonic() - began) / 60:.1f} min, load average "
          f"{load[0]:.2f} before, {load[1]:.2f} after); figures in {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
