"""The person's profile: changes to it (web form and API) and the card that asks for it after the first spasm."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from .. import access
from ..access import Action, Scope
from ..errors import ValidationError
from ..extensions import db
from ..models import Episode, User
from ..profile_values import clean_profile
from ..reminders.service import clean_quiet_hours, reschedule_user


@dataclass(frozen=True)
class ProfileChanges:
    """Only the fields present in `values` change."""

    values: dict = field(default_factory=dict)


def get_profile(user: User, *, subject: User | None = None) -> User:
    """`subject`'s account (None: the actor's own), if the actor may read it: the profile scope."""
    return access.subject(user, subject, Scope.PROFILE)


def update_profile(user: User, changes: ProfileChanges, now: datetime, *, subject: User | None = None) -> User:
    """Change `subject`'s profile (None: the actor's own); returns that person."""
    person = access.subject(user, subject, Scope.PROFILE, Action.CHANGE)
    errors: dict[str, str] = {}
    clean = clean_profile(changes.values, errors, now)
    if not errors and ("quiet_start" in clean or "quiet_end" in clean):
        quiet, problems = clean_quiet_hours(clean.get("quiet_start", person.quiet_start), clean.get("quiet_end", person.quiet_end))
        clean.update(quiet)
        errors.update(problems)
    if errors:
        raise ValidationError(errors)
    moved = any(clean.get(k, getattr(person, k)) != getattr(person, k) for k in ("timezone", "quiet_start", "quiet_end"))
    for key, value in clean.items():
        setattr(person, key, value)
    if moved:
        # Reminders fire on the person's wall clock: their next times move with the zone and quiet hours, as a
        # consequence of the profile change (the person's own act, whoever made the change).
        reschedule_user(person, now)
    db.session.commit()
    return person


# ---------------------------------------------------------------- the profile prompt after the first spasm
def profile_prompt_due(user: User) -> bool:
    """One card asks the profile questions once the person has logged a spasm, until they answer or skip it.
    The card is the actor's own: it asks about their own account and their own spasms."""
    if user.profile_prompt_done_at is not None:
        return False
    return db.session.scalar(select(Episode.id).where(
        access.rows(user, Episode, Scope.EPISODES, subject_id=user.id)).limit(1)) is not None


def finish_profile_prompt(user: User, values: dict | None, now: datetime, *, subject: User | None = None) -> User:
    """Answer the prompt (values: birth_year and the risk booleans, checked like any profile change) or, with
    None, skip it. Either way it is not shown again. `subject`: whose prompt (None: the actor's own)."""
    person = access.subject(user, subject, Scope.PROFILE, Action.CHANGE)
    person.profile_prompt_done_at = now
    if not values:
        db.session.commit()
        return person
    try:
        update_profile(user, ProfileChanges(values), now, subject=person)  # one commit: the answers and the prompt done
    except ValidationError:
        person.profile_prompt_done_at = None  # nothing saved: the card stays until it is answered or skipped
        raise
    return person
