"""Home page and the tabs that later features fill; the shell every page shares (url_for built once per URL)."""
from flask import Blueprint

from .urls import memoize_url_for

bp = Blueprint("main", __name__)
bp.record_once(lambda state: memoize_url_for(state.app))

from . import routes  # noqa: E402,F401
