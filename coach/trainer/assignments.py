"""Assignments: a trainer's routine given to clients on a schedule, with each client's own reminder on the
client's clock; pauses (by either side, never with a reason) and ending; what a client sees as "Assigned to me"."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, tuple_
from sqlalchemy.orm import aliased, selectinload

from .. import access
from ..access import Action, Scope
from ..domain import limits
from ..domain.schedule import Once, ScheduleError, parse_schedule, schedule_to_dict
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..formats import number
from ..models import MAX_ID, Assignment, AssignmentPause, Reminder, Routine, RoutineVersion, TrainerLink, User
from ..reminders.service import compute_next

NOT_FOUND = "No such assignment."
PATCH_FIELDS = ("schedule", "note", "paused")


@dataclass(frozen=True)
class AssignmentRow:
    """One assignment as the lists show it: the row, its routine, both people's names and the next reminder."""

    assignment: Assignment
    routine: str  # the routine's slug
    routine_title: str
    client_name: str
    client_tz: str  # the client's zone: the schedule's wall times are on this clock
    trainer_name: str
    next_fire_at: datetime | None

    def __getattr__(self, name):  # id, client_id, schedule, note, paused, ... read through to the row
        return getattr(self.assignment, name)


# ---------------------------------------------------------------- checks
def _trainer(actor: User) -> None:
    access.require_role(actor, "trainer")


def assignable(actor: User):
    """SQL on Routine: what a trainer may assign: a routine they made (may change) or a stock one."""
    return or_(access.routines(actor, Action.CHANGE), Routine.is_stock.is_(True))


def assignable_routines(actor: User) -> list[Routine]:
    """The trainer's own routines first, then the stock ones, by title: the assign form's choice."""
    _trainer(actor)
    query = select(Routine).where(assignable(actor)).order_by(Routine.is_stock, Routine.position, Routine.title)
    return list(db.session.scalars(query))


def _note(value, errors: dict) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors["note"] = "must be text"
        return None
    value = "\n".join(" ".join(line.split()) for line in value.strip().splitlines()).strip()
    if len(value) > limits.ASSIGNMENT_NOTE:
        errors["note"] = limits.too_long(len(value), limits.ASSIGNMENT_NOTE, number)
    return value or None


def _schedule(value, now: datetime, errors: dict) -> dict | None:
    try:
        schedule = parse_schedule(value)
    except ScheduleError as error:
        errors.update(error.fields)
        return None
    if isinstance(schedule, Once) and schedule.at <= now:
        errors["schedule.at"] = "must be in the future"
        return None
    return schedule_to_dict(schedule)


def _client_ids(client_ids) -> list[int]:
    if not isinstance(client_ids, list | tuple) or not client_ids:
        raise ValidationError({"client_id": "choose at least one client"})
    if len(client_ids) > limits.ASSIGNMENT_CLIENTS:
        raise ValidationError({"client_ids": f"at most {limits.ASSIGNMENT_CLIENTS} clients at once"})
    return list(dict.fromkeys(client_ids))


def _full(actor: User, clients: list[User]) -> list[User]:
    """The clients who already have as many running assignments from this trainer as one may have."""
    counts = dict(db.session.execute(
        select(Assignment.client_id, func.count()).where(
            access.rows(actor, Assignment, Scope.COACHING), Assignment.ended_at.is_(None),
            Assignment.client_id.in_([c.id for c in clients])).group_by(Assignment.client_id)).all())
    return [c for c in clients if counts.get(c.id, 0) >= limits.ASSIGNMENTS_PER_CLIENT]


def _reminder_body(note: str | None, trainer: User) -> str:
    text = " ".join((note or f"From {trainer.display_name}").split())
    return text if len(text) <= limits.REMINDER_BODY else text[:limits.REMINDER_BODY - 1].rstrip() + "…"


