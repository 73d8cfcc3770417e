"""Episode diary services: log, edit, list and follow up episodes; assess them with the triage rules."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, select

from .. import access
from ..access import Action, Scope
from ..domain import codes, limits, triage
from ..errors import ValidationError
from ..extensions import db
from ..formats import number, on_day
from ..idempotency import client_uuid, locked, save_once
from ..models import RISK_FIELDS, Episode, FollowUp, User
from ..pagination import keyset_page
from ..reminders.service import forget_episode, schedule_follow_ups

CLOCK_SKEW = timedelta(minutes=10)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
MAX_YEARS_AGO = 100
EPISODE_FIELDS = (
    "started_at", "trigger", "during_exercise", "exercise", "load_kg", "locations", "side", "severity",
    "locked_minutes", "eased_by_stretch", "symptoms", "relief_used", "notes",
)
REQUIRED_FIELDS = ("started_at", "severity")


def _int_in(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text(value, limit: int, name: str, errors: dict) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = "must be text"
        return None
    # A browser sends a textarea's line breaks as CR LF; its counter (and the person) counts one character.
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(value) > limit:
        # Never cut: the person's text is refused with how much to shorten, and the form shows it again.
        errors[name] = limits.too_long(len(value), limit, number)
    return value or None


def _codes(value, allowed: tuple[str, ...], name: str, errors: dict) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors[name] = "must be a list of codes"
        return []
    unknown = [v for v in value if v not in allowed]
    if unknown:
        errors[name] = f"unknown code {unknown[0]!r}"
    return list(dict.fromkeys(value))  # keep order, drop repeats


def clean_moment(value, now: datetime, name: str, errors: dict) -> datetime | None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors[name] = "must be a date and time with a UTC offset"
        return None
    if value > now + CLOCK_SKEW:
        errors[name] = "cannot be in the future"
    elif value < EARLIEST:
        errors[name] = "cannot be before 1900"
    return value


def earliest_start(user: User | None, now: datetime) -> tuple[datetime, str]:
    """The earliest plausible start of a spasm and what to say below it: 1 January of the person's birth
    year (in their zone) or 100 years before now, whichever is later."""
    try:
        century = now.replace(year=now.year - MAX_YEARS_AGO)
    except ValueError:  # 29 February
        century = now.replace(year=now.year - MAX_YEARS_AGO, day=28)
    if user is not None and user.birth_year:
        born = datetime(user.birth_year, 1, 1, tzinfo=ZoneInfo(user.timezone or "UTC"))
        if born > century:
            return born, f"can't be before your birth year ({user.birth_year})"
    return century, f"can't be more than {MAX_YEARS_AGO} years ago"


def clean_started_at(value, now: datetime, user: User | None, errors: dict, name: str = "started_at") -> datetime | None:
    """When a spasm started: not more than 10 minutes ahead of the server's clock (a phone's clock may be a
    little fast), not before the person's birth year, not more than 100 years ago."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors[name] = "must be a date and time with a UTC offset"
        return None
    floor, message = earliest_start(user, now)
    if value > now + CLOCK_SKEW:
        errors[name] = f"can't be more than {CLOCK_SKEW.seconds // 60} minutes in the future"
    elif value < floor:
        errors[name] = message
    return value


def _answer(values: dict, name: str, clean: dict, check, message: str, errors: dict) -> None:
    """An optional answer: absent stays absent, null (or a blank) is "not recorded", anything else is checked."""
    if name not in values:
        return
    value = values[name]
    if value is None or value == "":
        clean[name] = None
        return
    if not check(value):
        errors[name] = message
    clean[name] = value


