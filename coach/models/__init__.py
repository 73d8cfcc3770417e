"""All models, imported here so Alembic sees the whole metadata."""
from . import assessment_rev  # noqa: F401  (registers the listener that moves users.assessment_rev)
from .base import MAX_ID, UTCDateTime, now_utc
from .episode import Episode, FollowUp
from .login_session import LoginSession
from .reminder import REMINDER_KINDS, CalendarFeed, Delivery, Notification, PushSubscription, Reminder
from .routine import ContentState, Routine, RoutineStep, Source, Tip
from .routine_session import RoutineSession
from .trainer import Assignment, AssignmentPause, Invite, RoutineVersion, TrainerLink
from .user import RISK_FIELDS, ROLES, ApiToken, User

__all__ = ["MAX_ID", "Assignment", "AssignmentPause", "Invite", "RoutineVersion", "TrainerLink",
    "CalendarFeed", "ContentState", "Delivery", "Notification", "PushSubscription", "REMINDER_KINDS", "Reminder",
    "ApiToken", "Episode", "FollowUp", "LoginSession", "RISK_FIELDS", "ROLES", "Routine", "RoutineSession", "RoutineStep", "Source",
    "Tip", "User", "UTCDateTime", "now_utc",
]
