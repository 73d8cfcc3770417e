"""Diary page services: the filtered history, open follow-up prompts, chart series and the assessment card."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, select
from sqlalchemy.orm import selectinload

from .. import access
from ..access import Scope
from ..content import shipped_content
from ..content.countries import local_services
from ..domain import codes, diary, limits, triage
from ..domain.triage_rules import LOCATION_LEVELS
from ..extensions import db
from ..formats import time_since
from ..models import Episode, FollowUp, User
from ..pagination import keyset_page
from .service import NEWEST_FIRST, assess_user, local_day_bounds

EMERGENCY_PATH = "/emergency"

# What the detailed log, saved offline, can tell on the phone without the server: an answer that alone is an
# emergency (E1's emergency symptoms, E7's chest, E2's accident) opens the emergency screen with its reason code.
OFFLINE_EMERGENCY = {
    "symptoms": [code for code, (_, tier, _) in codes.SYMPTOMS.items() if tier == "emergency"],
    "locations": {location: "chest_pain" for location, level in LOCATION_LEVELS.items() if level == "emergency"},
    "triggers": ["accident"],
}
# The free-text fields and their limits (coach/domain/limits.py), for the counters beside them.
TEXT_LIMITS = {"exercise": limits.EXERCISE, "relief_used": limits.RELIEF_USED, "notes": limits.NOTES}


@dataclass(frozen=True)
class DiaryFilter:
    start: date | None = None
    end: date | None = None
    location: str | None = None
    trigger: str | None = None
    min_severity: int | None = None

    def active(self) -> bool:
        return any(value is not None for value in (self.start, self.end, self.location, self.trigger, self.min_severity))


def history(user: User, filters: DiaryFilter, *, subject: User | None = None, limit: int = limits.PAGE_SIZE,
            cursor: str | None = None) -> tuple[list[Episode], str | None]:
    """`subject`'s (None: the actor's) episodes newest first, filtered; dates are local dates in their zone."""
    whose = access.subject(user, subject, Scope.EPISODES)
    query = (select(Episode).where(access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id))
             .options(selectinload(Episode.follow_ups)))
    if filters.start:
        query = query.where(Episode.started_at >= local_day_bounds(filters.start, whose.timezone)[0])
    if filters.end:
        query = query.where(Episode.started_at < local_day_bounds(filters.end, whose.timezone)[1])
    if filters.trigger:
        query = query.where(Episode.trigger == filters.trigger)
    if filters.min_severity is not None:
        query = query.where(Episode.severity >= filters.min_severity)
    if filters.location:
        # Locations are a JSON list of codes; a code in quotes matches exactly one element on both databases.
        query = query.where(cast(Episode.locations, String).like(f'%"{filters.location}"%'))
    return keyset_page(query, NEWEST_FIRST, limit, cursor)


def local(moment: datetime, user: User) -> datetime:
    return moment.astimezone(ZoneInfo(user.timezone))


def chart_data(user: User, start: date, end: date, *, subject: User | None = None) -> dict:
    """Severity points and weekly counts for local dates start..end, as templates/episodes/_diary_charts.html
    draws them.

    Times are given as seconds of the subject's (None: the actor's) wall-clock time (as if it were UTC), so the
    chart shows the person's own dates whatever zone the phone is in.
    """
    whose = access.subject(user, subject, Scope.EPISODES)
    begin, finish = local_day_bounds(start, whose.timezone)[0], local_day_bounds(end, whose.timezone)[1]
    rows = db.session.execute(
        select(Episode.started_at, Episode.severity)
        .where(access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id), Episode.started_at >= begin,
               Episode.started_at < finish)
        .order_by(Episode.started_at)
    ).all()
    zone = ZoneInfo(whose.timezone)
    points = []
    days = []
    for started_at, severity in rows:
        wall = started_at.astimezone(zone).replace(tzinfo=None)
        if severity is not None:  # a severity not recorded has no point to plot; the week still counts it
            points.append([int((wall - datetime(1970, 1, 1)).total_seconds()), severity])
        days.append(wall.date())
    weeks = diary.weekly_counts(days, start, end)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "episodes": len(days),
        "severity": points,
        "weeks": [[monday.isoformat(), count] for monday, count in weeks],
    }


@dataclass
class Prompt:
    episode: Episode
    due: diary.Due
    since: str = ""  # the real time since the spasm started ("14 days ago"), not the milestone's name


def due_prompts(user: User, now: datetime, *, subject: User | None = None) -> list[Prompt]:
    """`subject`'s (None: the actor's) open "how is it now?" prompts, oldest due first; only episodes young
    enough to have one are read."""
    whose = access.subject(user, subject, Scope.EPISODES)
    recent = db.session.scalars(
        select(Episode)
        .where(access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id), Episode.started_at > now - diary.PROMPT_HORIZON,
               Episode.started_at <= now)
        .options(selectinload(Episode.follow_ups))
        .order_by(Episode.started_at)
    ).all()
    prompts = []
    for episode in recent:
        due = diary.due_follow_up(episode.id, episode.started_at, [(f.at, f.status) for f in episode.follow_ups], now)
        if due is not None:
            prompts.append(Prompt(episode, due, time_since(episode.started_at, now, whose.timezone)))
    prompts.sort(key=lambda p: p.due.due_at)
    return prompts


@lru_cache(maxsize=1)
def source_titles() -> dict[int, str]:
    return {source_id: source.title for source_id, source in shipped_content().sources.items()}


HEADINGS = triage.LEVEL_HEADINGS
LEVEL_WORDS = {"emergency": "Emergency", "urgent": "Urgent", "routine": "Routine", "none": "None", "info": "Info"}


def rule_title(rule: str) -> str:
    """The one title of a flag everywhere (card, episode page, "Why am I seeing this?")."""
    return triage.RULE_TITLES.get(rule, rule)


@dataclass
class DiaryStatus:
    assessment: triage.Assessment
    prompts: list[Prompt]
    episode_days: dict[int, date] = field(default_factory=dict)
    services: triage.LocalServices = triage.GENERIC_SERVICES

    @property
    def level(self) -> str:
        return self.assessment.level

    @property
    def advice(self) -> str:
        """What to do at this level, in the wording of the person's country."""
        return triage.advice(self.assessment.level, self.services)

    @property
    def heading(self) -> str:
        return HEADINGS[self.assessment.level]

    @property
    def safety_net(self) -> str:
        return triage.safety_net(self.services)

    @property
    def emergency_url(self) -> str:
        return emergency_url(self.assessment)

    no_medication = triage.NO_MEDICATION_COPY
    disclaimer = triage.DISCLAIMER
    why_it_matters = triage.WHY_IT_MATTERS
    why_it_matters_sources = triage.WHY_IT_MATTERS_SOURCES
    safety_net_sources = triage.SAFETY_NET_SOURCES

    @staticmethod
    def level_word(level: str) -> str:
        return LEVEL_WORDS[level]

    @staticmethod
    def title(rule: str) -> str:
        return rule_title(rule)

    @staticmethod
    def why_matters(rule: str) -> bool:
        return rule in triage.WHY_IT_MATTERS_RULES

    def sources(self, ids) -> list[tuple[int, str]]:
        titles = source_titles()
        return [(i, titles.get(i, f"Source {i}")) for i in ids]

    def flags_for(self, episode_id: int) -> list[triage.Flag]:
        """The current flags that name this episode, highest tier first (as the assessment orders them)."""
        return [flag for flag in self.assessment.flags if episode_id in flag.episode_ids]


