"""Who is calling: bearer tokens or the session cookie (+ CSRF), and what a body must look like."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import wraps

from flask import g, request
from flask_login import current_user
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError
from werkzeug.exceptions import BadRequest

from ..auth.service import resolve_token
from ..errors import ApiError, validation_hook
from ..extensions import csrf
from . import bp

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def authenticate_request():
    _check_body()
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, raw = header.partition(" ")
        token = resolve_token(raw.strip(), datetime.now(UTC)) if scheme.lower() == "bearer" else None
        if token is None:
            raise ApiError(401, "invalid_token", "The bearer token is missing, expired or revoked.")
        g.api_token = token
        # Flask-Login reads the current user from here; no session cookie is made for token calls.
        g._login_user = token.user
        return
    if request.method not in SAFE_METHODS and current_user.is_authenticated:
        csrf.protect()


def _check_body() -> None:
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")
    if not has_body:
        if request.method == "PATCH":
            # An empty PATCH is almost always a client bug (a body that never got attached).
            raise ApiError(400, "validation_error", "Send a JSON object with the fields to change.",
                           {"body": "required"})
        return
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send JSON with Content-Type: application/json.")
    try:
        parsed = request.get_json()
    except BadRequest:
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
    if not isinstance(parsed, dict):
        # spectree reads a null or empty body as {}: refuse it here so it is never taken as "no changes".
        raise ApiError(400, "validation_error", "Some fields need attention.", {"body": "must be a JSON object"})


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise ApiError(401, "unauthorized", "Sign in or send a valid bearer token.")
        return view(*args, **kwargs)

    return wrapper


def delete_body(model: type[BaseModel], parsed: BaseModel | None) -> BaseModel:
    """spectree skips bodies on DELETE; the API has DELETEs with bodies, so validate those here the same way."""
    if parsed is not None:
        return parsed
    try:
        return model.model_validate(request.get_json(silent=True) if request.content_length else {})
    except PydanticError as error:
        validation_hook(request, None, error, None)
        raise
