"""Times grouping one day's logs into distinct spasms (coach/domain/timeline.py `_cluster`) against the first,
quadratic version (kept as the reference in tests/unit/test_cluster.py), on 300, 1,000 and 3,000 logs on one
local date, for the days a hostile client could send; prints a markdown table for docs/PERFORMANCE.md.

    .venv/bin/python bench/cluster.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.domain.timeline import _cluster  # noqa: E402
from tests.unit.test_cluster import fastest, hostile_day, log, reference_cluster, shape  # noqa: E402

SIZES = (300, 1_000, 3_000)
DAYS = ("same place", "no place", "every set different", "singles and pairs")


def main():
    print("| logs on one date | day | spasms | reference ms | linear ms | reference / linear |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in SIZES:
        for name in DAYS:
            episodes = [log(i, locs) for i, locs in enumerate(hostile_day(name, n))]
            days = [1] * n
            clusters = _cluster(episodes, days)
            assert shape(clusters) == shape(reference_cluster(episodes, days))
            old = fastest(lambda episodes=episodes, days=days: reference_cluster(episodes, days), repeats=3)
            new = fastest(lambda episodes=episodes, days=days: _cluster(episodes, days), repeats=5)
            print(f"| {n:,} | {name} | {len(clusters):,} | {old * 1000:.1f} | {new * 1000:.2f} | {old / new:.0f}x |")


if __name__ == "__main__":
    main()
