"""The routines library, routine pages and tips."""
from flask import Blueprint

bp = Blueprint("routines", __name__)

from . import routes  # noqa: E402,F401
