"""One person's history as the rules read it: episodes grouped into distinct spasms (clusters) by local calendar
date, their check-ins, the profile, and the day counts the windows of CONTENT.md section 2 need."""

from bisect import bisect_left
from datetime import date
from functools import lru_cache
from operator import attrgetter, itemgetter

from coach.domain.codes import LOCATIONS, SYMPTOMS


def iso_day(day: date, today: date, with_year: bool = False) -> str:
    """The reasons' date when no formatter is given: neutral ISO ("on 2026-12-06"). The app passes its own,
    coach/formats.py on_day ("today", "yesterday", "on 6 December"), which is the wording CONTENT.md gives."""
    return f"on {day.isoformat()}"


class Cluster:
    """Episodes on one local date whose locations pairwise overlap: one spasm, logged more than once."""

    __slots__ = ("day", "episodes", "locations")

    def __init__(self, day, episode):
        self.day = day
        self.episodes = [episode]
        self.locations = set(episode.locations)

    def add(self, episode):
        self.episodes.append(episode)
        self.locations.update(episode.locations)


class Timeline:
    """Everything up to `now`, sorted once and keyed by local date ordinal, so each window is a bisect."""

    def __init__(self, episodes, follow_ups, profile, now, zone, say_day=iso_day):
        self.profile, self.say_day = profile, say_day
        local_now = now.astimezone(zone)
        self.today = local_now.toordinal()
        self.age = None if profile.birth_year is None else local_now.year - profile.birth_year

        try:
            kept = [ep for ep in episodes if ep.started_at <= now]
        except TypeError:  # comparing a naive datetime with the aware `now`
            raise ValueError("episode started_at must be timezone-aware") from None
        # Two stable sorts order by (started_at, id) without building a key tuple per episode.
        kept.sort(key=attrgetter("id"))
        kept.sort(key=attrgetter("started_at"))
        self.episodes = kept
        self.days = [e.started_at.astimezone(zone).toordinal() for e in kept]
        self.by_id = {e.id: e for e in kept}
        self.day_of = {e.id: d for e, d in zip(kept, self.days, strict=True)}

        # Symptom records are (local day, episode id, codes) from episodes and follow-ups alike, because a
        # red flag reported at a check-in counts on the check-in's own date.
        records = [(d, e.id, e.symptoms) for e, d in zip(kept, self.days, strict=True) if e.symptoms]
        self.latest_follow_up, self.worst_follow_up, self.follow_up_symptoms = {}, {}, {}
        for fu in follow_ups:
            if fu.at.utcoffset() is None:
                raise ValueError(f"follow-up {fu.id}: at must be timezone-aware")
            if fu.at > now:
                continue
            day, owner = fu.at.astimezone(zone).toordinal(), fu.episode_id
            latest = self.latest_follow_up.get(owner)
            if latest is None or (fu.at, fu.id) > (latest[1].at, latest[1].id):
                self.latest_follow_up[owner] = (day, fu)
            if fu.severity is not None:
                self.worst_follow_up[owner] = max(self.worst_follow_up.get(owner, 0), fu.severity)
            if fu.symptoms:
                self.follow_up_symptoms.setdefault(owner, set()).update(fu.symptoms)
                records.append((day, owner, fu.symptoms))
        records.sort(key=itemgetter(0))
        for _, owner, codes in records:
            for code in codes:
                if code not in SYMPTOMS:
                    # An unknown code might be a red flag under another name: refuse rather than ignore it.
                    raise ValueError(f"unknown symptom code {code!r} on episode {owner}")
        self.records, self.record_days = records, [r[0] for r in records]

        # Distinct spasms are only ever counted in the last 180 days, plus the last three (P3) and the first
        # (A1); clustering just those days keeps the cost flat however long the history grows.
        days, cut = self.days, bisect_left(self.days, self.start(180))
        clusters = _cluster(kept[cut:], days[cut:])
        while len(clusters) < 3 and cut > 0:
            day_start = bisect_left(days, days[cut - 1])
            clusters = _cluster(kept[day_start:cut], days[day_start:cut]) + clusters
            cut = day_start
        self.clusters, self.cluster_days = clusters, [c.day for c in clusters]
        if cut > 0:
            first_end = bisect_left(days, days[0] + 1)
            self.first = _cluster(kept[:first_end], days[:first_end])[0]
        else:
            self.first = clusters[0] if clusters else None

    def start(self, window_days):
        """First local day of the rolling window that ends today, both ends inclusive."""
        return self.today - (window_days - 1)

    def episodes_in(self, window_days):
        return self.episodes[bisect_left(self.days, self.start(window_days)):]

    def clusters_in(self, window_days):
        return self.clusters[bisect_left(self.cluster_days, self.start(window_days)):]

    def count_in(self, window_days):
        # The bisect position is the prefix count of distinct episodes before the window.
        return len(self.clusters) - bisect_left(self.cluster_days, self.start(window_days))

    def records_in(self, window_days):
        return self.records[bisect_left(self.record_days, self.start(window_days)):]

    def records_before(self, window_days):
        return self.records[:bisect_left(self.record_days, self.start(window_days))]

    def when(self, day, with_year=False):
        """A local day ordinal in words for a reason, through the formatter the caller passed."""
        return self.say_day(date.fromordinal(day), date.fromordinal(self.today), with_year)

    def worst_severity(self, ep):
        """The highest known severity of the episode and its check-ins, or None when none was recorded."""
        # A check-in that reports more pain than the log counts: the spasm got worse.
        known = [s for s in (ep.severity, self.worst_follow_up.get(ep.id)) if s is not None]
        return max(known, default=None)