def clean_episode(
    values: dict, now: datetime, *, partial: bool = False, user: User | None = None, require_severity: bool = True
) -> dict:
    """Check every rule of CONTENT.md section 1; raise ValidationError with every problem at once.

    A skipped answer (absent, null or blank) is stored as null, "not recorded": never "unknown", false or 0.
    `require_severity=False` lets a spasm be saved before its pain score (the safety check's "Yes", the upsert).
    """
    errors: dict[str, str] = {}
    unknown = set(values) - set(EPISODE_FIELDS)
    for name in sorted(unknown):
        errors[name] = "unknown field"
    if not partial:
        for name in REQUIRED_FIELDS if require_severity else ("started_at",):
            if values.get(name) is None:
                errors[name] = "required"
    clean: dict = {}
    if values.get("started_at") is not None:
        clean["started_at"] = clean_started_at(values["started_at"], now, user, errors)
    _answer(values, "severity", clean, lambda v: _int_in(v, *codes.SEVERITY_RANGE), "must be an integer from 0 to 10", errors)
    if "trigger" in values and values["trigger"] not in (None, "") and values["trigger"] not in codes.TRIGGERS:
        errors["trigger"] = f"unknown code {values['trigger']!r}"
    _answer(values, "trigger", clean, lambda v: True, "", errors)
    if "side" in values and values["side"] not in (None, "") and values["side"] not in codes.SIDES:
        errors["side"] = f"unknown code {values['side']!r}"
    _answer(values, "side", clean, lambda v: True, "", errors)
    for name in ("during_exercise", "eased_by_stretch"):
        _answer(values, name, clean, lambda v: isinstance(v, bool), "must be true, false or null", errors)
    _answer(
        values, "locked_minutes", clean, lambda v: _int_in(v, *codes.LOCKED_MINUTES_RANGE),
        "must be a whole number of minutes from 0 to 1440", errors,
    )
    _answer(
        values, "load_kg", clean,
        lambda v: not isinstance(v, bool) and isinstance(v, int | float) and 0 <= v <= limits.LOAD_KG,
        f"must be a number from 0 to {limits.LOAD_KG}", errors,
    )
    if "locations" in values:
        clean["locations"] = _codes(values["locations"], codes.LOCATIONS, "locations", errors)
    if "symptoms" in values:
        clean["symptoms"] = _codes(values["symptoms"], codes.SYMPTOM_CODES, "symptoms", errors)
    for name, limit in (("exercise", limits.EXERCISE), ("relief_used", limits.RELIEF_USED), ("notes", limits.NOTES)):
        if name in values:
            clean[name] = _text(values[name], limit, name, errors)
    if errors:
        raise ValidationError(errors)
    return clean


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
    return _save_new(user, lambda: clean_episode(values, now, user=owner), client_id, source, now, owner=owner)


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


# The safety check's urgent line (CONTENT.md section 0, coach/relief/sos.py URGENT_ITEMS): the only symptoms an
# upsert may take back, when the person undoes a mis-tapped tick. An emergency answer is never removed this way.
REMOVABLE_SYMPTOMS = ("fever", "weight_loss", "cannot_stand")
# field -> the value the urgent line's tick saves; clear_if sets the field back to null only while it holds it.
CLEARABLE_FIELDS = {"locked_minutes": 61}


