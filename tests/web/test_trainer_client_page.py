"""The trainer's page of one client reads in the client's zone, as it says, and a fresh assignment says nothing
is due yet rather than a percentage or 'no schedule'."""
from __future__ import annotations

from datetime import UTC, datetime

from coach.extensions import db
from coach.models import Assignment, TrainerLink
from tests.factories import WebSession, page_text
from tests.trainer_helpers import make_user


def test_linked_date_is_the_clients_and_a_fresh_assignment_has_nothing_due(app, seeded):
    with app.app_context():
        coach = make_user("Coach", role="trainer", timezone="Europe/London")
        ann = make_user("Ann", timezone="Pacific/Auckland")
        # 14:00 on 6 December in London is 03:00 on 7 December in Auckland.
        db.session.add(TrainerLink(trainer_id=coach, client_id=ann, linked_at=datetime(2026, 12, 6, 14, 0, tzinfo=UTC)))
        routine_id = db.session.execute(db.text("SELECT id FROM routines WHERE is_stock LIMIT 1")).scalar()
        db.session.add(Assignment(trainer_id=coach, client_id=ann, routine_id=routine_id, routine_version=1,
                                  schedule={"type": "daily", "times": ["07:30"]}, created_at=datetime.now(UTC)))
        db.session.commit()
    web = WebSession(app.test_client())
    assert web.login("coach@example.com").status_code == 302
    page = page_text(web.client.get(f"/trainer/clients/{ann}").get_data(as_text=True))
    assert "Linked since 7 Dec 2026 · times in their zone (Pacific/Auckland)" in page
    assert "nothing due" in page and "no schedule" not in page
