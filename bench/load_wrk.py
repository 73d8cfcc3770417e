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
TOLERANCE = 0.15  # a paced run this far off its target rate is run again once with a corrected pause


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
    """One wrk run's summary (latencies in ms)."""

    requests: int
    seconds: float
    rps: float
    p50: float
    p99: float
    errors: int
    error_detail: dict
    delay_ms: float = 0.0

    @classmethod
    def parse(cls, raw: dict, delay_ms: float) -> Run:
        seconds = raw["duration_us"] / 1e6
        detail = {k: raw[k] for k in ("bad_status", "bad_body", "connect", "read", "write", "timeout") if raw[k]}
        return cls(raw["requests"], round(seconds, 2), round(raw["requests"] / seconds, 1), raw["p50_us"] / 1000,
                   raw["p99_us"] / 1000, sum(detail.values()), detail, round(delay_ms, 3))


def wrk(url: str, seconds: float, method: str, status: int, needle: str, headers: dict, delay_ms: float = 0.0) -> Run:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "summary.json"
        command = [ensure_wrk(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s",
                   f"--timeout={TIMEOUT}", "-s", str(LUA)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command += [url, "--", method, str(status), needle or "-", f"{delay_ms:.3f}", str(out)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode or not out.exists():
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return Run.parse(json.loads(out.read_text()), delay_ms)


def pause_for(target_rps: float, service_ms: float) -> float:
    """The pause per request that makes CONNECTIONS connections send `target_rps` in all, when an answer
    takes `service_ms`."""
    return max(0.0, CONNECTIONS / target_rps * 1000 - service_ms)


def measure(url: str, seconds: float, warmup: float, method: str, status: int, needle: str, headers: dict,
            before_each=None) -> dict:
    """Warm-up (discarded), full speed, then paced at half the full-speed rate: {'max': Run, 'half': Run}.

    `before_each()` runs before each timed phase and may return new headers (a fresh person for POSTs)."""

    def phase(duration, delay_ms=0.0):
        nonlocal headers
        if before_each is not None:
            headers = before_each() or headers
        return wrk(url, duration, method, status, needle, headers, delay_ms)

    if warmup:
        phase(warmup)
    full = phase(seconds)
    target = full.rps / 2
    if full.requests < CONNECTIONS:
        # Fewer answers than connections: the phase was shorter than one answer; there is no rate to halve.
        return {"max": full, "half": None, "half_target_rps": None}
    # Two sync workers answer one request each at a time, so at full speed an answer takes workers/rps on its
    # own; at half load it waits a little too (about half as long again).
    service_ms = 1.5 * 2 / max(full.rps, 0.1) * 1000
    half = phase(seconds, pause_for(target, service_ms))
    if abs(half.rps - target) > TOLERANCE * target and half.rps > 0:
        # What a request really took beside the pause, from the rate reached; then once more.
        taken_ms = CONNECTIONS / half.rps * 1000 - half.delay_ms
        half = phase(seconds, pause_for(target, taken_ms))
    return {"max": full, "half": half, "half_target_rps": round(target, 1)}
