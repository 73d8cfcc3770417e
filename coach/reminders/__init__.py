"""Reminders: schedules in the user's zone, the dispatcher, web push devices, the inbox and the calendar feed."""
from flask import Blueprint

bp = Blueprint("reminders", __name__)

from . import routes  # noqa: E402,F401
