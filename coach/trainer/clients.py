"""A trainer's clients: the list ordered by who needs attention (with the reason in words), one client's page,
and the trainer's private note on a client.

Everything is read through access: a client through an active link (sessions), their diary and assessment only
while they share it (EPISODES). The list reads a fixed number of statements whatever the number of clients
(links with the people, assignments, pauses, sessions in the window, each client's last session, and for the
clients who share: episodes and check-ins), so 500 clients cost what 5 do in round trips
(tests/web/test_client_list_queries.py)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .. import access
from ..access import Scope
from ..domain import adherence as adh
from ..domain import limits, triage
from ..domain.schedule import ScheduleError, parse_schedule
from ..episodes.service import assess_user, list_episodes, profile_of
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..formats import number, on_day
from ..models import Assignment, AssignmentPause, Episode, FollowUp, Routine, RoutineSession, TrainerLink, User
from ..relief.service import list_sessions

NO_CLIENT = "No such client."
# What the list looks back over: the 7 days, the 30 days before them (for the drop), and the tolerance.
LOOKBACK_DAYS = 37
DROP_POINTS = 20
IDLE_DAYS = 14
RANK_FLAG, RANK_DROP, RANK_IDLE, RANK_REST = range(4)
ALARM_LEVELS = ("emergency", "urgent")


@dataclass(frozen=True)
class Attention:
    rank: int
    reason: str | None = None


@dataclass
class ClientRow:
    id: int
    display_name: str
    linked_at: datetime
    share_episodes: bool
    last_session_at: datetime | None
    flag_level: str | None  # None unless the client shares their diary
    week: adh.Window
    month: adh.Window
    before: adh.Window  # the 30 days before the week
    attention: Attention = field(default_factory=lambda: Attention(RANK_REST))

    @property
    def adherence_7d(self) -> int | None:
        return self.week.pct

    @property
    def adherence_30d(self) -> int | None:
        return self.month.pct


def require_trainer(actor: User) -> None:
    access.require_role(actor, "trainer")


def _client_id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 2**31 - 1:
        raise NotFound(NO_CLIENT)
    return value


# ---------------------------------------------------------------- loading (a fixed number of statements)

def _links(actor: User, client_id: int | None) -> list[tuple[TrainerLink, User]]:
    query = (select(TrainerLink, User).join(User, User.id == TrainerLink.client_id)
             .where(access.rows(actor, TrainerLink, Scope.COACHING), TrainerLink.ended_at.is_(None)))
    if client_id is not None:
        query = query.where(TrainerLink.client_id == client_id)
    return [(link, user) for link, user in db.session.execute(query)]


def _plans(actor: User, client_id: int | None, since: datetime) -> dict[int, list[adh.Plan]]:
    """client id -> the trainer's assignments for them that ran in the window, with their pauses (2 statements)."""
    where = [access.rows(actor, Assignment, Scope.COACHING),
             Assignment.client_id.in_(select(TrainerLink.client_id).where(
                 access.rows(actor, TrainerLink, Scope.COACHING), TrainerLink.ended_at.is_(None))),
             (Assignment.ended_at.is_(None)) | (Assignment.ended_at >= since)]
    if client_id is not None:
        where.append(Assignment.client_id == client_id)
    rows = db.session.execute(select(Assignment.id, Assignment.client_id, Assignment.schedule, Assignment.created_at,
                                     Assignment.ended_at).where(*where)).all()
    pauses: dict[int, list[adh.Span]] = defaultdict(list)
    for pause in db.session.execute(select(AssignmentPause.assignment_id, AssignmentPause.started_at,
                                           AssignmentPause.ended_at).where(
            AssignmentPause.assignment_id.in_(select(Assignment.id).where(*where)))):
        pauses[pause.assignment_id].append((pause.started_at, pause.ended_at))
    out: dict[int, list[adh.Plan]] = defaultdict(list)
    for row in rows:
        try:
            schedule = parse_schedule(row.schedule)
        except ScheduleError:  # stored through the same parser: never expected, and never a reason to fail a page
            continue
        out[row.client_id].append(adh.Plan(row.id, schedule, row.created_at, row.ended_at, tuple(pauses[row.id])))
    return out


def _completions(actor: User, client_id: int | None, since: datetime) -> dict[int, list[adh.Completion]]:
    """client id -> their completed sessions played from an assignment since `since` (1 statement)."""
    query = select(RoutineSession.user_id, RoutineSession.assignment_id, RoutineSession.started_at).where(
        access.rows(actor, RoutineSession, Scope.SESSIONS, subject_id=client_id), RoutineSession.started_at >= since,
        RoutineSession.assignment_id.is_not(None), RoutineSession.completed.is_(True))
    out: dict[int, list[adh.Completion]] = defaultdict(list)
    for row in db.session.execute(query):
        out[row.user_id].append(adh.Completion(row.assignment_id, row.started_at))
    return out


