"""Who may read or change what: the one place that answers it.

Every service asks here before it reads or changes a person's data; none compares owner ids itself. A question
has three parts: the actor (the signed-in person, or None when signed out), the subject (whose data: a user id)
and a scope (which part of that person's data). The answer comes from one table, RULES, keyed by how the actor
relates to the subject. Today there are two relations (the person themself, and anyone else); the trainer issue
adds "linked trainer" and "linked trainer with consent" as new relations here, with their rows in RULES and
their SQL in `_subjects`, and no service changes.

Not allowed is NotFound (404) for data, so a stranger learns nothing about what exists, and Forbidden (403) for
a role (an athlete on a trainer endpoint), the same in pages and the API.
"""
from __future__ import annotations

import enum
from typing import TypeVar

from sqlalchemy import ColumnElement, false, or_

from .errors import Forbidden, NotFound
from .extensions import db
from .models import MAX_ID, Routine, User

M = TypeVar("M")


class Scope(enum.StrEnum):
    """The parts of a person's data that access is granted for, each on its own."""

    PROFILE = "profile"  # the account: name, zone, country, risk answers, export
    SESSIONS = "sessions"  # routine sessions: what was played, pain before and after
    EPISODES = "episodes"  # the diary: episodes, check-ins, and the assessment and report made from them
    REMINDERS = "reminders"  # reminders, the inbox they fill, push devices, the calendar feed
    ROUTINES = "routines"  # routines the person made (stock routines are everyone's: see STOCK)


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
    return action in RULES[relation(actor, subject_id)].get(scope, NOTHING)


def require(actor: User | None, subject_id: int | None, scope: Scope, action: Action = Action.READ,
            message: str = "Not found.") -> None:
    """NotFound (404) unless allowed: the answer never tells a stranger that the data exists."""
    if not allows(actor, subject_id, scope, action):
        raise NotFound(message)


def get(actor: User | None, model: type[M], ident, scope: Scope, action: Action = Action.READ,
        message: str = "Not found.") -> M:
    """The row of `model` (which has a `user_id`) with this id, if the actor may; NotFound otherwise, also for
    an id that cannot exist (not an int, or beyond what the database holds)."""
    valid = isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= MAX_ID
    row = db.session.get(model, ident) if valid else None
    if row is None or not allows(actor, row.user_id, scope, action):
        raise NotFound(message)
    return row


def _subjects(actor: User | None, column, scope: Scope, action: Action) -> ColumnElement[bool]:
    """SQL: the owner column holds a subject whose `scope` data the actor may `action`."""
    if _signed_in(actor) and action in RULES[Relation.SELF].get(scope, NOTHING):
        return column == actor.id
    return false()


def _owner(model):
    """The column naming whose row it is: `user_id`, or a routine's `owner_id` (NULL for a stock one)."""
    return model.owner_id if model is Routine else model.user_id


def rows(actor: User | None, model, scope: Scope, action: Action = Action.READ,
         subject_id: int | None = None) -> ColumnElement[bool]:
    """SQL for a WHERE: the rows of `model` (by its `user_id`; a Routine by its owner, so never a stock one)
    the actor may `action` in `scope`; with `subject_id`, only that person's (and nothing when the actor may not)."""
    owner = _owner(model)
    clause = _subjects(actor, owner, scope, action)
    if subject_id is not None:
        if not allows(actor, subject_id, scope, action):
            return false()
        clause = clause & (owner == subject_id)
    return clause


def routines(actor: User | None, action: Action = Action.READ) -> ColumnElement[bool]:
    """SQL for a WHERE on Routine: the routines the actor may play (READ) or edit (CHANGE): stock ones to
    read, and those of people whose routines the actor may see."""
    stock = Routine.is_stock.is_(True) if action in STOCK else false()
    return or_(stock, _subjects(actor, Routine.owner_id, Scope.ROUTINES, action))


def may_use_routine(actor: User | None, routine: Routine, action: Action = Action.READ) -> bool:
    if routine.is_stock:
        return action in STOCK
    return allows(actor, routine.owner_id, Scope.ROUTINES, action)


def require_role(actor: User | None, role: str) -> None:
    """Forbidden (403) for a signed-in person without this role: a role is no secret, data is."""
    if not _signed_in(actor) or actor.role != role:
        raise Forbidden(f"This is for {role}s only.")


def table() -> list[tuple[str, str, str, bool]]:
    """Every (relation, scope, action, allowed): the table docs/ARCHITECTURE.md shows and the tests walk."""
    return [(rel.value, scope.value, action.value, action in RULES[rel].get(scope, NOTHING))
            for rel in Relation for scope in Scope for action in Action]


__all__ = ["Action", "Relation", "Scope", "RULES", "STOCK", "allows", "get", "may_use_routine", "relation",
           "require", "require_role", "routines", "rows", "table"]
