"""A trainer's own routines: build one, save drafts, publish versions to assigned clients, delete; and what the
routine player needs to play a published version or preview a working copy.

The routine's row and steps are the working copy the trainer edits; each published version is a RoutineVersion
snapshot, and every active assignment plays the version it carries (moved on only by publish). Sessions are never
touched here: a played session keeps the version it played."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from .. import access
from ..access import Action, Scope
from ..content import KINDS
from ..content.medication_words import medication_words_in
from ..content.model import Step as PlayStep
from ..domain import limits
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..formats import number
from ..models import MAX_ID, Assignment, Reminder, Routine, RoutineStep, RoutineVersion, User
from ..routines.service import add_made_routine, stop_rules

FIELDS = ("title", "kind", "summary", "steps")
STEP_FIELDS = ("title", "instruction", "seconds", "optional", "stock_step")
NOT_FOUND = "No such routine."


# ---------------------------------------------------------------- validation
def _text(value, path: str, limit: int, errors: dict, *, required: bool) -> str:
    """The text on one line (runs of white space made one space), or "" with the reason in `errors`."""
    if value is None:
        if required:
            errors[path] = "required"
        return ""
    if not isinstance(value, str):
        errors[path] = "must be text"
        return ""
    text = " ".join(value.split())
    if any(ord(ch) < 32 for ch in text):
        errors[path] = "must not contain control characters"
    elif len(text) > limit:
        errors[path] = limits.too_long(len(text), limit, number)
    elif required and not text:
        errors[path] = "must not be empty"
    elif found := medication_words_in(text):
        errors[path] = f"names a medicine ({found[0]}); the app never does"
    return text


def _stock_step(value) -> RoutineStep | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
        return None
    return db.session.scalar(select(RoutineStep).join(Routine).where(RoutineStep.id == value, Routine.is_stock.is_(True)))


def _clean_step(raw, path: str, errors: dict) -> dict:
    if not isinstance(raw, dict):
        errors[path] = "must be an object"
        return {}
    for name in sorted(set(raw) - set(STEP_FIELDS)):
        errors[f"{path}.{name}"] = "unknown field"
    raw = dict(raw)
    stock, note = None, None
    if raw.get("stock_step") is not None:
        stock = _stock_step(raw["stock_step"])
        if stock is None:
            errors[f"{path}.stock_step"] = "no such stock step"
        else:  # the stock step's words and time, unless this step gives its own
            for name in ("title", "instruction", "seconds"):
                if raw.get(name) in (None, ""):
                    raw[name] = getattr(stock, name)
            if raw.get("optional") is None:
                raw["optional"] = stock.optional
    step = {
        "title": _text(raw.get("title"), f"{path}.title", limits.STEP_TITLE, errors, required=True),
        "instruction": _text(raw.get("instruction"), f"{path}.instruction", limits.STEP_INSTRUCTION, errors,
                             required=True),
    }
    seconds = raw.get("seconds")
    if type(seconds) is not int or not 1 <= seconds <= limits.STEP_SECONDS:
        errors[f"{path}.seconds"] = ("required" if seconds is None
                                     else f"must be a whole number of seconds from 1 to {number(limits.STEP_SECONDS)}")
    step["seconds"] = seconds
    optional = raw.get("optional", False)
    if optional is None:
        optional = False
    if not isinstance(optional, bool):
        errors[f"{path}.optional"] = "must be true or false"
    step["optional"] = optional
    if stock is not None and stock.note and step["instruction"] == stock.instruction:
        note = stock.note  # where the stock advice comes from, while it is the stock advice
    step["note"] = note
    return step


def clean_routine(data, current: Routine | None = None) -> dict:
    """Every rule at once (errors keyed like the API's: 'title', 'steps', 'steps.0.seconds'); with `current`,
    fields left out keep the working copy's value."""
    if not isinstance(data, dict):
        raise ValidationError({"body": "must be a JSON object"})
    errors = {name: "unknown field" for name in sorted(set(data) - set(FIELDS))}
    clean: dict = {}
    if current is None or "title" in data:
        clean["title"] = _text(data.get("title"), "title", limits.ROUTINE_TITLE, errors, required=True)
    if current is None or "kind" in data:
        if data.get("kind") not in KINDS:
            errors["kind"] = "must be one of: " + ", ".join(KINDS)
        clean["kind"] = data.get("kind")
    if current is None or "summary" in data:
        clean["summary"] = _text(data.get("summary"), "summary", limits.ROUTINE_SUMMARY, errors, required=False)
    if current is None or "steps" in data:
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            errors["steps"] = "add at least one step"
            raw_steps = []
        elif len(raw_steps) > limits.ROUTINE_STEPS:
            errors["steps"] = f"at most {limits.ROUTINE_STEPS} steps"
            raw_steps = []
        steps = [_clean_step(raw, f"steps.{i}", errors) for i, raw in enumerate(raw_steps)]
        if steps and all(step.get("optional") is True for step in steps) and "steps" not in errors:
            errors["steps"] = "at least one step must not be optional"
        clean["steps"] = steps
    if errors:
        raise ValidationError(errors)
    return clean


# ---------------------------------------------------------------- the working copy and its versions
def _apply(routine: Routine, clean: dict) -> None:
    for name in ("title", "kind", "summary"):
        if name in clean:
            setattr(routine, name, clean[name])
    if "steps" not in clean:
        return
    # Rows are changed in place by position (the unique (routine, position) index never sees two at once).
    for position, values in enumerate(clean["steps"], start=1):
        if position <= len(routine.steps):
            step = routine.steps[position - 1]
        else:
            step = RoutineStep(position=position)
            routine.steps.append(step)
        for name, value in values.items():
            setattr(step, name, value)
    del routine.steps[len(clean["steps"]):]


def snapshot(routine: Routine) -> list[dict]:
    """The working copy's steps as a version stores them, in play order."""
    return [{"position": step.position, "title": step.title, "instruction": step.instruction,
             "seconds": step.seconds, "optional": bool(step.optional), "note": step.note}
            for step in sorted(routine.steps, key=lambda s: s.position)]


def latest_version(routine: Routine) -> RoutineVersion | None:
    return db.session.scalar(select(RoutineVersion).where(
        RoutineVersion.routine_id == routine.id, RoutineVersion.version == routine.version))


def _differs(routine: Routine) -> bool:
    published = latest_version(routine)
    return published is None or (published.title, published.kind, published.summary, published.steps) != (
        routine.title, routine.kind, routine.summary, snapshot(routine))


def _write_version(routine: Routine, version: int, now: datetime) -> RoutineVersion:
    row = RoutineVersion(routine_id=routine.id, version=version, title=routine.title, kind=routine.kind,
                         summary=routine.summary, steps=snapshot(routine), published_at=now)
    db.session.add(row)
    return row


def _mine(actor: User):
    return access.rows(actor, Routine, Scope.ROUTINES, subject_id=access.subject(actor, None, Scope.ROUTINES).id)


def create_routine(actor: User, data, now: datetime) -> Routine:
    """A new routine of the trainer's, published at once as version 1 (what an assignment of it plays)."""
    access.require_role(actor, "trainer")
    clean = clean_routine(data)
    count = db.session.scalar(select(func.count()).select_from(Routine).where(_mine(actor)))
    if count >= limits.ROUTINES_PER_TRAINER:
        raise ValidationError({"routines": f"at most {limits.ROUTINES_PER_TRAINER} routines; delete one first"})
    routine = Routine(sources=[], evidence=[], next=[], version=1, has_draft=False, created_at=now, updated_at=now)
    _apply(routine, clean)
    add_made_routine(actor, routine)
    _write_version(routine, 1, now)
    db.session.commit()
    return routine


def list_routines(actor: User) -> list[Routine]:
    """The trainer's routines, newest first."""
    access.require_role(actor, "trainer")
    query = select(Routine).where(_mine(actor)).options(selectinload(Routine.steps))
    return list(db.session.scalars(query.order_by(Routine.created_at.desc(), Routine.id.desc())))


def get_routine(actor: User, routine_id, action: Action = Action.READ) -> Routine:
    """One of the trainer's routines (its working copy); NotFound for anyone else's, stock ones included."""
    access.require_role(actor, "trainer")
    return access.get(actor, Routine, routine_id, Scope.ROUTINES, action, message=NOT_FOUND)


def save_draft(actor: User, routine_id, data, now: datetime) -> Routine:
    """Change the working copy; assigned clients keep playing their version until the trainer publishes."""
    routine = get_routine(actor, routine_id, Action.CHANGE)
    _apply(routine, clean_routine(data, current=routine))
    db.session.flush()
    routine.has_draft = _differs(routine)
    routine.updated_at = now
    db.session.commit()
    return routine


def _active_assignments(actor: User, routine: Routine):
    return (access.rows(actor, Assignment, Scope.COACHING), Assignment.routine_id == routine.id,
            Assignment.ended_at.is_(None))


def clients_of(actor: User, routine_id) -> list[User]:
    """The clients whose active assignments play this routine (who would get a new version), by name."""
    routine = get_routine(actor, routine_id)
    ids = select(Assignment.client_id).where(*_active_assignments(actor, routine))
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.display_name, User.id)))


