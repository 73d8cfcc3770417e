"""Accounts: registration, sign-in and sign-out (web pages), and the account services."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import routes  # noqa: E402,F401
