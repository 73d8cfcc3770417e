"""Each worker's recent assessments, so a page or GET /api/v1/assessment costs no SQL for a person whose diary has not
changed. An entry is good for one revision of the person's data (users.assessment_rev, moved by every write the
assessment reads, in the same transaction: coach/models/assessment_rev.py), one rules version, and one stretch of
one local day: the rules count local dates, and a record dated after `now` counts only from its time on."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from ..domain import triage
from ..extensions import db
from ..models import User
from ..models.assessment_rev import changed_in_transaction

# People per worker: an entry is a few KB, so 2,048 of them stay within a few MB.
CAPACITY = 2048
EXTENSION = "coach.assessment_cache"


@dataclass(frozen=True)
class Entry:
    day: int  # the local date (ordinal) the assessment was made on
    since: datetime | None  # the latest record at or before its `now`: an earlier `now` might not see it
    until: datetime | None  # the first record after its `now`: from then on the rules see it
    assessment: triage.Assessment

    def holds(self, day: int, now: datetime) -> bool:
        return (day == self.day and (self.since is None or self.since <= now)
                and (self.until is None or now < self.until))


class AssessmentCache:
    """A bounded LRU map, safe across a worker's threads."""

    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def worker_cache() -> AssessmentCache:
    """This app's cache: one app per worker process, so one cache per worker."""
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        found = current_app.extensions.setdefault(EXTENSION, AssessmentCache())
    return found


def cached(whose: User, now: datetime, compute: Callable[[], tuple[triage.Assessment, datetime | None,
                                                                     datetime | None]]) -> triage.Assessment:
    """`whose` assessment at `now` from this worker's cache, else `compute()` -> (assessment, since, until), kept
    unless this transaction has written something an assessment reads (a rollback would leave a wrong entry)."""
    key = (whose.id, whose.assessment_rev, triage.RULES_VERSION)
    day = now.astimezone(ZoneInfo(whose.timezone)).toordinal()
    cache = worker_cache()
    entry = cache.get(key)
    if entry is not None and entry.holds(day, now):
        # Nothing in the answer depends on the time of day but `evaluated_at` (dates are local dates).
        return replace(entry.assessment, evaluated_at=now)
    assessment, since, until = compute()
    if not changed_in_transaction(db.session):
        cache.put(key, Entry(day, since, until, assessment))
    return assessment
