"""Rows for the client list tests: a trainer, linked clients, assignments, sessions and spasms, written as model
rows directly (the invite and assignment flows are tested on their own)."""
from __future__ import annotations

from datetime import datetime, timedelta

from werkzeug.security import generate_password_hash

from coach.extensions import db
from coach.models import Assignment, Episode, FollowUp, Routine, RoutineSession, TrainerLink, User

DAILY_0730 = {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5, 6, 7]}


def person(name: str, role: str = "athlete", tz: str = "Europe/London", password: str | None = None) -> User:
    """A user; with `password` one who can sign in (hashing is slow, so only when asked)."""
    hashed = generate_password_hash(password) if password else "x"
    user = User(email=f"{name.lower().replace(' ', '.')}@example.com", password_hash=hashed, display_name=name, role=role,
                timezone=tz, country="GB")
    db.session.add(user)
    db.session.flush()
    return user


def routine_of(trainer: User) -> Routine:
    routine = Routine(slug=f"warm-up-{trainer.id}", title="Warm-up", kind="relief", summary="Five easy minutes",
                      owner_id=trainer.id, is_stock=False)
    db.session.add(routine)
    db.session.flush()
    return routine


def link(trainer: User, client: User, linked_at: datetime, share: bool = False, note: str | None = None) -> TrainerLink:
    row = TrainerLink(trainer_id=trainer.id, client_id=client.id, linked_at=linked_at, share_episodes=share, note=note)
    db.session.add(row)
    return row


def assign(trainer: User, client: User, routine: Routine, created_at: datetime, schedule=None) -> Assignment:
    row = Assignment(trainer_id=trainer.id, client_id=client.id, routine_id=routine.id, routine_version=1,
                     schedule=schedule or DAILY_0730, created_at=created_at)
    db.session.add(row)
    db.session.flush()
    return row


def played(client: User, at: datetime, assignment: Assignment | None = None, completed: bool = True) -> RoutineSession:
    row = RoutineSession(user_id=client.id, routine_slug="warm-up", routine_title="Warm-up", started_at=at,
                         ended_at=at + timedelta(minutes=5), completed=completed, steps_total=3,
                         assignment_id=assignment.id if assignment else None)
    db.session.add(row)
    return row


def spasm(client: User, at: datetime, severity: int = 6, symptoms=(), resolved_at: datetime | None = None) -> Episode:
    row = Episode(user_id=client.id, started_at=at, severity=severity, locations=["lower_back"], symptoms=list(symptoms),
                  created_at=at)
    db.session.add(row)
    db.session.flush()
    if resolved_at is not None:
        db.session.add(FollowUp(episode_id=row.id, user_id=client.id, at=resolved_at, status="resolved", symptoms=[]))
    return row


def every_morning(client: User, assignment: Assignment, first: datetime, days: int, skip=()) -> None:
    """A completed session at first + k days for k in range(days), except the k in `skip`."""
    for k in range(days):
        if k not in skip:
            played(client, first + timedelta(days=k), assignment)
