"""Times coach.domain.triage.assess on 1 to 3,650 daily episodes, then GET /api/v1/assessment for users with
10 to 3,650 episodes (bench/assessment_endpoint.py, on DATABASE_URL or a temporary SQLite file); markdown tables.

    .venv/bin/python bench/triage.py               # both
    .venv/bin/python bench/triage.py --pure-only   # the pure function only
"""

import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.domain.codes import LOCATIONS, SIDES, SYMPTOM_CODES, TRIGGERS  # noqa: E402
from coach.domain.triage import Episode, FollowUp, Profile, assess  # noqa: E402

ZONE = ZoneInfo("Europe/London")  # has DST changes, so local-date conversion does real work
NOW = datetime(2026, 3, 31, 21, 15, tzinfo=ZONE)
SIZES = (1, 10, 100, 1_000, 3_650)
# Every risk flag on, so every rule does its full work rather than returning early.
PROFILE = Profile(birth_year=1958, cancer_history=True, osteoporosis=True, immunosuppressed=True,
                  kidney_disease=True, diuretics=True, heavy_sweater=True)


def make_history(n, seed=2026):
    """n episodes, one a day ending today, with mixed fields and a follow-up on every third; deterministic."""
    rng = random.Random(seed)
    episodes, follow_ups = [], []
    for i in range(n):
        started = NOW - timedelta(days=n - 1 - i, hours=rng.randint(0, 20), minutes=rng.randint(0, 59))
        symptoms = tuple(rng.sample(SYMPTOM_CODES, rng.choice((0, 0, 0, 1, 2))))
        episodes.append(Episode(
            id=i + 1, started_at=started, trigger=rng.choice(TRIGGERS), during_exercise=rng.random() < 0.5,
            locations=tuple(rng.sample(LOCATIONS, rng.randint(1, 3))), side=rng.choice(SIDES),
            severity=rng.randint(0, 10), locked_minutes=rng.choice((0, 2, 5, 12, 30, 90)),
            eased_by_stretch=rng.choice((True, False, None)), symptoms=symptoms,
        ))
        if i % 3 == 0:
            at = min(started + timedelta(days=rng.choice((1, 3, 14, 28))), NOW)
            follow_ups.append(FollowUp(id=i + 1, episode_id=i + 1, at=at, severity=rng.randint(0, 10),
                                       status=rng.choice(("resolved", "improving", "same", "worse")),
                                       symptoms=()))
    return episodes, follow_ups


def measure(n, repeats):
    episodes, follow_ups = make_history(n)
    assess(episodes, follow_ups, PROFILE, NOW, ZONE)  # warm-up: zone cache, imports
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        assess(episodes, follow_ups, PROFILE, NOW, ZONE)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return median, p95, median / n


def main():
    print("### The pure function\n")
    print("| n | median ms | p95 ms | ms per episode |")
    print("|---:|---:|---:|---:|")
    for n in SIZES:
        median, p95, per = measure(n, repeats=200 if n <= 1_000 else 60)
        print(f"| {n:,} | {median:.3f} | {p95:.3f} | {per:.4f} |")


if __name__ == "__main__":
    main()
    if "--pure-only" not in sys.argv[1:]:
        print()
        from bench import assessment_endpoint

        assessment_endpoint.main()
