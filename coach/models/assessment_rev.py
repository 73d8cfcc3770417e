"""users.assessment_rev moves in the same transaction as every change the assessment reads: a listener on every
session's flush, so no write path (service, form, API, command, test) can forget it."""
from __future__ import annotations

from itertools import chain

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .episode import Episode, FollowUp
from .user import RISK_FIELDS, User

# The profile's answers the rules read, and the zone that makes their dates.
TRIAGE_FIELDS = ("birth_year", "timezone", *RISK_FIELDS)
# session.info key: this transaction changed someone's assessment (so nothing it reads may be cached).
CHANGED = "coach.assessment_changed"


def changed_in_transaction(session: Session) -> bool:
    """Whether the session's open transaction wrote something an assessment reads, not yet committed."""
    return bool(session.info.get(CHANGED))


def _owners(session: Session) -> set[int]:
    owners = set()
    for record in chain(session.new, session.dirty, session.deleted):
        if isinstance(record, Episode | FollowUp):
            if record in session.dirty and not session.is_modified(record, include_collections=False):
                continue
            owners.add(record.user_id)
        elif isinstance(record, User) and record in session.dirty:
            state = inspect(record)
            if any(state.attrs[name].history.has_changes() for name in TRIAGE_FIELDS):
                owners.add(record.id)
    owners.discard(None)
    return owners


@event.listens_for(Session, "after_flush")
def _bump(session: Session, flush_context) -> None:
    # After the flush's own statements (new, dirty and deleted still hold what it wrote): a write racing another
    # for the same unique key fails at its INSERT before it touches the user row.
    with session.no_autoflush:
        owners = _owners(session)
    if not owners:
        return
    # One UPDATE that adds 1 in the database: two workers writing for one person at once both count (the row
    # lock orders them), and no one can read a new revision before this transaction commits.
    table = User.__table__
    bumped = session.execute(update(table).where(table.c.id.in_(sorted(owners)))
                             # updated_at stays: it says when the account itself changed.
                             .values(assessment_rev=table.c.assessment_rev + 1, updated_at=table.c.updated_at)
                             .returning(table.c.id, table.c.assessment_rev))
    for user_id, rev in bumped:
        user = session.identity_map.get(inspect(User).identity_key_from_primary_key((user_id,)))
        if user is not None:
            set_committed_value(user, "assessment_rev", rev)
    session.info[CHANGED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(CHANGED, None)
