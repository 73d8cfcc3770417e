"""All models, imported here so Alembic sees the whole metadata."""
from .base import UTCDateTime, now_utc
from .episode import Episode, FollowUp
from .routine import Routine, RoutineStep, Source, Tip
from .routine_session import RoutineSession
from .user import RISK_FIELDS, ROLES, ApiToken, User

__all__ = [
    "ApiToken", "Episode", "FollowUp", "RISK_FIELDS", "ROLES", "Routine", "RoutineSession", "RoutineStep", "Source",
    "Tip", "User", "UTCDateTime", "now_utc",
]
