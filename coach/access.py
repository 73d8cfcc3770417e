"""Who may read or change what: the one place that answers it.

Every service asks here before it reads or changes a person's data; none compares owner ids itself. A question
has three parts: the actor (the signed-in person, or None when signed out), the subject (whose data: a user id)
and a scope (which part of that person's data). The answer comes from one table, RULES, keyed by how the actor
relates to the subject: the person themself, their trainer through an active link (with or without the
client's consent to share episodes), anyone else, or no one signed in. Every service that reads or writes a
person's data takes the actor and, keyword-only, the subject (`subject=None`: the actor themself), asks
`subject()` for that person, and lists `rows(actor, Model, scope, subject_id=person.id)`.

A trainer's own records (invites, links to clients with their private notes, assignments) are the COACHING
scope, owned by the trainer. What a client sees of them (their links, what is assigned to them, the routines
assigned to them) comes from `client_links`, `assigned` and `routines` here.

Not allowed is NotFound (404) for data, so a stranger learns nothing about what exists, and Forbidden (403) for
a role (an athlete on a trainer endpoint), the same in pages and the API.
"""
from __future__ import annotations

import enum
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, false, or_, select

from .errors import Forbidden, NotFound, Unauthorized
from .extensions import db
from .models import MAX_ID, Assignment, Invite, Routine, TrainerLink, User

M = TypeVar("M")


class Scope(enum.StrEnum):
    """The parts of a person's data that access is granted for, each on its own."""

    PROFILE = "profile"  # the account: name, zone, country, risk answers, export
    SESSIONS = "sessions"  # routine sessions: what was played, pain before and after
    EPISODES = "episodes"  # the diary: episodes, check-ins, and the assessment and report made from them
    REMINDERS = "reminders"  # reminders and the inbox they fill
    ROUTINES = "routines"  # routines the person made (stock routines are everyone's: see STOCK)
    CREDENTIALS = "credentials"  # API tokens, push devices, the calendar feed's secret: the person's alone (SELF_ONLY)
    COACHING = "coaching"  # a trainer's invites, client links with their private notes, assignments (SELF_ONLY)


class Action(enum.StrEnum):
    READ = "read"
    CHANGE = "change"


class Relation(enum.StrEnum):
    """How the actor stands to the subject."""

    SELF = "self"
    LINKED_TRAINER = "linked_trainer"  # the subject's trainer, through an active link, without consent to share
    LINKED_TRAINER_CONSENT = "linked_trainer_consent"  # the same, while the client shares episodes
    OTHER = "other"  # another signed-in person with no link
    ANONYMOUS = "anonymous"  # signed out


READ_ONLY = frozenset({Action.READ})
ALL = frozenset(Action)
NOTHING: frozenset[Action] = frozenset()

# relation -> scope -> the actions allowed. Anything not listed is not allowed.
RULES: dict[Relation, dict[Scope, frozenset[Action]]] = {
    Relation.SELF: {scope: ALL for scope in Scope},
    # Sessions (what was played, for adherence) through the link alone; the diary and the assessment and report
    # made from it only while the client shares them. Never the profile (risk answers), reminders or inbox.
    Relation.LINKED_TRAINER: {Scope.SESSIONS: READ_ONLY},
    Relation.LINKED_TRAINER_CONSENT: {Scope.SESSIONS: READ_ONLY, Scope.EPISODES: READ_ONLY},
    Relation.OTHER: {},
    Relation.ANONYMOUS: {},
}
# Scopes no relation but SELF may ever be given: whoever holds them can sign in as the person, push to their
# phone or read their calendar. Never add one of these to another relation's row; allows() and rows() refuse
# them to anyone but the person themself whatever RULES says.
SELF_ONLY: frozenset[Scope] = frozenset({Scope.CREDENTIALS, Scope.COACHING})
# The relations a link gives, and which of them needs the client's consent.
TRAINER_RELATIONS = (Relation.LINKED_TRAINER, Relation.LINKED_TRAINER_CONSENT)

# Stock routines (is_stock, owner NULL) belong to no one: anyone may read them, signed in or not; no one changes them here.
STOCK: frozenset[Action] = READ_ONLY


