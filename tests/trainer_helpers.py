"""People and links for the trainer tests: users made directly, links as rows (as the links service leaves them)."""
from __future__ import annotations

from datetime import datetime

from coach.extensions import db
from coach.models import TrainerLink, User


def make_user(name: str, role: str = "athlete", **values) -> int:
    """A user (in the current app context) who can also sign in with tests.factories.PASSWORD; returns the id."""
    from werkzeug.security import generate_password_hash

    from tests.factories import PASSWORD

    user = User(email=f"{name.lower()}@example.com", password_hash=generate_password_hash(PASSWORD),
                display_name=name, role=role, timezone=values.pop("timezone", "Europe/London"),
                country=values.pop("country", "GB"), **values)
    db.session.add(user)
    db.session.commit()
    return user.id


def link(trainer_id: int, client_id: int, *, share: bool = False, ended_at: datetime | None = None) -> TrainerLink:
    """A link between the two (in the current app context): shared or not, active or ended."""
    row = TrainerLink(trainer_id=trainer_id, client_id=client_id, share_episodes=share, ended_at=ended_at,
                      ended_by="client" if ended_at else None)
    db.session.add(row)
    db.session.commit()
    return row
