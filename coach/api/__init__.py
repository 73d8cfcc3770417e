"""The JSON API at /api/v1: one blueprint, one module per resource, one error shape."""
from __future__ import annotations

from functools import cache

from flask import Blueprint, Flask, jsonify

from ..extensions import api_spec, csrf
from ..idempotency import UUID_PATTERN

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def register(app: Flask) -> None:
    # Bearer calls need no CSRF token; session calls are checked in auth.authenticate_request.
    csrf.exempt(bp)
    app.register_blueprint(bp)


# spectree documents a path parameter from its URL converter alone, so a string one says nothing of its form;
# these do. (A UUID in the path is not the `uuid` converter: a malformed one is a 400 on client_id, as in a body.)
PATH_PARAMETERS = {("/api/v1/episodes/by-client/{client_id}", "client_id"): {"type": "string", "pattern": UUID_PATTERN}}


@cache
def document() -> dict:
    """spectree's document with what it cannot know from the routes (made once: the routes are fixed)."""
    spec = api_spec.spec
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = PATH_PARAMETERS.get((path, parameter["name"])) if parameter["in"] == "path" else None
                if schema:
                    parameter["schema"] = schema
            body = operation.get("requestBody")
            if body and method != "patch" and not _required_fields(spec, body):
                # A body whose fields are all optional may be left out (it reads as {}); an empty PATCH is refused.
                body["required"] = False
    return spec


def _required_fields(spec: dict, body: dict) -> list:
    reference = body["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    return spec["components"]["schemas"][reference].get("required", [])


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document, generated from the routes and their pydantic models."""
    return jsonify(document())


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
