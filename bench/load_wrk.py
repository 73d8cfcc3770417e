"""wrk for bench/load.py: the endpoint at full speed, then paced to half of that rate (bench/load.lua's delay())."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "load.lua"
THREADS, CONNECTIONS = 2, 16
TIMEOUT = "5s"  # a request slower than this is a socket error (wrk's default is 2 s)


def ensure_wrk() -> str:
    """wrk's path; installs Debian's package when missing and running as root, else says how."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing Debian's package (apt-get install -y wrk)", file=sys.stderr)
        for command in (["apt-get", "install", "-y", "wrk"], ["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
            subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
            found = shutil.which("wrk")
            if found:
                break
    if not found:
        raise SystemExit("bench/load.py needs wrk: sudo apt-get install -y wrk (Debian/Ubuntu), brew install wrk (macOS)")
    return found


@dataclass
class Run:
    """One wrk run's summary (latencies in ms); `target_rps` when it was paced."""

    requests: int
    seconds: float
    rps: float
    p50: float
    p99: float
    errors: int
    error_detail: dict
    target_rps: float | None = None

    @classmethod
    def parse(cls, raw: dict, target_rps: float | None) -> Run:
        seconds = raw["duration_us"] / 1e6
        detail = {k: raw[k] for k in ("bad_status", "bad_body", "connect", "read", "write", "timeout") if raw[k]}
        return cls(raw["requests"], round(seconds, 2), round(raw["requests"] / seconds, 1), raw["p50_us"] / 1000,
                   raw["p99_us"] / 1000, sum(detail.values()), detail, target_rps)


def wrk(url: str, seconds: float, method: str, status: int, needle: str, headers: dict,
        target_rps: float | None = None) -> Run:
    """One wrk run at full speed, or paced to `target_rps` in all (bench/load.lua's delay())."""
    env = dict(os.environ)
    if target_rps:
        env["LOAD_INTERVAL_MS"] = f"{THREADS * 1000 / target_rps:.4f}"  # each thread's share of the rate
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "summary.json"
        command = [ensure_wrk(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s",
                   f"--timeout={TIMEOUT}", "-s", str(LUA)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command += [url, "--", method, str(status), needle or "-", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode or not out.exists():
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return Run.parse(json.loads(out.read_text()), target_rps)


def measure(url: str, seconds: float, warmup: float, method: str, status: int, needle: str, headers: dict,
            before_each=None) -> dict:
    """Warm-up (discarded), full speed, then a steady half of the full-speed rate: {'max': Run, 'half': Run}.

    `before_each()` runs before each phase and may return new headers (a fresh person for POSTs)."""

    def phase(duration, target_rps=None):
        nonlocal headers
        if before_each is not None:
            headers = before_each() or headers
        return wrk(url, duration, method, status, needle, headers, target_rps)

    if warmup:
        phase(warmup)
    full = phase(seconds)
    if full.requests < CONNECTIONS:
        # Fewer answers than connections: the phase was shorter than one answer; there is no rate to halve.
        return {"max": full, "half": None}
    return {"max": full, "half": phase(seconds, round(full.rps / 2, 1))}
