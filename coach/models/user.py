"""Accounts: users and their API tokens (their browser sessions: login_session.py)."""
from __future__ import annotations

from datetime import datetime, time

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import limits
from ..extensions import db
from .base import UTCDateTime, now_utc

ROLES = ("athlete", "trainer")

# The profile's risk questions (CONTENT.md, Profile); all optional booleans, default false.
RISK_FIELDS = (
    "cancer_history",
    "osteoporosis",
    "long_term_steroids",
    "immunosuppressed",
    "iv_drug_use",
    "kidney_disease",
    "diuretics",
    "new_medicine_4_weeks",
    "heavy_sweater",
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(limits.EMAIL), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(limits.DISPLAY_NAME))
    role: Mapped[str] = mapped_column(String(16), default="athlete")
    timezone: Mapped[str] = mapped_column(String(limits.TIMEZONE), default="UTC")
    country: Mapped[str] = mapped_column(String(limits.COUNTRY))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    cancer_history: Mapped[bool] = mapped_column(Boolean, default=False)
    osteoporosis: Mapped[bool] = mapped_column(Boolean, default=False)
    long_term_steroids: Mapped[bool] = mapped_column(Boolean, default=False)
    immunosuppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    iv_drug_use: Mapped[bool] = mapped_column(Boolean, default=False)
    kidney_disease: Mapped[bool] = mapped_column(Boolean, default=False)
    diuretics: Mapped[bool] = mapped_column(Boolean, default=False)
    new_medicine_4_weeks: Mapped[bool] = mapped_column(Boolean, default=False)
    heavy_sweater: Mapped[bool] = mapped_column(Boolean, default=False)
    # Quiet hours (wall times in `timezone`, both set or both NULL): reminders inside them wait for the end.
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    # Bumped in the same transaction as every change the assessment reads (episodes, check-ins, the profile's
    # triage answers, the time zone): a cached assessment is good only for the revision it was computed at.
    assessment_rev: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set once the person has answered or dismissed the profile prompt shown after their first spasm.
    profile_prompt_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The secret of the browser session this request is signed in with (coach/auth/session.py puts it here at
    # sign-in and when the cookie is read); not a column: the database keeps only its hash (LoginSession).
    session_secret = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the login session's secret, never the user id, so the
        cookie stops working when its row is deleted (sign-out) and a row belongs to one browser only."""
        if not self.session_secret:
            raise RuntimeError("no login session: sign in through coach.auth.session.sign_in")
        return self.session_secret

    @property
    def is_trainer(self) -> bool:
        return self.role == "trainer"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only a SHA-256 of the token is kept: a database leak does not leak working tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
