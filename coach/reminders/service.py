"""Reminder services shared by the pages and the API: create, change, pause, delete, follow-ups."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import delete, func, select

from .. import access
from ..access import Action, Scope
from ..domain import limits
from ..domain.schedule import Once, QuietHours, ScheduleError, next_fire_time, parse_schedule, schedule_to_dict
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..formats import number
from ..idempotency import locked, save_once
from ..models import REMINDER_KINDS, Episode, Notification, Reminder, Routine, User
from ..pagination import keyset_page
from .tip_texts import tip_body

FIELDS = ("title", "body", "kind", "routine", "schedule", "enabled")
# CONTENT.md section 1 (the same milestones as the diary's prompts).
FOLLOW_UPS = (
    (timedelta(hours=24), "1 day"),
    (timedelta(hours=72), "3 days"),
    (timedelta(days=14), "2 weeks"),
    (timedelta(days=28), "4 weeks"),
)
# Posture and hydration reminders quote their tip instead (tip_texts.py, CONTENT.md section 4).
DEFAULT_BODIES = {
    "follow_up": "How is your back now? A 20-second check-in.",
}


# ---------------------------------------------------------------- pure helpers
def quiet_hours(user: User) -> QuietHours | None:
    if user.quiet_start is None or user.quiet_end is None:
        return None
    return QuietHours(user.quiet_start, user.quiet_end)


def compute_next(schedule: dict, user: User, after: datetime) -> datetime | None:
    return next_fire_time(parse_schedule(schedule), after, user.timezone, quiet_hours(user))


def target_url(kind: str, routine: str | None, episode_id: int | None, assignment_id: int | None = None) -> str:
    """The page a notification opens (a path on this site); `routine` is the routine's slug, None when the
    routine is gone (then the library, where the person finds another). A trainer's assignment opens its own
    player page, which plays the version assigned."""
    if kind == "routine" and assignment_id:
        return f"/assigned/{assignment_id}/play"
    if kind == "routine":
        return f"/routines/{routine}/play" if routine else "/routines"
    if kind == "follow_up":
        return f"/episodes/{episode_id}/follow-up" if episode_id else "/diary"
    if kind in ("posture", "hydration"):
        return f"/tips?category={kind}"
    return "/reminders/inbox"


def reminder_url(reminder: Reminder) -> str:
    return target_url(reminder.kind, reminder.routine_slug, reminder.episode_id, reminder.assignment_id)


def is_done(reminder: Reminder) -> bool:
    """A one-off that has fired: it reads "Done", not "Off" (the dispatcher clears `enabled` once nothing is left,
    but the person never switched it off, and switching it on cannot work: a new time is an edit)."""
    return (reminder.next_fire_at is None and reminder.last_fired_at is not None
            and (reminder.schedule or {}).get("type") == "once")


# ---------------------------------------------------------------- routines (which ones a person may play: access)
# Asked of access here, not of coach.routines.service: the routines pages import the level gate, which imports
# episodes, which imports this module, so that import would be a cycle (tests/unit/test_import_contracts.py).
def usable_routine(user: User, slug) -> Routine | None:
    """The routine this slug names if this person may play it, or None. People and the API name a routine by
    slug; the reminder stores its id."""
    if not isinstance(slug, str) or not slug:
        return None
    return db.session.scalar(select(Routine).where(Routine.slug == slug, access.routines(user)))


def routine_choices(user: User) -> list[tuple[str, str]]:
    """(slug, title) of every routine this person may play, by title: the form's choice."""
    rows = db.session.execute(select(Routine.slug, Routine.title).where(access.routines(user)).order_by(Routine.title))
    return [(slug, title) for slug, title in rows]


# ---------------------------------------------------------------- validation
def _text(values: dict, name: str, limit: int, errors: dict, *, required: bool) -> str | None:
    value = values.get(name)
    if value is None:
        if required:
            errors[name] = "required"
        return None
    if not isinstance(value, str):
        errors[name] = "must be text"
        return None
    value = " ".join(value.split())
    if len(value) > limit:
        errors[name] = limits.too_long(len(value), limit, number)
    elif required and not value:
        errors[name] = "must not be empty"
    return value or None


