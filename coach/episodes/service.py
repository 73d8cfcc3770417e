"""Episode diary services: log, edit, list and follow up episodes; assess them with the triage rules."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import access
from ..access import Action, Scope
from ..domain import limits, triage
from ..extensions import db
from ..formats import on_day
from ..idempotency import client_uuid, locked, save_once
from ..models import RISK_FIELDS, Episode, FollowUp, User
from ..pagination import keyset_page
from ..reminders.inbox import notify_watchers, watched
from ..reminders.service import forget_episode, schedule_follow_ups
from .assessment_cache import cached
from .history import read_history
from .validation import clean_episode, clean_follow_up, undo_request


def get_episode(user: User, episode_id: int, action: Action = Action.READ) -> Episode:
    return access.get(user, Episode, episode_id, Scope.EPISODES, action, message="No such episode.")


def latest_episode(user: User, since: datetime, *, subject: User | None = None) -> Episode | None:
    """`subject`'s (None: the actor's) most recent episode that started at or after `since`."""
    whose = access.subject(user, subject, Scope.EPISODES)
    return db.session.scalar(
        select(Episode).where(access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id), Episode.started_at >= since)
        .order_by(Episode.started_at.desc(), Episode.id.desc()).limit(1)
    )


def log_episode(user: User, values: dict, now: datetime, *, client_id: str | None = None, source: str = "form",
                subject: User | None = None) -> tuple[Episode, bool]:
    """Save `subject`'s (None: the actor's) episode and its check-in reminders in one transaction; with a client_id
    a replay returns the first one and False (answered before anything is validated: the first record wins)."""
    owner = access.subject(user, subject, Scope.EPISODES, Action.CHANGE)
    saved = _save_new(user, lambda: clean_episode(values, now, user=owner), client_id, source, now, owner=owner)
    tell_trainers(owner, now)
    return saved


def tell_trainers(owner: User, now: datetime) -> None:
    """After a change to `owner`'s diary: the trainers they share it with hear if the assessment is now urgent or
    emergency (reminders.inbox.notify_watchers: once per rise). Without a trainer this is one small query."""
    links = watched(owner)
    if links:
        notify_watchers(owner, assess_user(owner, now).level, now, links)


def _save_new(user: User, clean, client_id: str | None, source: str, now: datetime,
              owner: User | None = None) -> tuple[Episode, bool]:
    """The episode `clean()` gives, `owner`'s (None: the actor's), and its check-ins (24 h, 72 h, 14 and 28 days),
    saved once: one commit."""
    owner = owner or user
    return save_once(
        lambda: Episode(user_id=owner.id, client_id=client_id, source=source, created_at=now, updated_at=now, **clean()),
        client_id,
        lambda key: db.session.scalar(select(Episode).where(
            access.rows(user, Episode, Scope.EPISODES, subject_id=owner.id), Episode.client_id == key)),
        then=lambda episode: schedule_follow_ups(user, episode, now),
    )


def _merge_into(episode: Episode, clean: dict, now: datetime) -> None:
    """symptoms and locations gain what is new (a saved "Yes" is never removed); other answers given replace."""
    for name, value in clean.items():
        if name in ("symptoms", "locations"):
            setattr(episode, name, list(dict.fromkeys([*(getattr(episode, name) or []), *value])))
        elif value is not None:
            setattr(episode, name, value)
    episode.updated_at = now


def upsert_episode(user: User, client_id: str, values: dict, now: datetime) -> tuple[Episode, bool]:
    """Create the person's episode with this client-made id (201), or merge into it (200): contract 4.

    The phone sends snapshots as the spasm unfolds (a safety-check "Yes" before any pain score, then the quick
    log, then a stop reason from the player), so: started_at is needed only to create it, severity is optional,
    null or absent fields leave the stored answer alone, and symptoms and locations are unions. The episode and
    its check-in reminders are saved in one transaction.

    The one way to take something back is explicit and narrow (a mis-tapped tick of the safety check's urgent
    line, undone): `remove_symptoms` removes urgent-line codes (REMOVABLE_SYMPTOMS, never an emergency code), and
    `clear_if: {"locked_minutes": 61}` sets locked_minutes back to null only while it still holds 61.
    """
    client_id = client_uuid(client_id)
    values = dict(values)
    remove, clear_if = undo_request(values)
    given = {name: value for name, value in values.items() if value is not None}
    # New: created like a log (a request racing to create the same one gets the winner's, then merges into it).
    episode, created = _save_new(
        user, lambda: clean_episode(given, now, user=user, require_severity=False), client_id, "api", now)
    if created:
        tell_trainers(user, now)
        return episode, True
    # Read again under a lock: two snapshots merging at once (a "Yes" and a stop reason) both stay in the union.
    _merge_into(locked(episode), clean_episode(given, now, partial=True, user=user), now)
    if remove:
        episode.symptoms = [code for code in episode.symptoms or [] if code not in remove]
    for name, value in clear_if.items():
        if getattr(episode, name) == value:
            setattr(episode, name, None)
    db.session.commit()
    tell_trainers(user, now)
    return episode, False


def update_episode(user: User, episode_id: int, values: dict, now: datetime) -> Episode:
    episode = get_episode(user, episode_id, Action.CHANGE)
    owner = access.subject(user, episode.user_id, Scope.EPISODES, Action.CHANGE)  # the birth year that bounds a start
    for key, value in clean_episode(values, now, partial=True, user=owner).items():
        setattr(episode, key, value)
    episode.updated_at = now
    db.session.commit()
    tell_trainers(owner, now)
    return episode


def delete_episode(user: User, episode_id: int) -> None:
    """The episode, its follow-ups, its check-in reminders and their inbox entries: one commit."""
    episode = get_episode(user, episode_id, Action.CHANGE)
    owner = access.subject(user, episode.user_id, Scope.EPISODES, Action.CHANGE)
    forget_episode(user, episode)  # its check-in reminders and their inbox entries
    db.session.delete(episode)
    db.session.commit()
    tell_trainers(owner, datetime.now(UTC))  # a level that fell clears what was announced


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time.min, zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, zone)


# Lists of episodes (the API's and the diary's), newest first: the order and the key their cursors carry.
NEWEST_FIRST = (Episode.started_at, Episode.id)


def list_episodes(
    user: User, *, subject: User | None = None, start: date | None = None, end: date | None = None,
    limit: int = limits.PAGE_SIZE, cursor: str | None = None,
) -> tuple[list[Episode], str | None]:
    """`subject`'s episodes (None: the actor's), newest first; `start`/`end` are local dates in their zone, inclusive."""
    whose = access.subject(user, subject, Scope.EPISODES)
    query = select(Episode).where(access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id))
    if start:
        query = query.where(Episode.started_at >= local_day_bounds(start, whose.timezone)[0])
    if end:
        query = query.where(Episode.started_at < local_day_bounds(end, whose.timezone)[1])
    return keyset_page(query, NEWEST_FIRST, limit, cursor)


def add_follow_up(user: User, episode_id: int, values: dict, now: datetime, *, client_id: str | None = None) -> tuple[FollowUp, bool]:
    """Save a check-in on an episode (it is the episode's owner's, whoever writes it); with a client_id a replay
    returns the first one and False."""
    episode = get_episode(user, episode_id, Action.CHANGE)
    saved = save_once(
        lambda: FollowUp(episode_id=episode.id, user_id=episode.user_id, client_id=client_id, created_at=now,
                         **clean_follow_up(episode, values, now)),
        client_id,
        lambda key: db.session.scalar(select(FollowUp).where(FollowUp.episode_id == episode.id, FollowUp.client_id == key)),
    )
    tell_trainers(access.subject(user, episode.user_id, Scope.EPISODES, Action.CHANGE), now)
    return saved


def profile_of(user: User) -> triage.Profile:
    return triage.Profile(birth_year=user.birth_year, **{name: bool(getattr(user, name)) for name in RISK_FIELDS})


def assess_user(user: User, now: datetime, *, subject: User | None = None) -> triage.Assessment:
    """The triage assessment of everything `subject` (None: the actor) logged up to `now` (later records are
    ignored by the rules), with their risk answers and in their zone: the assessment is part of the episodes scope.
    Only what the rules can see is read (history.read_history), and this worker keeps the answer until the person's
    data changes or the day turns (assessment_cache): either way the answer is the full history's."""
    whose = access.subject(user, subject, Scope.EPISODES)

    def compute():
        history = read_history(user, whose, now)
        assessment = triage.assess(history.episodes, history.follow_ups, profile_of(whose), now, whose.timezone, on_day)
        return assessment, history.since, history.until

    return cached(whose, now, compute)


def episodes_to_export(user: User, *, subject: User | None = None) -> tuple[list[Episode], list[FollowUp]]:
    """This person's episodes and follow-ups for the data export, oldest first."""
    mine = access.subject(user, subject, Scope.EPISODES).id
    episodes = db.session.scalars(select(Episode).where(access.rows(user, Episode, Scope.EPISODES, subject_id=mine)).order_by(Episode.started_at)).all()
    follow_ups = db.session.scalars(select(FollowUp).where(access.rows(user, FollowUp, Scope.EPISODES, subject_id=mine)).order_by(FollowUp.at)).all()
    return list(episodes), list(follow_ups)