def _undo_request(values: dict) -> tuple[list[str], dict]:
    """The upsert's explicit undo: remove_symptoms (urgent-line codes only) and clear_if ({field: value}),
    checked; a ValidationError names what is refused and why."""
    errors: dict[str, str] = {}
    remove = values.pop("remove_symptoms", None) or []
    clear_if = values.pop("clear_if", None) or {}
    if not isinstance(remove, list | tuple) or not all(isinstance(code, str) for code in remove):
        errors["remove_symptoms"] = "must be a list of codes"
        remove = []
    emergency = [code for code in remove if codes.SYMPTOMS.get(code, ("", ""))[1] == "emergency"]
    others = [code for code in remove if code not in REMOVABLE_SYMPTOMS and code not in emergency]
    if emergency:
        errors["remove_symptoms"] = (
            f"{', '.join(emergency)}: an emergency answer is never removed here; change it in the diary")
    elif others:
        errors["remove_symptoms"] = (
            f"{', '.join(others)}: only {', '.join(REMOVABLE_SYMPTOMS)} (the safety check's ticks) can be removed here")
    both = sorted(set(remove) & set(values.get("symptoms") or []))
    if both and "remove_symptoms" not in errors:
        errors["remove_symptoms"] = f"{', '.join(both)}: cannot be added and removed at once"
    if not isinstance(clear_if, dict):
        errors["clear_if"] = "must be an object such as {\"locked_minutes\": 61}"
        clear_if = {}
    clear_if = {name: value for name, value in clear_if.items() if value is not None}  # null: nothing asked
    for name, value in clear_if.items():
        if name not in CLEARABLE_FIELDS:
            errors[f"clear_if.{name}"] = "only locked_minutes can be cleared here"
        elif value != CLEARABLE_FIELDS[name] or isinstance(value, bool):
            errors[f"clear_if.{name}"] = f"must be {CLEARABLE_FIELDS[name]} (the value the safety check's tick saves)"
        elif values.get(name) is not None:
            errors[f"clear_if.{name}"] = "cannot be set and cleared at once"
    if errors:
        raise ValidationError(errors)
    return list(dict.fromkeys(remove)), dict(clear_if)


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
    remove, clear_if = _undo_request(values)
    given = {name: value for name, value in values.items() if value is not None}
    # New: created like a log (a request racing to create the same one gets the winner's, then merges into it).
    episode, created = _save_new(
        user, lambda: clean_episode(given, now, user=user, require_severity=False), client_id, "api", now)
    if created:
        return episode, True
    # Read again under a lock: two snapshots merging at once (a "Yes" and a stop reason) both stay in the union.
    _merge_into(locked(episode), clean_episode(given, now, partial=True, user=user), now)
    if remove:
        episode.symptoms = [code for code in episode.symptoms or [] if code not in remove]
    for name, value in clear_if.items():
        if getattr(episode, name) == value:
            setattr(episode, name, None)
    db.session.commit()
    return episode, False


def update_episode(user: User, episode_id: int, values: dict, now: datetime) -> Episode:
    episode = get_episode(user, episode_id, Action.CHANGE)
    owner = access.subject(user, episode.user_id, Scope.EPISODES, Action.CHANGE)  # the birth year that bounds a start
    for key, value in clean_episode(values, now, partial=True, user=owner).items():
        setattr(episode, key, value)
    episode.updated_at = now
    db.session.commit()
    return episode


def delete_episode(user: User, episode_id: int) -> None:
    """The episode, its follow-ups, its check-in reminders and their inbox entries: one commit."""
    episode = get_episode(user, episode_id, Action.CHANGE)
    forget_episode(user, episode)  # its check-in reminders and their inbox entries
    db.session.delete(episode)
    db.session.commit()


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


FOLLOW_UP_FIELDS = ("at", "severity", "status", "symptoms", "notes")


def add_follow_up(user: User, episode_id: int, values: dict, now: datetime, *, client_id: str | None = None) -> tuple[FollowUp, bool]:
    """Save a check-in on an episode (it is the episode's owner's, whoever writes it); with a client_id a replay
    returns the first one and False."""
    episode = get_episode(user, episode_id, Action.CHANGE)
    return save_once(
        lambda: FollowUp(episode_id=episode.id, user_id=episode.user_id, client_id=client_id, created_at=now,
                         **clean_follow_up(episode, values, now)),
        client_id,
        lambda key: db.session.scalar(select(FollowUp).where(FollowUp.episode_id == episode.id, FollowUp.client_id == key)),
    )