# ---------------------------------------------------------------- the trainer's side
def create_assignments(actor: User, client_ids, routine_slug, schedule, note, now: datetime) -> list[Assignment]:
    """Give one routine to each of these clients on one schedule, each with their own reminder in their own zone
    and quiet hours. Every client must be linked to the trainer now (NotFound otherwise); nothing is made unless
    everything is right."""
    _trainer(actor)
    clients = [access.subject(actor, cid, Scope.SESSIONS, message="No such client.") for cid in _client_ids(client_ids)]
    errors: dict[str, str] = {}
    routine = None
    if not isinstance(routine_slug, str) or not routine_slug:
        errors["routine"] = "required: the slug of one of your routines or a stock routine"
    else:
        routine = db.session.scalar(select(Routine).where(Routine.slug == routine_slug, assignable(actor)))
        if routine is None:
            errors["routine"] = "no such routine among yours or the stock ones"
    clean_schedule = _schedule(schedule, now, errors)
    clean_note = _note(note, errors)
    full = _full(actor, clients)
    if full:
        errors["client_id"] = (f"{full[0].display_name} already has {limits.ASSIGNMENTS_PER_CLIENT} routines from you;"
                               " end one first")
    if errors:
        raise ValidationError(errors)
    made = []
    for client in clients:
        assignment = Assignment(trainer_id=actor.id, client_id=client.id, routine_id=routine.id,
                                routine_version=routine.version, schedule=clean_schedule, note=clean_note,
                                paused=False, created_at=now, updated_at=now)
        db.session.add(assignment)
        db.session.flush()
        db.session.add(Reminder(
            user_id=client.id, kind="routine", routine_id=routine.id, assignment_id=assignment.id,
            schedule=clean_schedule, title=routine.title[:limits.REMINDER_TITLE],
            body=_reminder_body(clean_note, actor), enabled=True, created_at=now, updated_at=now,
            next_fire_at=compute_next(clean_schedule, client, now),
        ))
        made.append(assignment)
    db.session.commit()
    return made


def get(actor: User, assignment_id) -> Assignment:
    """The trainer's own assignment (running or ended); NotFound for anyone else's."""
    _trainer(actor)
    return access.get(actor, Assignment, assignment_id, Scope.COACHING, Action.CHANGE, message=NOT_FOUND)


def _rows(where, *, with_pauses: bool = False, newest_first: bool = True) -> list[AssignmentRow]:
    """Assignments with their routine, both names and the next reminder: one statement (two with pauses)."""
    client, trainer = aliased(User), aliased(User)
    query = (
        # The title of the version the client plays (a stock routine has no versions: its own title).
        select(Assignment, Routine.slug, func.coalesce(RoutineVersion.title, Routine.title), client.display_name,
               client.timezone, trainer.display_name, Reminder.next_fire_at)
        .join(Routine, Routine.id == Assignment.routine_id)
        .outerjoin(RoutineVersion, and_(RoutineVersion.routine_id == Assignment.routine_id,
                                        RoutineVersion.version == Assignment.routine_version))
        .join(client, client.id == Assignment.client_id)
        .join(trainer, trainer.id == Assignment.trainer_id)
        .outerjoin(Reminder, Reminder.assignment_id == Assignment.id)
        .where(*where)
        .order_by(Assignment.created_at.desc() if newest_first else Assignment.created_at, Assignment.id.desc())
    )
    if with_pauses:
        query = query.options(selectinload(Assignment.pauses))
    return [AssignmentRow(*row) for row in db.session.execute(query)]


def _linked_clients(actor: User):
    """SQL: the trainer's clients through an active link (the trainer's own link rows, COACHING)."""
    return select(TrainerLink.client_id).where(access.rows(actor, TrainerLink, Scope.COACHING),
                                               TrainerLink.ended_at.is_(None))


def linked_clients(actor: User) -> list[User]:
    """The trainer's clients through an active link: whom the assign form offers."""
    _trainer(actor)
    return list(db.session.scalars(select(User).where(User.id.in_(_linked_clients(actor)))))


