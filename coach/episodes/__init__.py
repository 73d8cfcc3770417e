"""The episode diary: logging spasms, follow-ups, and the assessment built from them."""
from flask import Blueprint

bp = Blueprint("episodes", __name__)

from . import report_routes, routes  # noqa: E402,F401