def clean_follow_up(episode: Episode, values: dict, now: datetime) -> dict:
    """Check a check-in on `episode`; raise ValidationError with every problem at once."""
    errors: dict[str, str] = {name: "unknown field" for name in sorted(set(values) - set(FOLLOW_UP_FIELDS))}
    at = values.get("at") or now
    if not isinstance(at, datetime) or at.tzinfo is None:
        errors["at"] = "must be a date and time with a UTC offset"
    elif at > now + CLOCK_SKEW:
        errors["at"] = f"can't be more than {CLOCK_SKEW.seconds // 60} minutes in the future"
    elif at < episode.started_at:
        errors["at"] = "can't be before the spasm started"
    severity = values.get("severity")
    if severity is not None and not _int_in(severity, *codes.SEVERITY_RANGE):
        errors["severity"] = "must be an integer from 0 to 10"
    status = values.get("status")
    if status not in codes.FOLLOW_UP_STATUSES:
        errors["status"] = "required: one of " + ", ".join(codes.FOLLOW_UP_STATUSES) if status is None else f"unknown code {status!r}"
    symptoms = _codes(values.get("symptoms"), codes.SYMPTOM_CODES, "symptoms", errors)
    notes = _text(values.get("notes"), limits.NOTES, "notes", errors)
    if errors:
        raise ValidationError(errors)
    return {"at": at, "severity": severity, "status": status, "symptoms": symptoms, "notes": notes}


def profile_of(user: User) -> triage.Profile:
    return triage.Profile(birth_year=user.birth_year, **{name: bool(getattr(user, name)) for name in RISK_FIELDS})


@lru_cache(maxsize=4096)
def _codes_from_json(raw: str) -> tuple[str, ...]:
    return tuple(json.loads(raw)) if raw else ()


def _code_tuple(value) -> tuple[str, ...]:
    """A stored code list as a tuple. Rows repeat a few lists ("[]", '["lower_back"]'): each text is decoded once."""
    if value is None:
        return ()
    return _codes_from_json(value) if isinstance(value, str) else tuple(value)


def _raw(column):
    # The JSON as text (a CAST in SQL, so neither SQLAlchemy nor psycopg decodes it), for _code_tuple to
    # decode each distinct list once.
    return cast(column, String).label(column.key)


def assess_user(user: User, now: datetime, *, subject: User | None = None) -> triage.Assessment:
    """The triage assessment of everything `subject` (None: the actor) logged up to `now` (later records are
    ignored by the rules), with their risk answers and in their zone: the assessment is part of the episodes scope."""
    whose = access.subject(user, subject, Scope.EPISODES)
    episodes = db.session.execute(
        select(
            Episode.id, Episode.started_at, Episode.trigger, Episode.during_exercise, _raw(Episode.locations), Episode.side,
            Episode.severity, Episode.locked_minutes, Episode.eased_by_stretch, _raw(Episode.symptoms),
        ).where(access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id))
    ).all()
    follow_ups = db.session.execute(
        select(FollowUp.id, FollowUp.episode_id, FollowUp.at, FollowUp.severity, FollowUp.status, _raw(FollowUp.symptoms)).where(
            access.rows(user, FollowUp, Scope.EPISODES, subject_id=whose.id)
        )
    ).all()
    return triage.assess(
        [
            triage.Episode(
                id=row.id, started_at=row.started_at, trigger=row.trigger, during_exercise=row.during_exercise,
                locations=_code_tuple(row.locations), side=row.side, severity=row.severity,
                locked_minutes=row.locked_minutes, eased_by_stretch=row.eased_by_stretch,
                symptoms=_code_tuple(row.symptoms),
            )
            for row in episodes
        ],
        [
            triage.FollowUp(
                id=row.id, episode_id=row.episode_id, at=row.at, severity=row.severity, status=row.status,
                symptoms=_code_tuple(row.symptoms),
            )
            for row in follow_ups
        ],
        profile_of(whose),
        now,
        whose.timezone,
        on_day,
    )


def episodes_to_export(user: User, *, subject: User | None = None) -> tuple[list[Episode], list[FollowUp]]:
    """This person's episodes and follow-ups for the data export, oldest first."""
    mine = access.subject(user, subject, Scope.EPISODES).id
    episodes = db.session.scalars(select(Episode).where(access.rows(user, Episode, Scope.EPISODES, subject_id=mine)).order_by(Episode.started_at)).all()
    follow_ups = db.session.scalars(select(FollowUp).where(access.rows(user, FollowUp, Scope.EPISODES, subject_id=mine)).order_by(FollowUp.at)).all()
    return list(episodes), list(follow_ups)