# A log's locations as a bit mask: 14 codes, so every set of them is one small int.
LOCATION_BITS = {code: 1 << i for i, code in enumerate(LOCATIONS)}
ALL_LOCATIONS = (1 << len(LOCATIONS)) - 1
# Up to this many different location sets in a spasm, a log is checked against each; beyond, against a bit set.
FEW = 8


def _mask(episode):
    mask = 0
    for code in episode.locations:
        bit = LOCATION_BITS.get(code)
        if bit is None:
            # An unknown code might be a red-flag place under another name: refuse rather than ignore it.
            raise ValueError(f"unknown location code {code!r} on episode {episode.id}")
        mask |= bit
    return mask


@lru_cache(maxsize=1024)
def _subsets(mask):
    """Every subset of `mask` as one int: bit s is set when s is a subset of mask (at most 2 KB)."""
    found = 1
    while mask:
        low = mask & -mask
        found |= found << low
        mask ^= low
    return found


class _Open:
    """A spasm of the day that can still take a log: the distinct location masks of its logs."""

    __slots__ = ("cluster", "masks", "bits")

    def __init__(self, cluster, mask):
        self.cluster, self.masks, self.bits = cluster, [mask], 1 << mask

    def takes(self, mask):
        """Whether a log with this mask shares a location with every log here (pairwise, not transitive)."""
        if len(self.masks) <= FEW:
            return all(mask & other for other in self.masks)
        # Some log here has no location in common with it: its mask is a subset of the complement.
        return not self.bits & _subsets(ALL_LOCATIONS & ~mask)

    def add(self, mask):
        self.masks.append(mask)
        self.bits |= 1 << mask


def _cluster(episodes, days):
    """Split a run of episodes (sorted, whole local days) into distinct spasms, linear in the logs of a day.

    The rule (pairwise, not transitive): a log joins the first of the day's spasms whose every log shares a location
    with it, else it starts a new one. A log with no location joins nothing and nothing joins it. Spasms only grow,
    so a spasm that refuses a set of locations refuses it for good, and one that took a set keeps taking it (each
    later log there shares a location with it): a set seen before today goes straight to the same spasm, and only
    a set new today looks along the day's spasms, each looked at once per set (tests/unit/test_cluster.py)."""
    clusters, day, seen, open_ = [], None, {}, []
    for ep, d in zip(episodes, days, strict=True):
        if d != day:
            day, seen, open_ = d, {}, []
        mask = _mask(ep)
        if not mask:
            clusters.append(Cluster(d, ep))
            continue
        home = seen.get(mask)
        if home is None:
            home = next((spasm for spasm in open_ if spasm.takes(mask)), None)
            if home is None:
                home = _Open(Cluster(d, ep), mask)
                open_.append(home)
                clusters.append(home.cluster)
                seen[mask] = home
                continue
            home.add(mask)
            seen[mask] = home
        home.cluster.add(ep)
    return clusters


def episode_ids(items):
    """Episode ids in the order given, once each, from episodes, clusters or bare ids."""
    out = {}
    for item in items:
        if isinstance(item, int):
            out[item] = None  # a follow-up's episode id: its episode may be missing from the timeline
        else:
            out.update((e.id, None) for e in (item.episodes if isinstance(item, Cluster) else (item,)))
    return tuple(out)
