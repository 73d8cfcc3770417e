"""Registration, sign-in, browser sessions, passwords, sign-out (here or everywhere), account deletion and API
tokens (web forms and the API)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import access
from ..access import Action, Scope
from ..domain import limits
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..models import ROLES, ApiToken, LoginSession, User
from ..profile_values import clean_profile
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


def normalise_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError({"email": "enter an email address like name@example.com"}) from None


def register_user(info: Registration, now: datetime) -> User:
    """A new account (the sign-up page, the CLI)."""
    user = _add_user(info, now)
    _commit_new_account()
    return user


def register_with_token(info: Registration, now: datetime, ttl_days: int, name: str = "api") -> tuple[User, str, ApiToken]:
    """The API's sign-up: the account and its first bearer token in one commit, so no account is left behind
    that the client holds no token for (its retry would be told the email is taken)."""
    user = _add_user(info, now)
    raw, token = _add_token(user, now, ttl_days, name)
    _commit_new_account()
    return user, raw, token


def _add_user(info: Registration, now: datetime) -> User:
    """Check a registration and add its user to the session (not committed); Conflict when the email is taken."""
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
    clean = clean_profile(values, errors, now)
    if errors:
        raise ValidationError(errors)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise _taken()
    user = User(email=email, password_hash=generate_password_hash(info.password), role=info.role, **clean)
    user.created_at = now
    db.session.add(user)
    return user


def _commit_new_account() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # the same email registered a moment ago (a double tap): the unique index decides
        db.session.rollback()
        raise _taken() from None


def _taken() -> Conflict:
    return Conflict("An account with this email already exists.", {"email": "already registered; sign in instead"})


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
    # Every browser session ends, this one too: the page (or API call) that changed it signs this browser in
    # again with a fresh session (coach/auth/session.py: sign_in).
    _end_browser_sessions(user)
    _revoke_tokens(user, now, keep_token_id)
    db.session.commit()
    return user


# ---------------------------------------------------------------- browser sessions (coach/models/login_session.py)
SESSION_TOUCH = timedelta(hours=1)


def open_session(user: User, now: datetime, lifetime: timedelta) -> str:
    """A new browser session for `user`, committed; returns the secret its cookie carries (also put on
    `user.session_secret` for Flask-Login). The person's sessions that ran out are cleared on the way."""
    db.session.execute(delete(LoginSession).where(
        access.rows(user, LoginSession, Scope.CREDENTIALS, Action.CHANGE), LoginSession.last_seen_at < now - lifetime))
    raw = secrets.token_urlsafe(32)  # 256 bits from the OS's CSPRNG
    db.session.add(LoginSession(id=_hash_token(raw), user_id=user.id, created_at=now, last_seen_at=now))
    db.session.commit()
    user.session_secret = raw
    return raw


def resume_session(raw: str, now: datetime, lifetime: timedelta) -> User | None:
    """The person a session cookie's secret signs in, or None once that session was ended (sign-out, sign-out
    everywhere, a password change, the account deleted) or went unused for longer than `lifetime`."""
    if not isinstance(raw, str) or not raw or len(raw) > limits.TOKEN:
        return None
    # One query for the session and its person (joined on the foreign key): it runs on every signed-in request.
    # Authentication, not an owner check: the secret names the person.
    found = db.session.execute(
        select(LoginSession, User).join(User).where(LoginSession.id == _hash_token(raw))
    ).first()
    if found is None:
        return None
    row, user = found
    if now - row.last_seen_at > lifetime:
        db.session.delete(row)
        db.session.commit()
        return None
    if now - row.last_seen_at > SESSION_TOUCH:
        row.last_seen_at = now
        db.session.commit()
    user.session_secret = raw
    return user


def end_session(raw: str | None) -> None:
    """Sign-out on this browser: its session row goes, so this cookie and any copy of it stop working; the
    person's other phones stay signed in."""
    if raw:
        db.session.execute(delete(LoginSession).where(LoginSession.id == _hash_token(raw)))
    db.session.commit()


def end_sessions(user: User, now: datetime) -> None:
    """Sign-out everywhere: every browser session of the person ends and every API token is revoked (a token
    is a signed-in app too; ASVS 7.4 asks for all active sessions)."""
    _end_browser_sessions(user)
    _revoke_tokens(user, now, None)
    db.session.commit()


def _end_browser_sessions(user: User) -> None:
    db.session.execute(delete(LoginSession).where(access.rows(user, LoginSession, Scope.CREDENTIALS, Action.CHANGE)))


def delete_account(user: User, password: str) -> None:
    if not check_password_hash(user.password_hash, password or ""):
        raise ValidationError({"password": "this is not your password"})
    db.session.delete(user)
    db.session.commit()


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, now: datetime, ttl_days: int, name: str = "api") -> tuple[str, ApiToken]:
    raw, token = _add_token(user, now, ttl_days, name)
    db.session.commit()
    return raw, token


def _add_token(user: User, now: datetime, ttl_days: int, name: str) -> tuple[str, ApiToken]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, token_hash=_hash_token(raw), name=name, created_at=now, expires_at=now + timedelta(days=ttl_days)
    )
    db.session.add(token)
    return raw, token


def resolve_token(raw: str, now: datetime) -> ApiToken | None:
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > limits.TOKEN:
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


def tokens_to_export(user: User) -> list[ApiToken]:
    """The person's API tokens for the data export, oldest first (their records: a token itself is not stored)."""
    query = select(ApiToken).where(access.rows(user, ApiToken, Scope.CREDENTIALS))
    return list(db.session.scalars(query.order_by(ApiToken.created_at, ApiToken.id)))


def _revoke_tokens(user: User, now: datetime, keep_token_id: int | None) -> None:
    query = update(ApiToken).where(access.rows(user, ApiToken, Scope.CREDENTIALS, Action.CHANGE), ApiToken.revoked_at.is_(None))
    if keep_token_id is not None:
        query = query.where(ApiToken.id != keep_token_id)
    db.session.execute(query.values(revoked_at=now))
