"""The client list's cost does not grow with clients: the same number of SQL statements for 5 and for 50."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from coach.extensions import db
from coach.models import User
from coach.trainer.clients import client_list
from tests import client_seed as seed

NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)


def _trainer_with(app, n: int, tag: str) -> int:
    """A trainer with n clients of every kind: sharing or not, assigned or not, with sessions and spasms."""
    with app.app_context():
        trainer = seed.person(f"Coach {tag}", role="trainer")
        routine = seed.routine_of(trainer)
        for i in range(n):
            client = seed.person(f"Client {tag} {i}", tz=("Europe/London", "America/New_York", "Pacific/Auckland")[i % 3])
            seed.link(trainer, client, NOW - timedelta(days=60), share=i % 2 == 0)
            if i % 5 != 4:
                assignment = seed.assign(trainer, client, routine, NOW - timedelta(days=50))
                seed.every_morning(client, assignment, NOW - timedelta(days=40), 40, skip=range(i % 7))
                db.session.add(seed.played(client, NOW - timedelta(days=3)))  # on their own
            seed.spasm(client, NOW - timedelta(days=5 + i % 10), resolved_at=NOW - timedelta(days=2))
        db.session.commit()
        return trainer.id


def _statements(app, trainer_id: int) -> tuple[int, int]:
    with app.app_context():
        trainer = db.session.get(User, trainer_id)
        count = 0

        def before(*_args, **_kwargs):
            nonlocal count
            count += 1

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            rows = client_list(trainer, NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return count, len(rows)


def test_the_same_number_of_statements_for_5_and_for_50_clients(seeded):
    few, many = _trainer_with(seeded, 5, "a"), _trainer_with(seeded, 50, "b")
    count_few, rows_few = _statements(seeded, few)
    count_many, rows_many = _statements(seeded, many)
    assert (rows_few, rows_many) == (5, 50)
    assert count_few == count_many
    assert count_many <= 8
