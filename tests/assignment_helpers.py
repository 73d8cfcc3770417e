"""People, links and a trainer's routine for the assignment tests: users through the API (so they have tokens),
links and routine versions as rows (as the links and routines services leave them)."""
from __future__ import annotations

from coach.extensions import db
from coach.models import Routine, RoutineStep, RoutineVersion, TrainerLink, User

STEPS = [
    {"position": 1, "title": "Cat and camel", "instruction": "On hands and knees, <b>round</b> then arch.",
     "seconds": 40, "optional": False},
    {"position": 2, "title": "Child's pose", "instruction": "Sit back on your heels and breathe.",
     "seconds": 30, "optional": False},
]


def register(api, name: str, role: str = "athlete", timezone: str = "Europe/London") -> tuple[int, str]:
    """A person registered through the API; returns (id, bearer token)."""
    user, token = api.register(display_name=name, role=role, timezone=timezone,
                               email=f"{name.lower().replace(' ', '.')}@example.com")
    return user["id"], token


def link(app, trainer_id: int, client_id: int, *, ended: bool = False) -> None:
    with app.app_context():
        from datetime import UTC, datetime

        db.session.add(TrainerLink(trainer_id=trainer_id, client_id=client_id, share_episodes=False,
                                   ended_at=datetime.now(UTC) if ended else None,
                                   ended_by="client" if ended else None))
        db.session.commit()


def end_link(app, trainer_id: int, client_id: int) -> None:
    """The link ends as links.end_link leaves it (the test stands in for it: ended_at set on the row)."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    with app.app_context():
        db.session.execute(update(TrainerLink).where(TrainerLink.trainer_id == trainer_id,
                                                     TrainerLink.client_id == client_id)
                           .values(ended_at=datetime.now(UTC), ended_by="client"))
        db.session.commit()


def trainer_routine(app, trainer_id: int, title: str = "Morning back", *, versions: int = 1) -> str:
    """A routine the trainer made, published `versions` times (version n has n + 1 steps); returns its slug."""
    from coach.routines.service import add_made_routine

    with app.app_context():
        routine = Routine(title=title, kind="mobility", summary="Two gentle moves.", sources=[], evidence=[], next=[])
        for step in STEPS:
            routine.steps.append(RoutineStep(**step))
        add_made_routine(db.session.get(User, trainer_id), routine)
        routine.version = versions
        db.session.flush()
        for n in range(1, versions + 1):
            steps = STEPS + [{"position": 3, "title": "Walk", "instruction": "Walk for a minute.", "seconds": 60,
                              "optional": False}] * (n - 1)
            steps = [{**s, "position": i} for i, s in enumerate(steps, start=1)]
            db.session.add(RoutineVersion(routine_id=routine.id, version=n, title=title, kind="mobility",
                                          summary="Two gentle moves.", steps=steps))
        db.session.commit()
        return routine.slug