def _signed_in(actor: User | None) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _active_links(trainer_id: int, consent: bool = False):
    """SQL: the ids of the trainer's clients through an active link (with `consent`, only those sharing)."""
    query = select(TrainerLink.client_id).where(TrainerLink.trainer_id == trainer_id, TrainerLink.ended_at.is_(None))
    return query.where(TrainerLink.share_episodes.is_(True)) if consent else query


def relation(actor: User | None, subject_id: int | None) -> Relation:
    if not _signed_in(actor):
        return Relation.ANONYMOUS
    if subject_id is not None and actor.id == subject_id:
        return Relation.SELF
    if subject_id is not None and actor.role == "trainer":
        share = db.session.execute(
            select(TrainerLink.share_episodes).where(
                TrainerLink.trainer_id == actor.id, TrainerLink.client_id == subject_id, TrainerLink.ended_at.is_(None))
        ).scalar_one_or_none()
        if share is not None:
            return Relation.LINKED_TRAINER_CONSENT if share else Relation.LINKED_TRAINER
    return Relation.OTHER


def allows(actor: User | None, subject_id: int | None, scope: Scope, action: Action = Action.READ) -> bool:
    """May `actor` do `action` on `subject_id`'s data in `scope`?"""
    rel = relation(actor, subject_id)
    if scope in SELF_ONLY and rel is not Relation.SELF:
        return False
    return action in RULES[rel].get(scope, NOTHING)


def require(actor: User | None, subject_id: int | None, scope: Scope, action: Action = Action.READ,
            message: str = "Not found.") -> None:
    """NotFound (404) unless allowed: the answer never tells a stranger that the data exists."""
    if not allows(actor, subject_id, scope, action):
        raise NotFound(message)


def _valid_id(ident) -> bool:
    """An id that can exist: an int (not a bool) the id columns can hold."""
    return isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= MAX_ID


def subject(actor: User | None, whose: User | int | None, scope: Scope, action: Action = Action.READ,
            message: str = "Not found.") -> User:
    """The person whose `scope` data a service reads or writes: the actor themself when `whose` is None, else
    that person (a User or a user id), if the actor may `action` it; NotFound (404) otherwise, also for a
    person who does not exist, so the answer never tells a stranger who has an account."""
    if whose is None:
        whose = actor
    subject_id = whose if isinstance(whose, int) else getattr(whose, "id", None)
    if not _valid_id(subject_id) or not allows(actor, subject_id, scope, action):
        raise NotFound(message)
    if isinstance(whose, int):
        whose = actor if relation(actor, whose) is Relation.SELF else db.session.get(User, whose)
        if whose is None:
            raise NotFound(message)
    return whose


def get(actor: User | None, model: type[M], ident, scope: Scope, action: Action = Action.READ,
        message: str = "Not found.") -> M:
    """The row of `model` with this id, if the actor may (by its owner column, as rows() reads it); NotFound
    otherwise, also for an id that cannot exist (not an int, or beyond what the database holds)."""
    row = db.session.get(model, ident) if _valid_id(ident) else None
    if row is None or not allows(actor, getattr(row, _owner(model).key), scope, action):
        raise NotFound(message)
    return row


def _subjects(actor: User | None, column, scope: Scope, action: Action) -> ColumnElement[bool]:
    """SQL: the owner column holds a subject whose `scope` data the actor may `action`: one term per relation
    that grants it (the actor themself; a trainer's linked clients, or only those sharing)."""
    if not _signed_in(actor):
        return false()
    terms = []
    if action in RULES[Relation.SELF].get(scope, NOTHING):
        terms.append(column == actor.id)
    if actor.role == "trainer" and scope not in SELF_ONLY:
        if action in RULES[Relation.LINKED_TRAINER].get(scope, NOTHING):
            terms.append(column.in_(_active_links(actor.id)))
        elif action in RULES[Relation.LINKED_TRAINER_CONSENT].get(scope, NOTHING):
            terms.append(column.in_(_active_links(actor.id, consent=True)))
    return or_(*terms) if terms else false()


def _owner(model):
    """The column naming whose row it is: `user_id`, a routine's `owner_id` (NULL for a stock one), or the
    trainer of a trainer's record (COACHING: invites, links, assignments)."""
    if model is Routine:
        return model.owner_id
    if model in (Invite, TrainerLink, Assignment):
        return model.trainer_id
    return model.user_id