def _last_sessions(actor: User, client_id: int | None) -> dict[int, datetime]:
    query = (select(RoutineSession.user_id, func.max(RoutineSession.started_at))
             .where(access.rows(actor, RoutineSession, Scope.SESSIONS, subject_id=client_id))
             .group_by(RoutineSession.user_id))
    return {user_id: at for user_id, at in db.session.execute(query)}


def _diaries(actor: User, client_id: int | None) -> tuple[dict[int, list[triage.Episode]], dict[int, list[triage.FollowUp]]]:
    """The diaries of the clients who share them with the actor (EPISODES: only those), 2 statements."""
    episodes: dict[int, list[triage.Episode]] = defaultdict(list)
    for r in db.session.execute(select(
            Episode.user_id, Episode.id, Episode.started_at, Episode.trigger, Episode.during_exercise, Episode.locations,
            Episode.side, Episode.severity, Episode.locked_minutes, Episode.eased_by_stretch, Episode.symptoms,
    ).where(access.rows(actor, Episode, Scope.EPISODES, subject_id=client_id))):
        episodes[r.user_id].append(triage.Episode(
            id=r.id, started_at=r.started_at, trigger=r.trigger, during_exercise=r.during_exercise,
            locations=tuple(r.locations or ()), side=r.side, severity=r.severity, locked_minutes=r.locked_minutes,
            eased_by_stretch=r.eased_by_stretch, symptoms=tuple(r.symptoms or ())))
    follow_ups: dict[int, list[triage.FollowUp]] = defaultdict(list)
    for r in db.session.execute(select(
            FollowUp.user_id, FollowUp.id, FollowUp.episode_id, FollowUp.at, FollowUp.severity, FollowUp.status,
            FollowUp.symptoms).where(access.rows(actor, FollowUp, Scope.EPISODES, subject_id=client_id))):
        follow_ups[r.user_id].append(triage.FollowUp(id=r.id, episode_id=r.episode_id, at=r.at, severity=r.severity,
                                                     status=r.status, symptoms=tuple(r.symptoms or ())))
    return episodes, follow_ups


def recovering(episodes, follow_ups, now: datetime) -> list[adh.Span]:
    """Pain-aware adherence: each spasm until its first check-in that says resolved (at most 14 days)."""
    resolved: dict[int, datetime] = {}
    for f in follow_ups:
        if f.status == "resolved" and (f.episode_id not in resolved or f.at < resolved[f.episode_id]):
            resolved[f.episode_id] = f.at
    horizon = now - timedelta(days=LOOKBACK_DAYS + 15)
    return adh.recovering_spans([(e.started_at, resolved.get(e.id)) for e in episodes if e.started_at >= horizon], now)


# ---------------------------------------------------------------- attention

def _ago_days(then: datetime, now: datetime) -> int:
    return (now - then).days


def attention(row: ClientRow, now: datetime) -> Attention:
    """Why this client needs the trainer now, in words, and how urgently (lower rank first)."""
    if row.flag_level in ALARM_LEVELS:
        return Attention(RANK_FLAG, f"{row.flag_level.capitalize()} flag in their diary: check in with them")
    week, before = row.week.pct, row.before.pct
    if week is not None and before is not None and before - week >= DROP_POINTS:
        reason = f"Adherence down {before - week} points this week"
        if row.week.recovering_days:
            days = row.week.recovering_days
            reason += f" (recovering from a spasm for {number(days)} day{'s' if days != 1 else ''})"
        return Attention(RANK_DROP, reason)
    idle_since = row.last_session_at or row.linked_at
    idle = _ago_days(idle_since, now)
    if idle >= IDLE_DAYS:
        if row.last_session_at is None:
            return Attention(RANK_IDLE, f"No session in the {number(idle)} days since you linked")
        return Attention(RANK_IDLE, f"No session for {number(idle)} days")
    return Attention(RANK_REST)


def _order(row: ClientRow, now: datetime):
    rank = row.attention.rank
    if rank == RANK_FLAG:
        within = -ALARM_LEVELS[::-1].index(row.flag_level)
    elif rank == RANK_DROP:
        within = row.week.pct - row.before.pct  # the bigger drop first
    elif rank == RANK_IDLE:
        within = -_ago_days(row.last_session_at or row.linked_at, now)
    else:
        within = 0
    return rank, within, row.display_name.casefold(), row.id


def _today(user: User, now: datetime) -> date:
    return now.astimezone(ZoneInfo(user.timezone)).date()