def list_for_trainer(actor: User, client_id: int | None = None) -> list[AssignmentRow]:
    """The trainer's running assignments, newest first; with `client_id`, that linked client's (NotFound else)."""
    _trainer(actor)
    where = [access.rows(actor, Assignment, Scope.COACHING), Assignment.ended_at.is_(None),
             Assignment.client_id.in_(_linked_clients(actor))]
    if client_id is not None:
        client = access.subject(actor, client_id, Scope.SESSIONS, message="No such client.")
        where.append(Assignment.client_id == client.id)
    return _rows(where)


def list_for_clients(trainer: User, client_ids, *, since: datetime | None = None,
                     with_pauses: bool = False) -> list[AssignmentRow]:
    """The trainer's assignments of these clients (linked now) in one statement, for the client list: running
    ones, and with `since` also those ended after it (adherence counts what was due before they ended).
    `with_pauses` loads every pause too (one more statement, whatever the number of clients)."""
    _trainer(trainer)
    ids = list(client_ids)
    if not ids:
        return []
    running = Assignment.ended_at.is_(None) if since is None else or_(Assignment.ended_at.is_(None),
                                                                     Assignment.ended_at >= since)
    where = [access.rows(trainer, Assignment, Scope.COACHING), running, Assignment.client_id.in_(ids),
             Assignment.client_id.in_(_linked_clients(trainer))]
    return _rows(where, with_pauses=with_pauses, newest_first=False)


def row_of(assignment: Assignment) -> AssignmentRow:
    """One assignment, already reached through access (get, _assigned), as the lists show it."""
    rows = _rows([Assignment.id == assignment.id])
    if not rows:
        raise NotFound(NOT_FOUND)
    return rows[0]


def _running(assignment: Assignment) -> Assignment:
    if assignment.ended_at is not None:
        raise NotFound(NOT_FOUND)
    return assignment


def _reminder(assignment: Assignment) -> Reminder | None:
    return db.session.scalar(select(Reminder).where(Reminder.assignment_id == assignment.id))


def _client_of(actor: User, assignment: Assignment) -> User:
    """The assignment's client, on whose clock its reminder runs: the actor, or the trainer's linked client."""
    return access.subject(actor, assignment.client_id, Scope.SESSIONS, message=NOT_FOUND)


def _reschedule(assignment: Assignment, client: User, now: datetime) -> None:
    reminder = _reminder(assignment)
    if reminder is None:
        return
    reminder.schedule = assignment.schedule
    reminder.enabled = not assignment.paused
    reminder.next_fire_at = compute_next(assignment.schedule, client, now) if reminder.enabled else None
    reminder.updated_at = now


def update(actor: User, assignment_id, values: dict, now: datetime) -> Assignment:
    """Change a running assignment's schedule, note or pause (fields left out stay); its reminder follows."""
    assignment = _running(get(actor, assignment_id))
    client = _client_of(actor, assignment)
    errors = {name: "unknown field" for name in sorted(set(values) - set(PATCH_FIELDS))}
    clean: dict = {}
    if "schedule" in values:
        clean["schedule"] = _schedule(values["schedule"], now, errors)
    if "note" in values:
        clean["note"] = _note(values["note"], errors)
    paused = values.get("paused")
    if "paused" in values and not isinstance(paused, bool):
        errors["paused"] = "must be true or false"
    if errors:
        raise ValidationError(errors)
    for key, value in clean.items():
        setattr(assignment, key, value)
    assignment.updated_at = now
    if "note" in clean and (reminder := _reminder(assignment)) is not None:
        reminder.body = _reminder_body(clean["note"], actor)
    if "paused" in values and paused != assignment.paused:
        _pause(assignment, paused, "trainer", now)
    _reschedule(assignment, client, now)
    db.session.commit()
    return assignment


def end(actor: User, assignment_id, now: datetime) -> Assignment:
    """End a running assignment (the client's reminder goes; sessions already played stay theirs)."""
    assignment = _running(get(actor, assignment_id))
    assignment.ended_at = assignment.updated_at = now
    for pause in assignment.pauses:
        if pause.ended_at is None:
            pause.ended_at = now
    db.session.execute(delete(Reminder).where(Reminder.assignment_id == assignment.id))
    db.session.commit()
    return assignment


