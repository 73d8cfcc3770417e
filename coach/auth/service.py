"""Account services shared by the web forms and the JSON API."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import access
from ..access import Action, Scope
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..models import RISK_FIELDS, ROLES, ApiToken, User
from ..reference import is_country, is_timezone
from .passwords import password_problem

TOKEN_PREFIX = "rc_"
# Checked against when the email is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = generate_password_hash("not-a-real-password-just-timing")


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    display_name: str
    role: str = "athlete"
    timezone: str = "UTC"
    country: str = ""
    birth_year: int | None = None  # optional; a typed year that is not a number reaches here as text and is refused


@dataclass(frozen=True)
class ProfileChanges:
    """Only the fields present in `values` change."""

    values: dict = field(default_factory=dict)


def normalise_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError({"email": "enter an email address like name@example.com"}) from None


def _check_display_name(name: str) -> str | None:
    name = " ".join(name.split())
    if not name:
        return None
    return name if len(name) <= 80 else None


def _collect_profile_errors(values: dict, errors: dict[str, str], now: datetime) -> dict:
    clean: dict = {}
    if "display_name" in values:
        name = _check_display_name(values["display_name"] or "")
        if name is None:
            errors["display_name"] = "enter a name of 1 to 80 characters"
        else:
            clean["display_name"] = name
    if "timezone" in values:
        if is_timezone(values["timezone"]):
            clean["timezone"] = values["timezone"]
        else:
            errors["timezone"] = "unknown time zone; use a name like Europe/Berlin"
    if "country" in values:
        code = (values["country"] or "").upper()
        if is_country(code):
            clean["country"] = code
        else:
            errors["country"] = "unknown country; use a two-letter code like GB or US"
    if "birth_year" in values:
        year = values["birth_year"]
        if year is None:
            clean["birth_year"] = None
        elif isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= now.year:
            errors["birth_year"] = f"enter a year from 1900 to {now.year}"
        else:
            clean["birth_year"] = year
    for name in RISK_FIELDS:
        if name in values:
            if isinstance(values[name], bool):
                clean[name] = values[name]
            else:
                errors[name] = "must be true or false"
    for name in ("quiet_start", "quiet_end"):
        if name in values:
            clean[name] = _wall_time(values[name], name, errors)
    return clean


def _wall_time(value, name: str, errors: dict[str, str]) -> time | None:
    """Quiet-hour boundaries: a time, "HH:MM", or None to clear."""
    if value is None or isinstance(value, time):
        return value
    try:
        hours, minutes = value.split(":") if isinstance(value, str) and len(value) == 5 else ("x", "x")
        return time(int(hours), int(minutes))
    except ValueError:
        errors[name] = "use HH:MM 24-hour time, e.g. 22:00"
        return None


def register_user(info: Registration, now: datetime) -> User:
    errors: dict[str, str] = {}
    try:
        email = normalise_email(info.email)
    except ValidationError as exc:
        errors.update(exc.fields)
        email = ""
    problem = password_problem(info.password, email=email)
    if problem:
        errors["password"] = problem
    if info.role not in ROLES:
        errors["role"] = "choose athlete or trainer"
    values = {"display_name": info.display_name, "timezone": info.timezone, "country": info.country}
    if info.birth_year is not None:
        values["birth_year"] = info.birth_year
    clean = _collect_profile_errors(values, errors, now)
    if errors:
        raise ValidationError(errors)
    taken = Conflict("An account with this email already exists.", {"email": "already registered; sign in instead"})
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise taken
    user = User(email=email, password_hash=generate_password_hash(info.password), role=info.role, **clean)
    user.created_at = now
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same email registered a moment ago (a double tap): the unique index decides
        db.session.rollback()
        raise taken from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None: the caller says only 'wrong email or password'."""
    try:
        normalised = normalise_email(email)
    except ValidationError:
        normalised = None
    user = db.session.scalar(select(User).where(User.email == normalised)) if normalised else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def update_profile(user: User, changes: ProfileChanges, now: datetime) -> User:
    from ..reminders.service import clean_quiet_hours, reschedule_user

    errors: dict[str, str] = {}
    clean = _collect_profile_errors(changes.values, errors, now)
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


def change_password(user: User, current: str, new: str, now: datetime, keep_token_id: int | None = None) -> User:
    """Ends every other session and revokes every other token."""
    errors = {}
    if not check_password_hash(user.password_hash, current):
        errors["current_password"] = "this is not your current password"
    problem = password_problem(new, email=user.email)
    if problem:
        errors["new_password"] = problem
    if errors:
        raise ValidationError(errors)
    user.password_hash = generate_password_hash(new)
    user.session_version += 1
    _revoke_tokens(user, now, keep_token_id)
    db.session.commit()
    return user


def end_sessions(user: User) -> None:
    """Sign-out everywhere: every existing session cookie stops working."""
    user.session_version += 1
    db.session.commit()


def delete_account(user: User, password: str) -> None:
    if not check_password_hash(user.password_hash, password or ""):
        raise ValidationError({"password": "this is not your password"})
    db.session.delete(user)
    db.session.commit()


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, now: datetime, ttl_days: int, name: str = "api") -> tuple[str, ApiToken]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, token_hash=_hash_token(raw), name=name, created_at=now, expires_at=now + timedelta(days=ttl_days)
    )
    db.session.add(token)
    db.session.commit()
    return raw, token


def resolve_token(raw: str, now: datetime) -> ApiToken | None:
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(raw)))
    if token is None or not token.is_active(now):
        return None
    # Written at most once an hour, so authenticated reads stay reads.
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        token.last_used_at = now
        db.session.commit()
    return token


def revoke_token(token: ApiToken, now: datetime) -> None:
    token.revoked_at = now
    db.session.commit()


def _revoke_tokens(user: User, now: datetime, keep_token_id: int | None) -> None:
    query = update(ApiToken).where(access.rows(user, ApiToken, Scope.PROFILE, Action.CHANGE), ApiToken.revoked_at.is_(None))
    if keep_token_id is not None:
        query = query.where(ApiToken.id != keep_token_id)
    db.session.execute(query.values(revoked_at=now))
