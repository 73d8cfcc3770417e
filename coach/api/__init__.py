"""The JSON API at /api/v1: one blueprint, one module per resource, one error shape."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def register(app: Flask) -> None:
    from ..extensions import csrf
    from . import accounts, auth, episodes, reminders, routines, sessions  # noqa: F401  (routes and hooks attach to bp on import)

    # Bearer calls need no CSRF token; session calls are checked in auth.authenticate_request.
    csrf.exempt(bp)
    app.register_blueprint(bp)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document, generated from the routes and their pydantic models."""
    from ..extensions import api_spec

    return jsonify(api_spec.spec)