def status_for(user: User, now: datetime, *, subject: User | None = None) -> DiaryStatus:
    """What `subject`'s (None: the actor's) assessment card needs: the assessment, open prompts, and the dates of
    the episodes it names; the advice in the wording of the subject's country."""
    whose = access.subject(user, subject, Scope.EPISODES)
    assessment = assess_user(user, now, subject=whose)
    ids = {i for flag in assessment.flags for i in flag.episode_ids} | {i for info in assessment.info for i in info.episode_ids}
    days = {}
    if ids:
        zone = ZoneInfo(whose.timezone)
        for ident, started_at in db.session.execute(select(Episode.id, Episode.started_at).where(
                access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id), Episode.id.in_(ids))):
            days[ident] = started_at.astimezone(zone).date()
    return DiaryStatus(assessment, due_prompts(user, now, subject=whose), days, local_services(whose.country))


def emergency_url(assessment: triage.Assessment) -> str:
    """The emergency screen for an assessment at emergency: a reason code, never free text (the screen
    names the current assessment's reason itself)."""
    return f"{EMERGENCY_PATH}?{urlencode({'reason': 'assessment'})}"



def newest_first(follow_ups) -> list[FollowUp]:
    return sorted(follow_ups, key=lambda f: (f.at, f.id), reverse=True)


def combine_local(day: date, moment: time, tz: str) -> datetime:
    return datetime.combine(day, moment.replace(second=0, microsecond=0), ZoneInfo(tz))


def default_chart_period(today: date, filters: DiaryFilter) -> tuple[date, date]:
    """The filter's dates when given (at most a year shown), else the 90 days ending today."""
    end = filters.end or today
    start = filters.start or end - timedelta(days=89)
    if (end - start).days > 365:
        start = end - timedelta(days=365)
    return start, end


def latest_follow_up(episode: Episode) -> FollowUp | None:
    return max(episode.follow_ups, key=lambda f: (f.at, f.id), default=None)