def clean_reminder(user: User, values: dict, now: datetime, current: Reminder | None = None) -> dict:
    """Every rule at once; `current` is the reminder being changed (then fields left out keep their value)."""
    errors = {name: "unknown field" for name in sorted(set(values) - set(FIELDS))}
    merged = {} if current is None else {
        "title": current.title, "body": current.body, "kind": current.kind, "routine": current.routine_slug,
        "schedule": current.schedule, "enabled": current.enabled,
    }
    merged.update({k: v for k, v in values.items() if k in FIELDS})
    clean: dict = {}
    if current is None or "title" in values:
        clean["title"] = _text(merged, "title", limits.REMINDER_TITLE, errors, required=True)
    if current is None or "body" in values:
        clean["body"] = _text(merged, "body", limits.REMINDER_BODY, errors, required=False)
    kind = merged.get("kind")
    if kind not in REMINDER_KINDS:
        errors["kind"] = "must be one of: " + ", ".join(REMINDER_KINDS)
    clean["kind"] = kind
    routine, slug = None, merged.get("routine")
    if current is not None and not {"kind", "routine"} & set(values):
        pass  # the routine is not being changed: a reminder whose routine was deleted can still be paused
    elif kind == "routine":
        if not isinstance(slug, str) or not slug:
            errors["routine"] = "required for a routine reminder: the routine's slug, e.g. floor-mobility"
        elif (routine := usable_routine(user, slug)) is None:
            errors["routine"] = "no such routine"
        clean["routine_id"] = routine.id if routine else None
    else:
        if slug is not None and "routine" in values:
            errors["routine"] = "only for routine reminders (kind routine)"
        clean["routine_id"] = None
    enabled = merged.get("enabled", True)
    if not isinstance(enabled, bool):
        errors["enabled"] = "must be true or false"
    clean["enabled"] = enabled
    try:
        schedule = parse_schedule(merged.get("schedule"))
    except ScheduleError as error:
        errors.update(error.fields)
        schedule = None
    if schedule is not None:
        clean["schedule"] = schedule_to_dict(schedule)
        if isinstance(schedule, Once) and enabled is True and schedule.at <= now and (
            current is None or "schedule" in values or (not current.enabled and values.get("enabled"))
        ):
            errors["schedule.at"] = "must be in the future"
    if errors:
        raise ValidationError(errors)
    if current is None and not clean.get("body"):
        kind = clean["kind"]
        clean["body"] = f"Time for {routine.title}."[:limits.REMINDER_BODY] if kind == "routine" else (tip_body(kind) or DEFAULT_BODIES.get(kind))
    return clean


def _reschedule(reminder: Reminder, user: User, now: datetime) -> None:
    reminder.next_fire_at = compute_next(reminder.schedule, user, now) if reminder.enabled else None


# ---------------------------------------------------------------- reminders
def get_reminder(user: User, reminder_id: int, action: Action = Action.READ) -> Reminder:
    return access.get(user, Reminder, reminder_id, Scope.REMINDERS, action, message="No such reminder.")


def create_reminder(user: User, values: dict, now: datetime, *, client_id: str | None = None,
                    subject: User | None = None) -> tuple[Reminder, bool]:
    """Save a reminder for `subject` (None: the actor) with its next fire time on their clock (a routine in it
    one they may play); with a client_id a replay returns the first one and False."""
    owner = access.subject(user, subject, Scope.REMINDERS, Action.CHANGE)
    theirs = access.rows(user, Reminder, Scope.REMINDERS, Action.CHANGE, subject_id=owner.id)

    def build() -> Reminder:
        clean = clean_reminder(owner, values, now)
        count = db.session.scalar(
            select(func.count()).select_from(Reminder).where(theirs, Reminder.kind != "follow_up")
        )
        if count >= limits.REMINDERS_PER_PERSON:
            raise ValidationError({"reminders": f"at most {limits.REMINDERS_PER_PERSON} reminders; delete one first"})
        reminder = Reminder(user_id=owner.id, client_id=client_id, created_at=now, updated_at=now, **clean)
        _reschedule(reminder, owner, now)
        return reminder

    return save_once(
        build, client_id,
        lambda key: db.session.scalar(select(Reminder).where(theirs, Reminder.client_id == key)),
    )


FROM_TRAINER = "This reminder comes with a routine your trainer assigned: pause or resume it under Assigned to me."


def _own(reminder: Reminder) -> Reminder:
    """A reminder the person may edit, switch or delete here: not one that carries out a trainer's assignment
    (that one follows the assignment: paused, resumed, changed or ended there), else Conflict (409)."""
    if reminder.assignment_id is not None:
        raise Conflict(FROM_TRAINER)
    return reminder


def update_reminder(user: User, reminder_id: int, values: dict, now: datetime) -> Reminder:
    reminder = locked(_own(get_reminder(user, reminder_id, Action.CHANGE)))  # a pause and a new time at once: both kept
    owner = access.subject(user, reminder.user_id, Scope.REMINDERS, Action.CHANGE)  # its clock and routines
    for key, value in clean_reminder(owner, values, now, current=reminder).items():
        setattr(reminder, key, value)
    reminder.updated_at = now
    _reschedule(reminder, owner, now)
    db.session.commit()
    return reminder


def set_enabled(user: User, reminder_id: int, enabled: bool, now: datetime) -> Reminder:
    return update_reminder(user, reminder_id, {"enabled": enabled}, now)


def delete_reminder(user: User, reminder_id: int) -> None:
    db.session.delete(_own(get_reminder(user, reminder_id, Action.CHANGE)))
    db.session.commit()


def list_reminders(user: User, *, subject: User | None = None, limit: int = limits.PAGE_SIZE,
                   cursor: str | None = None) -> tuple[list[Reminder], str | None]:
    """`subject`'s reminders (None: the actor's), newest first (by id; the cursor is the last id seen)."""
    whose = access.subject(user, subject, Scope.REMINDERS)
    query = select(Reminder).where(access.rows(user, Reminder, Scope.REMINDERS, subject_id=whose.id))
    return keyset_page(query, (Reminder.id,), limit, cursor)


