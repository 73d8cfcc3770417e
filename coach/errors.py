"""Domain exceptions and the app-wide error handlers: JSON for /api, friendly HTML elsewhere."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .domain import limits

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """Base for errors a service raises on purpose; views turn them into 4xx answers."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", fields: dict[str, str] | None = None):
        super().__init__(message or self.code)
        self.message = message or "The request could not be processed."
        self.fields = fields or {}


class ValidationError(ServiceError):
    """Input that breaks a rule; `fields` maps each field to what is wrong with it."""

    status = 400
    code = "validation_error"

    def __init__(self, fields: dict[str, str], message: str = "Some fields need attention."):
        super().__init__(message, fields)


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class NotFound(ServiceError):
    """Absent or not yours: the answer never says which."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "Not found."):
        super().__init__(message)


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class ApiError(ServiceError):
    """An error raised in the API layer with an explicit status and code."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message, fields)
        self.status = status
        self.code = code


def validation_hook(req, resp, req_validation_error, instance, model_adapter=None):
    """spectree calls this after validating a request: turn pydantic's errors into our error shape."""
    if req_validation_error is None:
        return
    fields: dict[str, str] = {}
    for item in req_validation_error.errors():
        path = ".".join(str(part) for part in item.get("loc", ())) or "body"
        fields.setdefault(path, _message(item))
    raise ApiError(400, "validation_error", "Some fields need attention.", fields)


def _message(item: dict) -> str:
    kind, ctx = item.get("type", ""), item.get("ctx") or {}
    if kind == "missing":
        return "required"
    if item.get("input", "") is None:
        # A field that may be left out but has no "not set" value to store (coach/api/schemas.py: optional).
        return "must not be null"
    if kind == "value_error" and "error" in ctx:
        # Our own validators raise ValueError with the words meant for the client.
        return str(ctx["error"])
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_too_long":
        return limits.too_long(len(item["input"]), ctx["max_length"])
    if kind == "string_too_short":
        return f"at least {ctx.get('min_length')} characters" if ctx.get("min_length", 0) > 1 else "must not be empty"
    if kind == "model_type" or kind == "model_attributes_type":
        return "must be a JSON object"
    message = item.get("msg", "is not valid")
    return message[:1].lower() + message[1:]


HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Sign in or send a valid bearer token."),
    403: ("forbidden", "You are not allowed to do that."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "That method is not allowed here."),
    409: ("conflict", "That conflicts with what is stored."),
    413: ("too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send JSON with Content-Type: application/json."),
    429: ("rate_limited", "Too many attempts. Wait a moment and try again."),
    500: ("server_error", "Something went wrong on our side."),
    503: ("unavailable", "The service is restarting or busy. Try again in a moment."),
}
# Seconds a client waits before trying again while the database is away (a restart takes a few seconds).
UNAVAILABLE_RETRY_AFTER = "5"


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, fields: dict | None = None, headers=None):
    body: dict = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if headers:
        for key, value in headers:
            if key.lower() in {"retry-after", "www-authenticate", "allow"}:
                response.headers[key] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def handle_service_error(error: ServiceError):
        if wants_json():
            return json_error(error.status, error.code, error.message, error.fields)
        return render_error_page(error.status, error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        message = "The form expired or was sent from elsewhere. Reload the page and try again."
        if wants_json():
            return json_error(400, "csrf_failed", "Missing or invalid X-CSRFToken header.")
        return render_error_page(400, message)

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        code, message = HTTP_CODES.get(status, ("error", error.description or "Error."))
        headers = error.get_response().headers.items() if status in (405, 429) else None
        if wants_json():
            return json_error(status, code, message, headers=headers)
        response = render_error_page(status, message)
        if headers:
            for key, value in headers:
                if key.lower() in {"retry-after", "allow"}:
                    response.headers[key] = value
        return response

    @app.errorhandler(OperationalError)
    def handle_database_away(error: OperationalError):
        """The database could not be reached or dropped the connection (a restart, a failover) or gave up on a
        transient conflict: a 503 with Retry-After, which clients' outboxes and load balancers retry, rather than
        a 500 and a traceback per request. The request was not acknowledged, so a client keeps what it sent."""
        log.warning("database unavailable on %s %s: %s", request.method, request.path, type(error.orig).__name__)
        retry = [("Retry-After", UNAVAILABLE_RETRY_AFTER)]
        if wants_json():
            return json_error(503, *HTTP_CODES[503], headers=retry)
        # The page is drawn for no one: who is signed in is itself read from the database (Flask-Login would
        # try again while rendering and fail inside this handler). Flask-Login's own way to set the request's user.
        current_app.login_manager._update_request_context_with_user()
        response = render_error_page(503, HTTP_CODES[503][1])
        response.headers["Retry-After"] = UNAVAILABLE_RETRY_AFTER
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, *HTTP_CODES[500])
        return render_error_page(500, HTTP_CODES[500][1])


def render_error_page(status: int, message: str):
    template = {404: "errors/404.html", 429: "errors/429.html", 500: "errors/500.html"}.get(
        status, "errors/generic.html"
    )
    titles = {400: "That didn't work", 403: "Not allowed", 404: "Page not found", 429: "Slow down", 500: "Something went wrong",
              503: "Back in a moment"}
    return make_response(
        render_template(template, code=status, title=titles.get(status, "Error"), message=message), status
    )
