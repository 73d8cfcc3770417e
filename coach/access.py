"""Who may read or change what: the one place that answers it.

Every service asks here before it reads or changes a person's data; none compares owner ids itself. A question
has three parts: the actor (the signed-in person, or None when signed out), the subject (whose data: a user id)
and a scope (which part of that person's data). The answer comes from one table, RULES, keyed by how the actor
relates to the subject. Today there are two relations (the person themself, and anyone else); the trainer issue
adds "linked trainer" and "linked trainer with consent" as new relations here (in `relation`), with their rows in
RULES and their SQL in `_subjects`, and no service changes: every service that reads or writes a person's data
takes the actor and, keyword-only, the subject (`subject=None`: the actor themself), asks `subject()` for that
person, and lists `rows(actor, Model, scope, subject_id=person.id)` (tests/web/test_access_extends.py adds a
linked trainer by patching this module alone and walks the services).

Not allowed is NotFound (404) for data, so a stranger learns nothing about what exists, and Forbidden (403) for
a role (an athlete on a trainer endpoint), the same in pages and the API.
"""
from __future__ import annotations

import enum
from typing import TypeVar

from sqlalchemy import ColumnElement, false, or_

from .errors import Forbidden, NotFound, Unauthorized
from .extensions import db
from .models import MAX_ID, Routine, User

M = TypeVar("M")


class Scope(enum.StrEnum):
    """The parts of a person's data that access is granted for, each on its own."""

    PROFILE = "profile"  # the account: name, zone, country, risk answers, export
    SESSIONS = "sessions"  # routine sessions: what was played, pain before and after
    EPISODES = "episodes"  # the diary: episodes, check-ins, and the assessment and report made from them
    REMINDERS = "reminders"  # reminders and the inbox they fill
    ROUTINES = "routines"  # routines the person made (stock routines are everyone's: see STOCK)
    CREDENTIALS = "credentials"  # API tokens, push devices, the calendar feed's secret: the person's alone (SELF_ONLY)


class Action(enum.StrEnum):
    READ = "read"
    CHANGE = "change"


class Relation(enum.StrEnum):
    """How the actor stands to the subject; the trainer issue adds linked_trainer and linked_trainer_consent."""

    SELF = "self"
    OTHER = "other"  # another signed-in person with no link
    ANONYMOUS = "anonymous"  # signed out


READ_ONLY = frozenset({Action.READ})
ALL = frozenset(Action)
NOTHING: frozenset[Action] = frozenset()

# relation -> scope -> the actions allowed. Anything not listed is not allowed.
RULES: dict[Relation, dict[Scope, frozenset[Action]]] = {
    Relation.SELF: {scope: ALL for scope in Scope},
    Relation.OTHER: {},
    Relation.ANONYMOUS: {},
}
# Scopes no relation but SELF may ever be given: whoever holds them can sign in as the person, push to their
# phone or read their calendar. Never add one of these to another relation's row; allows() and rows() refuse
# them to anyone but the person themself whatever RULES says.
SELF_ONLY: frozenset[Scope] = frozenset({Scope.CREDENTIALS})

# Stock routines (is_stock, owner NULL) belong to no one: anyone may read them, signed in or not; no one changes them here.
STOCK: frozenset[Action] = READ_ONLY


def _signed_in(actor: User | None) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def relation(actor: User | None, subject_id: int | None) -> Relation:
    if not _signed_in(actor):
        return Relation.ANONYMOUS
    if subject_id is not None and actor.id == subject_id:
        return Relation.SELF
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
    that grants it (today the actor themself; a linked trainer adds `column IN (their clients)` here)."""
    if _signed_in(actor) and action in RULES[Relation.SELF].get(scope, NOTHING):
        return column == actor.id
    return false()


def _owner(model):
    """The column naming whose row it is: `user_id`, or a routine's `owner_id` (NULL for a stock one)."""
    return model.owner_id if model is Routine else model.user_id


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
    read, and those of people whose routines the actor may see."""
    stock = Routine.is_stock.is_(True) if action in STOCK else false()
    return or_(stock, _subjects(actor, Routine.owner_id, Scope.ROUTINES, action))


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


__all__ = ["Action", "Relation", "Scope", "RULES", "SELF_ONLY", "STOCK", "allows", "get", "relation", "require",
           "require_role", "routines", "rows", "subject", "table"]