def reminders_for_page(user: User, *, subject: User | None = None) -> tuple[list[Reminder], list[Reminder]]:
    """(`subject`'s (None: the actor's) own reminders, the next check-in of each logged spasm), soonest first,
    paused last. A spasm has up to four check-ins; listing them all would bury the reminders under identical cards."""
    whose = access.subject(user, subject, Scope.REMINDERS)
    rows = list(db.session.scalars(select(Reminder).where(access.rows(user, Reminder, Scope.REMINDERS, subject_id=whose.id))))
    rows.sort(key=lambda r: (r.next_fire_at is None, r.next_fire_at or r.created_at, r.id))
    own = [r for r in rows if r.kind != "follow_up"]
    check_ins, seen = [], set()
    for r in rows:
        if r.kind == "follow_up" and r.next_fire_at is not None and r.episode_id not in seen:
            seen.add(r.episode_id)
            check_ins.append(r)
    return own, check_ins


def episode_starts(user: User, episode_ids: list[int], *, subject: User | None = None) -> dict[int, datetime]:
    """When each of these episodes of `subject` (None: the actor) started: the check-in cards name their spasm."""
    whose = access.subject(user, subject, Scope.EPISODES)
    if not episode_ids:
        return {}
    rows = db.session.execute(
        select(Episode.id, Episode.started_at).where(access.rows(user, Episode, Scope.EPISODES, subject_id=whose.id),
                                                    Episode.id.in_(episode_ids)))
    return dict(rows.all())


def reschedule_user(user: User, now: datetime, *, subject: User | None = None) -> int:
    """After a change of `subject`'s (None: the actor's) time zone or quiet hours: every active reminder of
    theirs gets its next time again, on their clock."""
    whose = access.subject(user, subject, Scope.REMINDERS, Action.CHANGE)
    rows = list(db.session.scalars(select(Reminder).where(
        access.rows(user, Reminder, Scope.REMINDERS, Action.CHANGE, subject_id=whose.id), Reminder.enabled.is_(True))))
    for reminder in rows:
        _reschedule(reminder, whose, now)
    return len(rows)


def clean_quiet_hours(start, end) -> tuple[dict, dict]:
    """Both wall times or neither; they must differ. Returns (clean values, errors)."""
    errors: dict[str, str] = {}
    for name, value in (("quiet_start", start), ("quiet_end", end)):
        if value is not None and not isinstance(value, time):
            errors[name] = "use HH:MM, e.g. 22:00"
    if errors:
        return {}, errors
    if (start is None) != (end is None):
        errors["quiet_end" if end is None else "quiet_start"] = "set both the start and the end, or neither"
    elif start is not None and start.replace(second=0, microsecond=0) == end.replace(second=0, microsecond=0):
        errors["quiet_end"] = "must differ from the start"
    if errors:
        return {}, errors
    return {"quiet_start": _minute(start), "quiet_end": _minute(end)}, {}


def _minute(moment: time | None) -> time | None:
    return moment.replace(second=0, microsecond=0, tzinfo=None) if moment else None


# ---------------------------------------------------------------- follow-ups (hooks from the diary)
def schedule_follow_ups(user: User, episode, now: datetime) -> list[Reminder]:
    """Check-ins at 24 h, 72 h, 14 and 28 days after an episode starts; those already past are skipped. They are
    the episode's owner's (on their clock), part of the episode: whoever may change it makes them.
    Added to the session, not committed: the caller commits the episode and its check-ins at once."""
    owner = access.subject(user, episode.user_id, Scope.EPISODES, Action.CHANGE)
    made = []
    for offset, label in FOLLOW_UPS:
        at = episode.started_at + offset
        if at <= now:
            continue
        reminder = Reminder(
            user_id=owner.id, kind="follow_up", title="How is your back?", episode_id=episode.id,
            body=f"{label[0].upper()}{label[1:]} since your spasm: a 20-second check-in.",
            schedule=schedule_to_dict(Once(at)), enabled=True, created_at=now, updated_at=now,
        )
        _reschedule(reminder, owner, now)
        db.session.add(reminder)
        made.append(reminder)
    return made


def forget_episode(user: User, episode) -> None:
    """Before an episode is deleted: its check-ins go, and so do their inbox entries (their page is gone).
    They are part of the episode (its owner's, like schedule_follow_ups makes them): whoever may change it."""
    owner = access.subject(user, episode.user_id, Scope.EPISODES, Action.CHANGE).id
    ids = select(Reminder.id).where(access.rows(user, Reminder, Scope.EPISODES, Action.CHANGE, subject_id=owner),
                                    Reminder.episode_id == episode.id)
    db.session.execute(delete(Notification).where(access.rows(user, Notification, Scope.EPISODES, Action.CHANGE, subject_id=owner),
                                                  Notification.reminder_id.in_(ids)))
    db.session.execute(delete(Reminder).where(access.rows(user, Reminder, Scope.EPISODES, Action.CHANGE, subject_id=owner),
                                              Reminder.episode_id == episode.id))
