"""The person's profile: changes to it (web form and API) and the card that asks for it after the first spasm."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from .. import access
from ..access import Scope
from ..errors import ValidationError
from ..extensions import db
from ..models import Episode, User
from ..profile_values import clean_profile
from ..reminders.service import clean_quiet_hours, reschedule_user


@dataclass(frozen=True)
class ProfileChanges:
    """Only the fields present in `values` change."""

    values: dict = field(default_factory=dict)


def update_profile(user: User, changes: ProfileChanges, now: datetime) -> User:
    errors: dict[str, str] = {}
    clean = clean_profile(changes.values, errors, now)
    if not errors and ("quiet_start" in clean or "quiet_end" in clean):
        quiet, problems = clean_quiet_hours(clean.get("quiet_start", user.quiet_start), clean.get("quiet_end", user.quiet_end))
        clean.update(quiet)
        errors.update(problems)
    if errors:
        raise ValidationError(errors)
    moved = any(clean.get(k, getattr(user, k)) != getattr(user, k) for k in ("timezone", "quiet_start", "quiet_end"))
    for key, value in clean.items():
        setattr(user, key, value)
    if moved:  # reminders fire on the person's wall clock: their next times move with the zone and quiet hours
        reschedule_user(user, now)
    db.session.commit()
    return user


# ---------------------------------------------------------------- the profile prompt after the first spasm
def profile_prompt_due(user: User) -> bool:
    """One card asks the profile questions once the person has logged a spasm, until they answer or skip it."""
    if user.profile_prompt_done_at is not None:
        return False
    return db.session.scalar(select(Episode.id).where(access.rows(user, Episode, Scope.EPISODES)).limit(1)) is not None


def finish_profile_prompt(user: User, values: dict | None, now: datetime) -> User:
    """Answer the prompt (values: birth_year and the risk booleans, checked like any profile change) or, with
    None, skip it. Either way it is not shown again."""
    user.profile_prompt_done_at = now
    if not values:
        db.session.commit()
        return user
    try:
        update_profile(user, ProfileChanges(values), now)  # one commit: the answers and the prompt done
    except ValidationError:
        user.profile_prompt_done_at = None  # nothing saved: the card stays until it is answered or skipped
        raise
    return user