def _rows(actor: User, now: datetime, client_id: int | None = None) -> list[ClientRow]:
    links = _links(actor, client_id)
    if not links:
        return []
    since = now - timedelta(days=LOOKBACK_DAYS + 2)  # a day either side for zones, 12 h for the tolerance
    plans, done = _plans(actor, client_id, since), _completions(actor, client_id, since)
    last = _last_sessions(actor, client_id)
    shared = any(link.share_episodes for link, _ in links)
    episodes, follow_ups = _diaries(actor, client_id) if shared else ({}, {})
    out = []
    for link, user in links:
        today = _today(user, now)
        flag_level, spans = None, []
        if link.share_episodes:
            mine, checks = episodes.get(user.id, []), follow_ups.get(user.id, [])
            flag_level = triage.assess(mine, checks, profile_of(user), now, user.timezone, on_day).level
            spans = recovering(mine, checks, now)
        first = today - timedelta(days=LOOKBACK_DAYS - 1)
        days = adh.days(plans.get(user.id, []), done.get(user.id, []), first, today, user.timezone, now, spans)
        row = ClientRow(
            id=user.id, display_name=user.display_name, linked_at=link.linked_at, share_episodes=link.share_episodes,
            last_session_at=last.get(user.id), flag_level=flag_level,
            week=adh.window(days, *adh.last_days(today, 7)), month=adh.window(days, *adh.last_days(today, 30)),
            before=adh.window(days, *adh.last_days(today, 30, skip=7)),
        )
        row.attention = attention(row, now)
        out.append(row)
    return out


# ---------------------------------------------------------------- services

def client_list(actor: User, now: datetime) -> list[ClientRow]:
    """The trainer's clients through an active link, who needs attention first (see `attention`), then by name."""
    require_trainer(actor)
    return sorted(_rows(actor, now), key=lambda row: _order(row, now))


@dataclass
class ClientDetail:
    client: User
    link: TrainerLink
    row: ClientRow
    sessions: list
    next_cursor: str | None
    assignments: list
    shared: bool
    episodes: list | None = None
    assessment: triage.Assessment | None = None


def _assignments(actor: User, client_id: int) -> list[tuple[Assignment, str, str]]:
    """The trainer's assignments of this client, running first, newest first: (assignment, routine slug, title)."""
    query = (select(Assignment, Routine.slug, Routine.title).join(Routine, Routine.id == Assignment.routine_id)
             .where(access.rows(actor, Assignment, Scope.COACHING), Assignment.client_id == client_id)
             .order_by(Assignment.ended_at.is_not(None), Assignment.created_at.desc(), Assignment.id.desc()))
    return [tuple(row) for row in db.session.execute(query)]


def client_detail(actor: User, client_id, now: datetime, *, cursor: str | None = None,
                  limit: int = limits.PAGE_SIZE) -> ClientDetail:
    """One client through an active link: adherence, sessions, the trainer's assignments; their episodes and
    assessment only while they share them."""
    require_trainer(actor)
    client = access.subject(actor, _client_id(client_id), Scope.SESSIONS, message=NO_CLIENT)
    rows = _rows(actor, now, client.id)
    links = _links(actor, client.id)
    if not rows or not links:
        raise NotFound(NO_CLIENT)
    sessions, next_cursor = list_sessions(actor, subject=client, limit=limit, cursor=cursor)
    detail = ClientDetail(client=client, link=links[0][0], row=rows[0], sessions=sessions, next_cursor=next_cursor,
                          assignments=_assignments(actor, client.id), shared=False)
    if access.allows(actor, client.id, Scope.EPISODES):
        detail.shared = True
        detail.episodes, _ = list_episodes(actor, subject=client, limit=limits.PAGE_SIZE)
        detail.assessment = assess_user(actor, now, subject=client)
    return detail


def set_note(actor: User, client_id, text, now: datetime) -> TrainerLink:
    """The trainer's private note on a linked client (empty: none). Never shown to the client or anyone else."""
    require_trainer(actor)
    link = db.session.scalar(select(TrainerLink).where(
        access.rows(actor, TrainerLink, Scope.COACHING), TrainerLink.client_id == _client_id(client_id),
        TrainerLink.ended_at.is_(None)))
    if link is None:
        raise NotFound(NO_CLIENT)
    if text is not None and not isinstance(text, str):
        raise ValidationError({"text": "must be text"})
    text = (text or "").strip()
    if len(text) > limits.TRAINER_NOTE:
        raise ValidationError({"text": limits.too_long(len(text), limits.TRAINER_NOTE, number)})
    link.note = text or None
    link.note_updated_at = now
    db.session.commit()
    return link
