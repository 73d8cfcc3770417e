"""Saving a record made offline exactly once, keyed by the client-made UUID it carries; changing a stored one safely."""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from .errors import ValidationError
from .extensions import db

T = TypeVar("T")

UUID_EXAMPLE = "7f0c1d2e-0b8a-4c47-9a57-3f1a2b9d6e10"
# The spellings of a UUID taken (the API document shows this pattern): either case, dashes in their places or
# none, in braces or as a URN. uuid.UUID alone would also take stray dashes and underscores anywhere.
_HEX = "[0-9A-Fa-f]"
UUID_PATTERN = rf"^(urn:uuid:)?\{{?{_HEX}{{8}}-?{_HEX}{{4}}-?{_HEX}{{4}}-?{_HEX}{{4}}-?{_HEX}{{12}}\}}?$"


def client_uuid(value) -> str:
    """A client-made id as the canonical UUID text (lower case, with dashes), or a ValidationError naming client_id."""
    if not isinstance(value, str) or not re.fullmatch(UUID_PATTERN, value):
        raise ValidationError({"client_id": f"must be a UUID such as {UUID_EXAMPLE}"})
    return str(uuid.UUID(value))


def client_uuid_or_none(value) -> str | None:
    """The same for a form's hidden key: anything that is not a UUID is ignored (None), not refused."""
    try:
        return client_uuid(value) if value else None
    except ValidationError:
        return None


def save_once(
    build: Callable[[], T], client_id: str | None, find: Callable[[str], T | None], *,
    then: Callable[[T], object] | None = None,
) -> tuple[T, bool]:
    """Insert what `build()` makes unless `find(client_id)` already has it; returns (stored record, created).

    A replay is answered before `build` validates anything: the first record wins, as API.md promises.
    `then(record)` runs after the record is flushed (it has its id), in the same transaction: one commit stores
    both or, when either fails, neither, so a replay of the same client_id later makes both.
    Two requests racing with the same client_id (page and service worker) meet at the unique key: the loser
    returns the winner's record.
    """
    if client_id:
        existing = find(client_id)
        if existing is not None:
            return existing, False
    record = build()
    try:
        db.session.add(record)
        db.session.flush()
        if then is not None:
            then(record)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find(client_id) if client_id else None
        if existing is None:
            raise
        return existing, False
    except BaseException:
        db.session.rollback()  # nothing of the action stays in the session for a later commit to store
        raise
    return record, True


def locked(record: T) -> T:
    """`record` read again under a lock held until the commit, so a change merged into what it holds (a union of
    symptoms, a pause) cannot be lost to another request changing it at the same moment: the second one waits
    and then reads the first one's result.

    PostgreSQL locks the row (SELECT ... FOR UPDATE). SQLite ignores FOR UPDATE and its driver begins a
    transaction only at the first write, so there the database's write lock is taken first (BEGIN IMMEDIATE;
    the other writer waits, busy_timeout), unless this transaction has written already and so holds it.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    db.session.refresh(record, with_for_update=True)  # SELECT ... FOR UPDATE, overwriting what was read before
    return record
