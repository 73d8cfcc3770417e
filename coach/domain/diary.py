"""Diary maths: when to ask "how is it now?", and grouping episodes by local week (pure, stdlib only)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

# CONTENT.md section 1: follow-ups are prompted at 24 h, 72 h, 14 days and 28 days after an episode starts.
MILESTONES = (
    (timedelta(hours=24), "1 day"),
    (timedelta(hours=72), "3 days"),
    (timedelta(days=14), "2 weeks"),
    (timedelta(days=28), "4 weeks"),
)
# Each prompt stays open until the next milestone; the last one for a week, so an old log never nags.
LAST_PROMPT_OPEN = timedelta(days=7)
PROMPT_HORIZON = MILESTONES[-1][0] + LAST_PROMPT_OPEN


@dataclass(frozen=True)
class Due:
    """An open "how is it now?" prompt: which milestone, and from when it was due."""

    episode_id: int
    milestone: int  # index into MILESTONES
    label: str
    due_at: datetime


def due_follow_up(episode_id: int, started_at: datetime, follow_ups, now: datetime) -> Due | None:
    """The open prompt for one episode at `now`, or None.

    `follow_ups` are (at, status) pairs. A milestone is open from `started_at + offset` until the next
    milestone (the last for LAST_PROMPT_OPEN); a check-in made at or after the milestone answers it, and
    a check-in saying the spasm is gone ends all prompts for that episode.
    """
    elapsed = now - started_at
    index = None
    for i, (offset, _) in enumerate(MILESTONES):
        if elapsed >= offset:
            index = i
    if index is None:
        return None
    opened = started_at + MILESTONES[index][0]
    closes = started_at + (MILESTONES[index + 1][0] if index + 1 < len(MILESTONES) else MILESTONES[-1][0] + LAST_PROMPT_OPEN)
    if now >= closes:
        return None
    for at, status in follow_ups:
        if at > now:
            continue
        if status == "resolved" or at >= opened:
            return None
    return Due(episode_id, index, MILESTONES[index][1], opened)


def local_date(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def week_start(day: date) -> date:
    """Monday of the ISO week that holds `day`."""
    return day - timedelta(days=day.weekday())


def weeks_between(start: date, end: date) -> list[date]:
    """Every Monday from the week of `start` to the week of `end`, both included."""
    first, last = week_start(start), week_start(end)
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)] if first <= last else []


def group_by_week(items, day_of) -> list[tuple[date, list]]:
    """Items (already newest first) grouped under the Monday of their local week, newest week first."""
    groups: list[tuple[date, list]] = []
    for item in items:
        monday = week_start(day_of(item))
        if not groups or groups[-1][0] != monday:
            groups.append((monday, []))
        groups[-1][1].append(item)
    return groups


def weekly_counts(days, start: date, end: date) -> list[tuple[date, int]]:
    """(Monday, number of episodes) for every week from `start` to `end`, weeks with none included."""
    counts = dict.fromkeys(weeks_between(start, end), 0)
    for day in days:
        if start <= day <= end:
            counts[week_start(day)] += 1
    return list(counts.items())


def severity_band(severity: int) -> str:
    """A word for a 0-10 pain score, so colour is never the only cue."""
    if severity <= 3:
        return "mild"
    if severity <= 6:
        return "moderate"
    return "severe"
