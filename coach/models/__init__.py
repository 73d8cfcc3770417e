"""All models, imported here so Alembic sees the whole metadata."""
from .base import UTCDateTime, now_utc
from .user import RISK_FIELDS, ROLES, ApiToken, User

__all__ = ["ApiToken", "RISK_FIELDS", "ROLES", "User", "UTCDateTime", "now_utc"]
