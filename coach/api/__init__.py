"""The JSON API at /api/v1: one blueprint, one module per resource, one error shape."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from ..extensions import api_spec, csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def register(app: Flask) -> None:
    # Bearer calls need no CSRF token; session calls are checked in auth.authenticate_request.
    csrf.exempt(bp)
    app.register_blueprint(bp)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document, generated from the routes and their pydantic models."""
    return jsonify(api_spec.spec)


# Routes and hooks attach to bp on import, so the modules come after it (as in every feature package).
from . import (  # noqa: E402,F401
    accounts,
    assignments,
    auth,
    episodes,
    links,
    reminders,
    routines,
    sessions,
    trainer_clients,
    trainer_invites,
    trainer_routines,
)
