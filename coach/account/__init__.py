"""The signed-in person's own account: profile, password, export and deletion (the "Me" tab)."""
from flask import Blueprint

bp = Blueprint("account", __name__)

from . import routes  # noqa: E402,F401
