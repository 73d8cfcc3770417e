"""Grouping one day's logs into distinct spasms: the linear `_cluster` gives exactly what the first (quadratic)
version gave, for any day, including hostile ones (hundreds of logs, no locations, every set different)."""

import gc
import random
import time
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.domain import timeline
from coach.domain.codes import LOCATIONS
from coach.domain.timeline import _cluster, _subsets


class ReferenceCluster:
    """The first version, kept as the reference: a log joins if it shares a location with every log already here."""

    def __init__(self, day, episode):
        self.day, self.episodes, self.locations = day, [episode], set(episode.locations)

    def take(self, episode, locations) -> bool:
        if not locations or any(locations.isdisjoint(e.locations) for e in self.episodes):
            return False
        self.episodes.append(episode)
        self.locations.update(locations)
        return True


def reference_cluster(episodes, days):
    clusters, first_today = [], 0
    for ep, day in zip(episodes, days, strict=True):
        if not clusters or clusters[-1].day != day:
            first_today = len(clusters)
            clusters.append(ReferenceCluster(day, ep))
            continue
        locations = set(ep.locations)
        for cluster in clusters[first_today:]:
            if cluster.take(ep, locations):
                break
        else:
            clusters.append(ReferenceCluster(day, ep))
    return clusters


def shape(clusters):
    return [(c.day, [e.id for e in c.episodes], sorted(c.locations)) for c in clusters]


def log(ident, locations):
    return SimpleNamespace(id=ident, locations=tuple(locations))


def both(locations_per_log, days):
    episodes = [log(i, locs) for i, locs in enumerate(locations_per_log)]
    return shape(_cluster(episodes, days)), shape(reference_cluster(episodes, days))


# A few codes make overlaps likely; all 14 make every set different; empty lists are logs with no location.
few_codes = st.lists(st.sampled_from(LOCATIONS[:4]), max_size=3)
any_codes = st.lists(st.sampled_from(LOCATIONS), max_size=14)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 3), st.one_of(few_codes, any_codes)), max_size=120))
def test_same_spasms_as_the_reference_for_any_days(logs):
    logs.sort(key=lambda entry: entry[0])  # _cluster takes a run sorted by day
    mine, reference = both([locs for _, locs in logs], [day for day, _ in logs])
    assert mine == reference


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(few_codes, any_codes, st.just([])), min_size=50, max_size=400))
def test_same_spasms_as_the_reference_for_many_logs_on_one_day(logs):
    mine, reference = both(logs, [7] * len(logs))
    assert mine == reference


def test_pairwise_not_transitive():
    # back, back+calf, calf: the first and last share nothing, so two spasms; a later back joins the first.
    mine, reference = both([["lower_back"], ["lower_back", "calf"], ["calf"], ["lower_back"]], [1, 1, 1, 1])
    assert mine == reference == [(1, [0, 1, 3], ["calf", "lower_back"]), (1, [2], ["calf"])]


def test_a_log_with_no_location_is_a_spasm_of_its_own():
    mine, reference = both([[], ["neck"], [], ["neck"]], [1, 1, 1, 1])
    assert mine == reference == [(1, [0], []), (1, [1, 3], ["neck"]), (1, [2], [])]


def test_an_unknown_location_code_is_refused():
    with pytest.raises(ValueError, match="unknown location code"):
        _cluster([log(1, ["lower_back"]), log(2, ["shoulder"])], [1, 1])


def hostile_day(name, n):
    """Days a client could send: one place n times, no place, every set different, many small spasms."""
    codes = list(LOCATIONS)
    if name == "same place":
        return [["lower_back"]] * n
    if name == "no place":
        return [[]] * n
    if name == "every set different":
        masks = list(range(1, 1 << len(codes)))
        random.Random(12).shuffle(masks)
        return [[c for b, c in enumerate(codes) if mask >> b & 1] for mask in masks[:n]]
    return [[codes[i % 14]] if i % 3 else [codes[i % 14], codes[(i * 7) % 14]] for i in range(n)]  # singles, pairs


def fastest(func, repeats=5):
    """The best of a few runs with the collector off: the work itself, not the machine's other load."""
    best = None
    gc.disable()
    try:
        for _ in range(repeats):
            _subsets.cache_clear()  # each run from cold, as a worker meets a new hostile day
            start = time.perf_counter()
            func()
            took = time.perf_counter() - start
            best = took if best is None else min(best, took)
    finally:
        gc.enable()
    return best


HOSTILE = ["same place", "no place", "every set different", "singles and pairs"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_days_take_linear_work(name, monkeypatch):
    # The work is the checks of a log against a spasm (each a few int operations): count them.
    checks = []
    takes = timeline._Open.takes
    monkeypatch.setattr(timeline._Open, "takes", lambda spasm, mask: checks.append(1) or takes(spasm, mask))
    counted = {}
    for n in (300, 3_000):
        logs = hostile_day(name, n)
        episodes, days = [log(i, locs) for i, locs in enumerate(logs)], [1] * n
        checks.clear()
        assert shape(_cluster(episodes, days)) == shape(reference_cluster(episodes, days))
        counted[n] = len(checks)
    # A few checks per log however many logs (the reference: up to one per earlier log of the day, per log). A log
    # whose set was seen today makes none; a new set is checked once against each open spasm of the day, and there
    # are few (19 for 3,000 different sets: pairwise-overlapping groups of 14 places).
    assert all(checks <= 4 * n for n, checks in counted.items()), counted


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_days_are_faster_than_the_reference(name):
    episodes = [log(i, locs) for i, locs in enumerate(hostile_day(name, 3_000))]
    days = [1] * len(episodes)
    reference = fastest(lambda: reference_cluster(episodes, days), repeats=2)
    linear = fastest(lambda: _cluster(episodes, days))
    assert linear * 3 < reference, (linear, reference)
