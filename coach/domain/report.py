"""The doctor report's numbers: a pure function of episodes, follow-ups, routine sessions and a period.

A question the person skipped is None ("not recorded", CONTENT.md section 0): it is counted apart and left out
of every median, range and share, so each of those says how many episodes it rests on ("n of N recorded").
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from coach.domain.diary import weekly_counts

# Local hours of each part of the day, as a doctor asks "when does it come on?".
TIME_OF_DAY = (("night", 0, 6), ("morning", 6, 12), ("afternoon", 12, 18), ("evening", 18, 24))
DAYS_PER_MONTH = 30.44
STATUS_ORDER = ("resolved", "improving", "same", "worse")
NOT_RECORDED = "not_recorded"
SEVERITY_SCALE = tuple(range(11))


@dataclass(frozen=True)
class EpisodeRow:
    id: int
    started_at: datetime
    trigger: str | None
    during_exercise: bool | None
    locations: tuple[str, ...]
    side: str | None
    severity: int | None
    locked_minutes: int | None = None
    eased_by_stretch: bool | None = None
    symptoms: tuple[str, ...] = ()
    exercise: str | None = None
    load_kg: float | None = None
    relief_used: str | None = None


@dataclass(frozen=True)
class FollowUpRow:
    episode_id: int
    at: datetime
    severity: int | None
    status: str
    symptoms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionRow:
    """A relief routine session (from the routines feature), with pain scores 0-10 before and after."""

    started_at: datetime
    routine: str
    completed: bool = True
    pain_before: int | None = None
    pain_after: int | None = None
    stop_reason: str | None = None  # a stopped session's code (a stop rule, or "done for now")


@dataclass(frozen=True)
class Trend:
    """Two halves of the period compared: `first` and `second` are counts or medians; `word` says which way."""

    first: float | None
    second: float | None
    word: str  # "rising" | "falling" | "steady" | "not enough data"


@dataclass(frozen=True)
class ExerciseLine:
    name: str
    count: int
    min_load: float | None
    max_load: float | None


@dataclass(frozen=True)
class RoutineLine:
    routine: str
    count: int
    completed: int
    median_before: float | None
    median_after: float | None
    median_change: float | None


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    days: int
    total: int
    first_episode: EpisodeRow | None
    first_date: date | None
    onset_before_period: bool
    by_location: list[tuple[str, int]] = field(default_factory=list)
    by_side: list[tuple[str, int]] = field(default_factory=list)
    location_not_recorded: int = 0  # episodes that name no place
    per_week: float = 0.0
    per_month: float = 0.0
    weekly: list[tuple[date, int]] = field(default_factory=list)
    monthly: list[tuple[str, int]] = field(default_factory=list)
    last_30: int = 0
    last_90: int = 0
    frequency_trend: Trend = Trend(None, None, "not enough data")
    # Triggers as logged, "unknown" (the person chose "Not sure") apart from "not_recorded" (skipped).
    triggers: list[tuple[str, int]] = field(default_factory=list)
    time_of_day: list[tuple[str, int]] = field(default_factory=list)
    during_exercise: int = 0
    at_rest: int = 0  # explicitly "not exercising"
    exercise_not_recorded: int = 0
    exercises: list[ExerciseLine] = field(default_factory=list)
    # Severity: how many episodes scored each value 0-10, and how many were not scored.
    severity_counts: list[tuple[int, int]] = field(default_factory=list)
    severity_recorded: int = 0
    severity_not_recorded: int = 0
    severity_min: int | None = None
    severity_median: float | None = None
    severity_max: int | None = None
    severity_trend: Trend = Trend(None, None, "not enough data")
    severity_points: list[tuple[date, int]] = field(default_factory=list)
    locked_recorded: int = 0
    locked_median: float | None = None
    locked_max: int | None = None
    locked_over_10: int = 0
    locked_over_60: int = 0
    symptoms: list[tuple[str, list[date]]] = field(default_factory=list)
    relief_used: list[tuple[str, int]] = field(default_factory=list)
    eased_by_stretch: dict[str, int] = field(default_factory=dict)
    routines: list[RoutineLine] = field(default_factory=list)
    sessions_total: int = 0
    # Why routines were stopped: (stop code, local dates), earliest first.
    stop_reasons: list[tuple[str, list[date]]] = field(default_factory=list)
    course: list[tuple[str, int]] = field(default_factory=list)


def period_for(end: date, days: int) -> tuple[date, date]:
    """The `days`-day period ending on `end`, both ends inclusive (90 days: end-89 .. end)."""
    return end - timedelta(days=days - 1), end


def counts(values) -> list[tuple[str, int]]:
    """Most common first; ties keep the order they were first seen in."""
    return Counter(values).most_common()


def text_counts(values) -> list[tuple[str, int]]:
    """Free text counted case-insensitively, shown as first typed: "Heat" and "heat" are one."""
    first: dict[str, str] = {}
    tally: Counter = Counter()
    for value in values:
        text = (value or "").strip()
        if text:
            key = text.casefold()
            first.setdefault(key, text)
            tally[key] += 1
    return [(first[key], n) for key, n in tally.most_common()]


def _median(values) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def count_trend(first: int, second: int) -> Trend:
    """Rising or falling only for a change of at least 2 episodes and at least a quarter; otherwise steady."""
    if first + second < 2:
        return Trend(first, second, "not enough data")
    change = second - first
    if abs(change) >= 2 and abs(change) >= 0.25 * max(first, second):
        return Trend(first, second, "rising" if change > 0 else "falling")
    return Trend(first, second, "steady")


def median_trend(first: list[int], second: list[int]) -> Trend:
    """Median severity in each half; a change of a whole point or more is rising or falling."""
    if len(first) < 2 or len(second) < 2:
        return Trend(_median(first), _median(second), "not enough data")
    a, b = statistics.median(first), statistics.median(second)
    word = "steady" if abs(b - a) < 1 else ("rising" if b > a else "falling")
    return Trend(a, b, word)


def _yes_no(answer: bool | None) -> str:
    return NOT_RECORDED if answer is None else "yes" if answer else "no"


def part_of_day(hour: int) -> str:
    for name, low, high in TIME_OF_DAY:
        if low <= hour < high:
            return name
    raise ValueError(hour)


def build_report(episodes, follow_ups, sessions, *, start: date, end: date, tz: str | tzinfo) -> Report:
    """Everything the report shows for the local dates `start` .. `end` (inclusive) in zone `tz`.

    `episodes` may hold the whole history: onset (the first episode ever) and the 30- and 90-day counts
    (ending on `end`) look beyond the period; every other number covers the period only.
    """
    if end < start:
        raise ValueError("end is before start")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    dated = sorted(((e.started_at.astimezone(zone), e) for e in episodes), key=lambda pair: (pair[0], pair[1].id))
    dated = [(local, e) for local, e in dated if local.date() <= end]
    in_period = [(local, e) for local, e in dated if local.date() >= start]
    days = (end - start).days + 1
    first_local, first = dated[0] if dated else (None, None)

    total = len(in_period)
    mid = start + timedelta(days=days // 2)
    first_half = [e for local, e in in_period if local.date() < mid]
    second_half = [e for local, e in in_period if local.date() >= mid]

    locations = counts(code for _, e in in_period for code in dict.fromkeys(e.locations))
    sides = counts(e.side or NOT_RECORDED for _, e in in_period)

    months = Counter(f"{local:%Y-%m}" for local, _ in in_period)
    month_keys = []
    cursor = start.replace(day=1)
    while cursor <= end:
        month_keys.append(f"{cursor:%Y-%m}")
        cursor = (cursor + timedelta(days=32)).replace(day=1)

    exercises: dict[str, list] = {}
    for _, e in in_period:
        name = (e.exercise or "").strip()
        if name:
            line = exercises.setdefault(name.casefold(), [name, 0, []])
            line[1] += 1
            if e.load_kg is not None:
                line[2].append(e.load_kg)
    exercise_lines = sorted(
        (ExerciseLine(n, c, min(loads) if loads else None, max(loads) if loads else None) for n, c, loads in exercises.values()),
        key=lambda line: (-line.count, line.name.casefold()),
    )

    severities = [e.severity for _, e in in_period if e.severity is not None]
    locked = [e.locked_minutes for _, e in in_period if e.locked_minutes is not None]

    period_ids = {e.id for _, e in in_period}
    symptom_days: dict[str, set[date]] = {}
    for local, e in in_period:
        for code in e.symptoms:
            symptom_days.setdefault(code, set()).add(local.date())
    latest: dict[int, FollowUpRow] = {}
    for fu in follow_ups:
        day = fu.at.astimezone(zone).date()
        if start <= day <= end:
            for code in fu.symptoms:
                symptom_days.setdefault(code, set()).add(day)
        if fu.episode_id in period_ids and day <= end:
            current = latest.get(fu.episode_id)
            if current is None or fu.at > current.at:
                latest[fu.episode_id] = fu
    symptoms = sorted(((code, sorted(d)) for code, d in symptom_days.items()), key=lambda item: (item[1][0], item[0]))
    course_counts = Counter(fu.status for fu in latest.values())
    course = [(status, course_counts[status]) for status in STATUS_ORDER if course_counts[status]]
    if len(period_ids) > len(latest):
        course.append(("no_check_in", len(period_ids) - len(latest)))

    session_rows = [s for s in sessions if start <= s.started_at.astimezone(zone).date() <= end]
    by_routine: dict[str, list[SessionRow]] = {}
    for s in session_rows:
        by_routine.setdefault(s.routine, []).append(s)
    routines = []
    for slug, rows in sorted(by_routine.items(), key=lambda item: (-len(item[1]), item[0])):
        pairs = [(s.pain_before, s.pain_after) for s in rows if s.pain_before is not None and s.pain_after is not None]
        routines.append(RoutineLine(
            routine=slug, count=len(rows), completed=sum(1 for s in rows if s.completed),
            median_before=_median(s.pain_before for s in rows if s.pain_before is not None),
            median_after=_median(s.pain_after for s in rows if s.pain_after is not None),
            median_change=_median(after - before for before, after in pairs),
        ))

    stop_days: dict[str, list[date]] = {}
    for s in sorted(session_rows, key=lambda s: s.started_at):
        if not s.completed and s.stop_reason:
            stop_days.setdefault(s.stop_reason, []).append(s.started_at.astimezone(zone).date())

    eased = Counter(_yes_no(e.eased_by_stretch) for _, e in in_period)
    exercising = Counter(_yes_no(e.during_exercise) for _, e in in_period)
    scored = Counter(severities)
    end_ordinal = end.toordinal()
    return Report(
        start=start, end=end, days=days, total=total,
        first_episode=first, first_date=first_local.date() if first_local else None,
        onset_before_period=bool(first_local and first_local.date() < start),
        by_location=locations, by_side=sides, location_not_recorded=sum(1 for _, e in in_period if not e.locations),
        per_week=total / (days / 7), per_month=total / (days / DAYS_PER_MONTH),
        weekly=weekly_counts([local.date() for local, _ in in_period], start, end),
        monthly=[(key, months[key]) for key in month_keys],
        last_30=sum(1 for local, _ in dated if end_ordinal - local.toordinal() < 30),
        last_90=sum(1 for local, _ in dated if end_ordinal - local.toordinal() < 90),
        frequency_trend=count_trend(len(first_half), len(second_half)),
        triggers=counts(e.trigger or NOT_RECORDED for _, e in in_period),
        time_of_day=[(name, c) for name, c in ((n, sum(1 for local, _ in in_period if part_of_day(local.hour) == n))
                                                for n, _, _ in TIME_OF_DAY)],
        during_exercise=exercising["yes"], at_rest=exercising["no"], exercise_not_recorded=exercising[NOT_RECORDED],
        exercises=exercise_lines,
        severity_counts=[(value, scored[value]) for value in SEVERITY_SCALE],
        severity_recorded=len(severities), severity_not_recorded=total - len(severities),
        severity_min=min(severities, default=None), severity_median=_median(severities),
        severity_max=max(severities, default=None),
        severity_trend=median_trend([e.severity for e in first_half if e.severity is not None],
                                    [e.severity for e in second_half if e.severity is not None]),
        severity_points=[(local.date(), e.severity) for local, e in in_period if e.severity is not None],
        locked_recorded=len(locked), locked_median=_median(locked), locked_max=max(locked, default=None),
        locked_over_10=sum(1 for m in locked if m > 10), locked_over_60=sum(1 for m in locked if m > 60),
        symptoms=symptoms,
        relief_used=text_counts(e.relief_used for _, e in in_period),
        eased_by_stretch={key: eased[key] for key in ("yes", "no", NOT_RECORDED) if eased[key]},
        routines=routines, sessions_total=len(session_rows), course=course,
        stop_reasons=list(stop_days.items()),
    )
