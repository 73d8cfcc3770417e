"""Adherence: how many of the sessions a trainer scheduled were done, day by day, in the client's own zone.

Rules (issue 11), written once here and tested with fixed dates (tests/unit/test_adherence.py):
* An occurrence is a fire time of an assignment's schedule (coach.domain.schedule, on the client's wall clock,
  without quiet hours: the time the trainer chose) from max(window start, assignment created) to
  min(window end, assignment ended).
* A completion is a session played from that assignment (its `assignment_id`) and completed. Sessions the
  client started on their own (no assignment) and stopped sessions never count.
* Each completion is matched to at most one occurrence, and each occurrence to at most one completion, within
  the TOLERANCE around the occurrence (inclusive): 12 hours for daily and one-off schedules (a morning routine
  done that evening still counts; the next morning's does not), the interval length for interval schedules.
  Completions are taken in time order, each by the earliest unmatched occurrence in reach (optimal for equal
  windows).
* An occurrence is *excused* when it is still ahead of `now`, or its local day overlaps a pause of the
  assignment, or (pain-aware, only when the client shares their diary) a "recovering" span: from a logged
  spasm until its check-in says resolved, at most 14 days (the caller builds the spans).
  An excused occurrence counts only when it was done (as due and done: done early, or done anyway); otherwise
  it is left out, so it is never a miss.
* adherence = done / due, capped at 100 %; nothing due is None ("no schedule"), never 0 %.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from .schedule import Interval, Once, Schedule

DAILY_TOLERANCE = timedelta(hours=12)
RECOVERING_MAX = timedelta(days=14)

DONE, MISSED, PAUSED, RECOVERING, NOT_DUE = "done", "missed", "paused", "recovering", "not_due"
STATUS_WORDS = {DONE: "Done", MISSED: "Missed", PAUSED: "Paused", RECOVERING: "Recovering", NOT_DUE: "Nothing due"}

Span = tuple[datetime, datetime | None]  # [start, end); end None: still open


@dataclass(frozen=True)
class Plan:
    """One assignment as adherence sees it."""

    id: int
    schedule: Schedule
    created_at: datetime
    ended_at: datetime | None = None
    pauses: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Completion:
    """One routine session: when it started, which assignment it was played from (None: on the client's own)."""

    assignment_id: int | None
    at: datetime
    completed: bool = True


@dataclass(frozen=True)
class Day:
    day: date
    status: str
    due: int = 0
    done: int = 0

    @property
    def words(self) -> str:
        if self.status == MISSED and self.done:
            return f"{self.done} of {self.due} done"
        return STATUS_WORDS[self.status]


@dataclass(frozen=True)
class Window:
    first: date
    last: date
    due: int
    done: int
    days: tuple[Day, ...] = field(default=())

    @property
    def pct(self) -> int | None:
        """Whole percent, capped at 100; None when nothing was due."""
        if not self.due:
            return None
        return min(100, round(100 * self.done / self.due))

    @property
    def recovering_days(self) -> int:
        return sum(1 for d in self.days if d.status == RECOVERING)


def tolerance(schedule: Schedule) -> timedelta:
    """How far from an occurrence a completion still counts for it (see the module notes)."""
    if isinstance(schedule, Interval):
        return timedelta(minutes=schedule.every_minutes)
    return DAILY_TOLERANCE


def _utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants a local day runs between (23 or 25 hours on a DST change)."""
    start = datetime.combine(day, time.min, zone).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(UTC)


def fire_times(schedule: Schedule, start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """The schedule's occurrences t with start <= t < end, in UTC, sorted: what schedule.occurrences() gives
    without quiet hours, computed a day at a time (each wall time on each local day resolved with fold=0, equal
    instants once) rather than one next_fire_time() search per occurrence (tests/unit/test_adherence.py checks
    the two agree across DST changes)."""
    return [t for t, _ in _timed(schedule, start, end, zone)]


def _timed(schedule: Schedule, start: datetime, end: datetime, zone: tzinfo) -> list[tuple[datetime, date]]:
    """fire_times() with each occurrence's local date."""
    if isinstance(schedule, Once):
        return [(schedule.at, schedule.at.astimezone(zone).date())] if start <= schedule.at < end else []
    # A day either side: a wall time in a DST gap can be pushed past midnight.
    days = _local_fire_times(schedule, zone, start.astimezone(zone).date() - timedelta(days=1),
                             end.astimezone(zone).date() + timedelta(days=1))
    return days[bisect_left(days, (start,)):bisect_left(days, (end,))]


@lru_cache(maxsize=512)
def _local_fire_times(schedule: Schedule, zone: tzinfo, first: date, last: date) -> tuple[tuple[datetime, date], ...]:
    # Cached: the clients of one trainer mostly share a schedule and a zone, and the list asks for the same days.
    out: dict[datetime, date] = {}
    walls, day = schedule.wall_times, first
    while day <= last:
        if day.isoweekday() in schedule.weekdays:
            for wall in walls:
                instant = datetime.combine(day, wall, zone).astimezone(UTC)
                out.setdefault(instant, day)
        day += timedelta(days=1)
    return tuple(sorted(out.items()))


def _covered_days(spans: Iterable[Span], first: date, last: date, zone: tzinfo, now: datetime) -> set[date]:
    """The local days in first..last that any span touches (an open span runs until now)."""
    out: set[date] = set()
    for start, end in spans:
        start, end = _utc(start), _utc(end) if end is not None else now
        if end <= start:
            continue
        day = max(start.astimezone(zone).date(), first)
        stop = min((end - timedelta(microseconds=1)).astimezone(zone).date(), last)
        while day <= stop:
            out.add(day)
            day += timedelta(days=1)
    return out


def _match(times: Sequence[datetime], sessions: Sequence[datetime], reach: timedelta) -> set[int]:
    """Indexes of the occurrences (sorted) done: each session in time order takes the earliest unmatched
    occurrence within `reach` of it."""
    done: set[int] = set()
    lo = 0
    for at in sorted(sessions):
        while lo < len(times) and (times[lo] < at - reach or lo in done):
            lo += 1
        i = lo
        while i < len(times) and times[i] <= at + reach:
            if i not in done:
                done.add(i)
                break
            i += 1
    return done


def days(plans: Iterable[Plan], completions: Iterable[Completion], first: date, last: date, tz: str | tzinfo,
         now: datetime, recovering: Iterable[Span] = ()) -> list[Day]:
    """The status of each local day first..last (inclusive) in the client's zone `tz`."""
    zone = tz if isinstance(tz, tzinfo) else ZoneInfo(tz)
    now = _utc(now)
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    recovering_days = _covered_days(recovering, first, last, zone, now)
    by_plan: dict[int, list[datetime]] = {}
    for c in completions:
        if c.assignment_id is not None and c.completed:
            by_plan.setdefault(c.assignment_id, []).append(_utc(c.at))
    tally: dict[date, list[int]] = {}  # day -> [due, done, paused, recovering]
    for plan in plans:
        begin = max(start, _utc(plan.created_at))
        finish = end if plan.ended_at is None else min(end, _utc(plan.ended_at))
        if begin >= finish:
            continue
        reach = tolerance(plan.schedule)
        # Occurrences a little beyond the window take part in the matching, so a session is not claimed by an
        # occurrence inside the window when it was the one just outside it that the client did.
        created = _utc(plan.created_at)
        outer_end = finish + reach if plan.ended_at is None else min(finish + reach, _utc(plan.ended_at))
        outer = _timed(plan.schedule, max(begin - reach, created), outer_end, zone)
        matched = _match([t for t, _ in outer], by_plan.get(plan.id, ()), reach)
        paused_days = _covered_days(plan.pauses, first, last, zone, now)
        for i, (t, day) in enumerate(outer):
            if not begin <= t < finish:
                continue
            counts = tally.setdefault(day, [0, 0, 0, 0])
            if i in matched:
                counts[0] += 1
                counts[1] += 1
            elif day in paused_days:
                counts[2] += 1
            elif day in recovering_days:
                counts[3] += 1
            elif t <= now:
                counts[0] += 1
    out, today = [], now.astimezone(zone).date()
    day = first
    while day <= last:
        due, done, paused, recovering_count = tally.get(day, (0, 0, 0, 0))
        if due:
            status = DONE if done == due else MISSED
        elif paused:
            status = PAUSED
        elif recovering_count or (day in recovering_days and day <= today):
            status = RECOVERING
        else:
            status = NOT_DUE
        out.append(Day(day, status, due, done))
        day += timedelta(days=1)
    return out


def window(all_days: Sequence[Day], first: date, last: date) -> Window:
    """The sums over the days first..last of a longer run of days."""
    picked = tuple(d for d in all_days if first <= d.day <= last)
    return Window(first, last, sum(d.due for d in picked), sum(d.done for d in picked), picked)


def adherence(plans: Iterable[Plan], completions: Iterable[Completion], first: date, last: date, tz: str | tzinfo,
              now: datetime, recovering: Iterable[Span] = ()) -> Window:
    """Adherence over the local days first..last: due, done, pct and each day's status."""
    return window(days(plans, completions, first, last, tz, now, recovering), first, last)


def last_days(today: date, count: int, skip: int = 0) -> tuple[date, date]:
    """The `count` local days ending `skip` days before today: last_days(today, 7) is this week, today included;
    last_days(today, 30, skip=7) is the 30 days before it."""
    last = today - timedelta(days=skip)
    return last - timedelta(days=count - 1), last


def recovering_spans(spasms: Iterable[tuple[datetime, datetime | None]], now: datetime) -> list[Span]:
    """(spasm start, when its check-in first said resolved or None) -> the spans that are 'recovering':
    from the spasm to the resolved check-in, at most RECOVERING_MAX, and never past now."""
    now = _utc(now)
    out = []
    for started, resolved in spasms:
        started = _utc(started)
        end = started + RECOVERING_MAX
        if resolved is not None:
            end = min(end, _utc(resolved))
        out.append((started, min(end, now)))
    return out