# ---------------------------------------------------------------- pauses (either side)
def _pause(assignment: Assignment, paused: bool, by: str, now: datetime) -> None:
    """Open or close the pause row. A pause is resumed by whoever made it: a client's pause excuses their days,
    a trainer's stops the routine; neither side undoes the other's (the trainer may still end it)."""
    open_pause = next((p for p in assignment.pauses if p.ended_at is None), None)
    if paused:
        if open_pause is None:
            assignment.pauses.append(AssignmentPause(started_at=now, by=by))
        assignment.paused = True
        return
    if open_pause is not None and open_pause.by != by:
        raise Conflict("Your trainer paused this routine; they can resume it." if by == "client"
                       else "Your client paused this routine; they can resume it, or you can end it.")
    if open_pause is not None:
        open_pause.ended_at = now
    assignment.paused = False


def _assigned(actor: User, assignment_id) -> Assignment:
    """A running assignment of the actor as a client, from a trainer they are linked to now; NotFound else."""
    if not isinstance(assignment_id, int) or isinstance(assignment_id, bool) or not 0 < assignment_id <= MAX_ID:
        raise NotFound(NOT_FOUND)
    found = db.session.scalar(select(Assignment).where(Assignment.id == assignment_id, access.assigned(actor)))
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def set_paused(actor: User, assignment_id, paused: bool, by: str, now: datetime) -> Assignment:
    """Pause or resume, by the trainer (`by="trainer"`, their own assignment) or by the client (`by="client"`,
    one assigned to them). The reminder is off while paused and gets its next time on resuming."""
    if not isinstance(paused, bool):
        raise ValidationError({"paused": "must be true or false"})
    if by == "trainer":
        assignment = _running(get(actor, assignment_id))
    elif by == "client":
        assignment = _assigned(actor, assignment_id)
    else:
        raise ValueError(f"by must be client or trainer, not {by!r}")
    client = _client_of(actor, assignment)
    if paused != assignment.paused:
        _pause(assignment, paused, by, now)
        assignment.updated_at = now
        _reschedule(assignment, client, now)
    db.session.commit()
    return assignment


# ---------------------------------------------------------------- the client's side
def list_assigned(actor: User) -> list[AssignmentRow]:
    """What is assigned to the actor now (running, paused or not, from trainers they are linked to), newest first."""
    return _rows([access.assigned(actor)])


def get_assigned(actor: User, assignment_id) -> AssignmentRow:
    return row_of(_assigned(actor, assignment_id))


def version_of(assignment: Assignment) -> RoutineVersion | Routine:
    """What the assignment plays: the published version it carries (a routine someone made), or the stock routine
    itself (stock routines are version 1 and have no version rows)."""
    snapshot = db.session.scalar(select(RoutineVersion).where(
        RoutineVersion.routine_id == assignment.routine_id, RoutineVersion.version == assignment.routine_version))
    if snapshot is not None:
        return snapshot
    routine = db.session.scalar(select(Routine).where(Routine.id == assignment.routine_id)
                                .options(selectinload(Routine.steps)))
    if routine is None:
        raise NotFound(NOT_FOUND)
    return routine


def versions_of(assignments) -> dict[int, RoutineVersion | Routine]:
    """version_of for many assignments in two statements (the API's list), by assignment id."""
    assignments = list(assignments)
    if not assignments:
        return {}
    keys = {(a.routine_id, a.routine_version) for a in assignments}
    found = {(v.routine_id, v.version): v for v in db.session.scalars(select(RoutineVersion).where(
        tuple_(RoutineVersion.routine_id, RoutineVersion.version).in_(sorted(keys))))}
    missing = {a.routine_id for a in assignments if (a.routine_id, a.routine_version) not in found}
    routines = {r.id: r for r in db.session.scalars(select(Routine).where(Routine.id.in_(missing))
                                                    .options(selectinload(Routine.steps)))} if missing else {}
    return {a.id: found.get((a.routine_id, a.routine_version)) or routines[a.routine_id] for a in assignments}