def rows(actor: User | None, model, scope: Scope, action: Action = Action.READ,
         subject_id: int | None = None) -> ColumnElement[bool]:
    """SQL for a WHERE: the rows of `model` (by its `user_id`; a Routine by its owner, so never a stock one)
    the actor may `action` in `scope`; with `subject_id`, only that person's (and nothing when the actor may not).

    Lists and counts of a person's data pass `subject_id` (from subject()), so an actor who may see several
    people's data sees one person's at a time; without it, the rows of everyone the actor may reach, for a
    lookup by a key (an id, a client id, a device's endpoint). A SELF_ONLY scope is always the actor's own."""
    owner = _owner(model)
    if subject_id is None and scope in SELF_ONLY:
        subject_id = getattr(actor, "id", None)
    if subject_id is not None:
        return owner == subject_id if allows(actor, subject_id, scope, action) else false()
    return _subjects(actor, owner, scope, action)


def routines(actor: User | None, action: Action = Action.READ) -> ColumnElement[bool]:
    """SQL for a WHERE on Routine: the routines the actor may play (READ) or edit (CHANGE): stock ones to
    read, and their own. A trainer's routine reaches a client only through an assignment (`assigned`), as the
    published version it plays, never the working copy: so it is not in this set."""
    stock = Routine.is_stock.is_(True) if action in STOCK else false()
    return or_(stock, _subjects(actor, Routine.owner_id, Scope.ROUTINES, action))


def assigned(actor: User | None, *, ended_too: bool = False) -> ColumnElement[bool]:
    """SQL for a WHERE on Assignment: what is assigned to the actor as a client and still running (paused or
    not), from a trainer they are linked to now. The client may read these and pause or resume them.
    `ended_too`: also those that ended (the link or the assignment), only to file a session the client played
    before it ended and that reaches the server later (an offline phone's outbox); never to play or show one."""
    if not _signed_in(actor):
        return false()
    if ended_too:
        return Assignment.client_id == actor.id
    linked = select(TrainerLink.trainer_id).where(TrainerLink.client_id == actor.id, TrainerLink.ended_at.is_(None))
    return and_(Assignment.client_id == actor.id, Assignment.ended_at.is_(None), Assignment.trainer_id.in_(linked))


def client_links(actor: User | None) -> ColumnElement[bool]:
    """SQL for a WHERE on TrainerLink: the actor's own links as a client (to read, share or end). A trainer's
    side is `rows(actor, TrainerLink, Scope.COACHING)`."""
    if not _signed_in(actor):
        return false()
    return TrainerLink.client_id == actor.id


def watchers(subject_id: int, scope: Scope, action: Action = Action.READ):
    """SQL: the ids of the trainers who may `action` the subject's `scope` data now (whom to tell when a sharing
    client's assessment turns urgent). Only what RULES grants: EPISODES reaches only trainers with consent."""
    base = select(TrainerLink.trainer_id).where(TrainerLink.client_id == subject_id, TrainerLink.ended_at.is_(None))
    if action in RULES[Relation.LINKED_TRAINER].get(scope, NOTHING):
        return base
    if action in RULES[Relation.LINKED_TRAINER_CONSENT].get(scope, NOTHING):
        return base.where(TrainerLink.share_episodes.is_(True))
    return base.where(false())


def require_role(actor: User | None, role: str) -> None:
    """Unauthorized (401) when signed out; Forbidden (403) for a signed-in person without this role: a role is
    no secret, data is."""
    if not _signed_in(actor):
        raise Unauthorized("Sign in or send a valid bearer token.")
    if actor.role != role:
        raise Forbidden(f"This is for {role}s only.")


def table() -> list[tuple[str, str, str, bool]]:
    """Every (relation, scope, action, allowed): the table docs/ARCHITECTURE.md shows and the tests walk."""
    return [(rel.value, scope.value, action.value, action in RULES[rel].get(scope, NOTHING))
            for rel in Relation for scope in Scope for action in Action]


__all__ = ["Action", "Relation", "Scope", "RULES", "SELF_ONLY", "STOCK", "TRAINER_RELATIONS", "allows", "assigned",
           "client_links", "get", "relation", "require", "require_role", "routines", "rows", "subject", "table",
           "watchers"]
