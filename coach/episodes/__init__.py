"""The episode diary: logging spasms, follow-ups, and the assessment built from them."""
from flask import Blueprint

bp = Blueprint("episodes", __name__)