def clients_by_routine(actor: User) -> dict[int, list[User]]:
    """Routine id -> the clients who play it now (active assignments), by name, for the trainer's list: one query."""
    access.require_role(actor, "trainer")
    rows = db.session.execute(
        select(Assignment.routine_id, User).join(User, User.id == Assignment.client_id)
        .where(access.rows(actor, Assignment, Scope.COACHING), Assignment.ended_at.is_(None))
        .order_by(User.display_name, User.id))
    found: dict[int, list[User]] = {}
    for routine_id, user in rows:
        if user not in found.setdefault(routine_id, []):
            found[routine_id].append(user)
    return found


def publish(actor: User, routine_id, data=None, *, now: datetime) -> tuple[Routine, list[User]]:
    """Publish the working copy (changed by `data` first, when given) as the next version and move every active
    assignment of the routine onto it; returns the routine and the clients who get it. Ended assignments and
    played sessions keep the version they had. Conflict when there is nothing new to publish."""
    routine = get_routine(actor, routine_id, Action.CHANGE)
    if data is not None:
        _apply(routine, clean_routine(data, current=routine))
        db.session.flush()
    elif not routine.has_draft:
        raise Conflict("Nothing to publish: this routine has no unpublished changes.")
    clients = clients_of(actor, routine.id)
    routine.version += 1
    routine.has_draft = False
    routine.updated_at = now
    _write_version(routine, routine.version, now)
    db.session.execute(update(Assignment).where(*_active_assignments(actor, routine))
                       .values(routine_version=routine.version).execution_options(synchronize_session=False))
    # The clients' reminders of it carry the new title (push and inbox say what they will play).
    running = select(Assignment.id).where(*_active_assignments(actor, routine))
    db.session.execute(update(Reminder).where(Reminder.assignment_id.in_(running))
                       .values(title=routine.title, updated_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    return routine, clients


def delete_routine(actor: User, routine_id, now: datetime) -> None:
    """Delete a routine: its running assignments end and their reminders go; sessions played keep their slug
    and title (their routine link becomes NULL)."""
    routine = get_routine(actor, routine_id, Action.CHANGE)
    running = select(Assignment.id).where(*_active_assignments(actor, routine))
    db.session.execute(delete(Reminder).where(Reminder.assignment_id.in_(running))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Assignment).where(*_active_assignments(actor, routine)).values(ended_at=now)
                       .execution_options(synchronize_session=False))
    db.session.delete(routine)
    db.session.commit()


# ---------------------------------------------------------------- the library and the player
@dataclass(frozen=True)
class StockStep:
    id: int
    title: str
    instruction: str
    seconds: int
    optional: bool
    routine_title: str


def stock_steps() -> list[StockStep]:
    """Every step of the stock routines to pick from, in the library's order."""
    rows = db.session.execute(
        select(RoutineStep, Routine.title).join(Routine).where(Routine.is_stock.is_(True))
        .order_by(Routine.position.is_(None), Routine.position, Routine.title, RoutineStep.position))
    return [StockStep(step.id, step.title, step.instruction, step.seconds, bool(step.optional), title)
            for step, title in rows]


@dataclass(frozen=True)
class PlayRoutine:
    """What templates/relief/player.html reads of a routine, from a working copy or a published version."""

    slug: str
    title: str
    kind: str
    summary: str
    steps: tuple[PlayStep, ...]  # the content library's step shape
    next: tuple[str, ...] = ()

    @property
    def total_seconds(self) -> int:
        return sum(step.seconds for step in self.steps if not step.optional)


def play_context(source: Routine | RoutineVersion, *, assignment: Assignment | None = None,
                 preview: bool | None = None) -> dict:
    """The routine's part of the player's template context, for a RoutineVersion (what an assignment plays) or a
    Routine's working copy (a preview, which records nothing unless `preview=False`). With an assignment, the
    session the player records carries its id and version. Render it with coach.relief.routes.player_page."""
    routine = source.routine if isinstance(source, RoutineVersion) else source
    steps = source.steps if isinstance(source, RoutineVersion) else snapshot(source)
    play = PlayRoutine(slug=routine.slug, title=source.title, kind=source.kind, summary=source.summary or "",
                       steps=tuple(PlayStep(**{k: s.get(k) for k in ("position", "title", "instruction", "seconds")},
                                            optional=bool(s.get("optional")), note=s.get("note")) for s in steps))
    version = source.version if isinstance(source, RoutineVersion) else None
    if assignment is not None:
        version = assignment.routine_version
    return {
        "routine": play, "stop_rules": stop_rules(), "next_routines": [],
        "assignment_id": assignment.id if assignment is not None else None,
        "routine_version": version,
        "preview": isinstance(source, Routine) if preview is None else preview,
    }
