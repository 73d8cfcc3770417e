"""Lists a page at a time (API.md: ?limit= and ?cursor=): keyset pages of queries, pages of content lists, cursors.

A cursor is opaque to clients. For a query it carries the last row's values of the order columns: an id alone is
written as the id (what reminders and the inbox have always answered), a key with a moment as base64url of the
values joined by "|" (what episodes and sessions have always answered), so cursors already handed out keep working.
For a list kept in memory (the content library, in its own order) the cursor is the position to go on from.
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime

from sqlalchemy import Select, and_, or_

from .errors import ValidationError
from .extensions import db
from .models import MAX_ID

BAD_CURSOR = "not a cursor from this API"


def _bad() -> ValidationError:
    return ValidationError({"cursor": BAD_CURSOR})


def encode_cursor(values: tuple) -> str:
    """The cursor that names a row by its values of the order columns."""
    if len(values) == 1 and isinstance(values[0], int):
        return str(values[0])
    raw = "|".join(value.isoformat() if isinstance(value, datetime) else str(value) for value in values)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _digits(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError(text)
    return int(text)


def _value(kind: type, text: str):
    if kind is datetime:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(text)
        return moment
    number = _digits(text)
    if number > MAX_ID:  # an id no row can have; the database would refuse the comparison
        raise ValueError(text)
    return number


def decode_cursor(cursor: str, order: tuple) -> tuple:
    """The values a cursor carries for these order columns; ValidationError on anything this API did not issue."""
    kinds = tuple(getattr(column.type, "impl_instance", column.type).python_type for column in order)  # UTCDateTime: datetime
    try:
        if kinds == (int,):
            # An id from an earlier page; one larger than any id can be means "from the newest".
            return (min(_digits(cursor), MAX_ID),)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = raw.split("|")
        if len(parts) != len(kinds):
            raise ValueError(raw)
        return tuple(_value(kind, part) for kind, part in zip(kinds, parts, strict=True))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise _bad() from None


def _after(order: tuple, values: tuple):
    """Rows that come after `values` in descending order of `order`: a < x, or a = x and b < y, and so on."""
    return or_(*(
        and_(*(column == value for column, value in zip(order[:i], values[:i], strict=True)), order[i] < values[i])
        for i in range(len(order))
    ))


def keyset_page(query: Select, order: tuple, limit: int, cursor: str | None) -> tuple[list, str | None]:
    """One page of `query`'s rows, newest first by `order` (columns of the selected model, the last one unique,
    such as its id), after `cursor`; and the cursor of the next page, None on the last."""
    if cursor:
        query = query.where(_after(order, decode_cursor(cursor, order)))
    rows = list(db.session.scalars(query.order_by(*(column.desc() for column in order)).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(tuple(getattr(last, column.key) for column in order))


def list_page(items: list, limit: int, cursor: str | None) -> tuple[list, str | None]:
    """One page of a list kept in its own order; the cursor is the position of the next page's first item."""
    try:
        start = _digits(cursor) if cursor else 0
    except ValueError:
        raise _bad() from None
    end = start + limit
    return items[start:end], (str(end) if end < len(items) else None)
