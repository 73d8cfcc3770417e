"""Relief now: SOS with the safety check and quick log, the emergency screen and the routine player."""
from flask import Blueprint

bp = Blueprint("relief", __name__)

from . import bodymap, routes  # noqa: E402,F401  (bodymap gives templates body_map_views)
