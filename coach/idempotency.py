"""Saving a record made offline exactly once, keyed by the client-made UUID it carries."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from .extensions import db

T = TypeVar("T")


def save_once(build: Callable[[], T], client_id: str | None, find: Callable[[str], T | None]) -> tuple[T, bool]:
    """Insert what `build()` makes unless `find(client_id)` already has it; returns (stored record, created).

    A replay is answered before `build` validates anything: the first record wins, as API.md promises.
    """
    if client_id:
        existing = find(client_id)
        if existing is not None:
            return existing, False
    record = build()
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        # The same offline record arrived twice at once (page and service worker): the other request saved it.
        db.session.rollback()
        existing = find(client_id) if client_id else None
        if existing is None:
            raise
        return existing, False
    return record, True
