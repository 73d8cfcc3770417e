"""Signed-in browser sessions, one row per sign-in: the session cookie names its row, so one phone can sign out
alone and a copied cookie stops working once its row is gone."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, now_utc


class LoginSession(db.Model):
    __tablename__ = "login_sessions"

    # The SHA-256 (hex) of the random secret the cookie carries: a database leak does not leak working sessions.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Written at most once an hour (coach/auth/service.py), so signed-in reads stay reads; a session unseen for
    # longer than PERMANENT_SESSION_LIFETIME is refused, like the cookie the browser would have dropped.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    def __repr__(self) -> str:
        return f"<LoginSession user {self.user_id}>"
