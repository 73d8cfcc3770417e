"""ISO 8601 dates and date-times typed by people and clients: parsed in one place (the API's schemas, the pages'
date fields, reminder schedules), dates kept inside the range the app can count with."""
from __future__ import annotations

from datetime import UTC, date, datetime

# Dates a person may ask about (diary filters, report periods, API date parameters). Outside these, date
# arithmetic would overflow; no episode can be there (started_at is refused before 1900 or in the future).
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


class DateTextError(ValueError):
    """Why a text is not an acceptable date or date-time. `reason` is "type" (not text), "format" (not ISO 8601)
    or "range" (a day outside EARLIEST_DAY..LATEST_DAY); the message is the API's words for it."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def parse_day(text) -> date:
    """A YYYY-MM-DD date from EARLIEST_DAY to LATEST_DAY."""
    if not isinstance(text, str):
        raise DateTextError("type", "must be a YYYY-MM-DD string")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DateTextError("format", "must be a date such as 2026-11-25") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise DateTextError("range", f"must be a date from {EARLIEST_DAY} to {LATEST_DAY}")
    return day


def parse_moment(text) -> datetime:
    """An ISO 8601 date-time; naive when the text has no offset (callers that need one say so)."""
    if not isinstance(text, str):
        raise DateTextError("type", "must be an ISO 8601 date-time string")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise DateTextError("format", "must be an ISO 8601 date-time such as 2026-11-25T07:30:00+01:00") from None


def iso_utc(moment: datetime) -> str:
    """The one way an instant is written out: ISO 8601 in UTC with a Z, as API.md promises for every response
    datetime (coach.output.UtcDateTime) and the canonical schedule stores a one-off's time."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
