"""The one ISO date helper (coach/domain/isodates.py): its bounds and words, which the API and the pages share."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from coach.domain.isodates import DateTextError, parse_day, parse_moment


@pytest.mark.parametrize(("text", "day"), [
    ("1900-01-01", date(1900, 1, 1)),
    ("2026-11-25", date(2026, 11, 25)),
    ("2999-12-31", date(2999, 12, 31)),
    ("20261125", date(2026, 11, 25)),  # ISO 8601's basic form, as date.fromisoformat reads it
])
def test_days_inside_the_range(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize(("text", "reason", "message"), [
    ("1899-12-31", "range", "must be a date from 1900-01-01 to 2999-12-31"),
    ("3000-01-01", "range", "must be a date from 1900-01-01 to 2999-12-31"),
    ("0202-03-01", "range", "must be a date from 1900-01-01 to 2999-12-31"),
    ("2026-02-30", "format", "must be a date such as 2026-11-25"),
    ("20260-01-01", "format", "must be a date such as 2026-11-25"),
    ("yesterday", "format", "must be a date such as 2026-11-25"),
    ("", "format", "must be a date such as 2026-11-25"),
    (20261125, "type", "must be a YYYY-MM-DD string"),
    (None, "type", "must be a YYYY-MM-DD string"),
])
def test_days_refused_say_why(text, reason, message):
    with pytest.raises(DateTextError) as caught:
        parse_day(text)
    assert (caught.value.reason, str(caught.value)) == (reason, message)


@pytest.mark.parametrize(("text", "moment"), [
    ("2026-11-25T07:30:00+01:00", datetime(2026, 11, 25, 7, 30, tzinfo=timezone(timedelta(hours=1)))),
    ("2026-11-25T06:30:00Z", datetime(2026, 11, 25, 6, 30, tzinfo=UTC)),
    ("2026-11-25T06:30:00", datetime(2026, 11, 25, 6, 30)),  # naive: callers that need an offset say so
])
def test_moments(text, moment):
    parsed = parse_moment(text)
    assert parsed == moment and parsed.tzinfo == moment.tzinfo


@pytest.mark.parametrize(("text", "reason", "message"), [
    ("soon", "format", "must be an ISO 8601 date-time such as 2026-11-25T07:30:00+01:00"),
    ("2026-11-25T25:00:00Z", "format", "must be an ISO 8601 date-time such as 2026-11-25T07:30:00+01:00"),
    (1764052200, "type", "must be an ISO 8601 date-time string"),
])
def test_moments_refused_say_why(text, reason, message):
    with pytest.raises(DateTextError) as caught:
        parse_moment(text)
    assert (caught.value.reason, str(caught.value)) == (reason, message)
