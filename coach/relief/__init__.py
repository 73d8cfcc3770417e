"""Relief now: SOS with the safety check and quick log, the emergency screen and the routine player."""
from flask import Blueprint

bp = Blueprint("relief", __name__)

from . import routes  # noqa: E402,F401
