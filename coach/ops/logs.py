"""Request ids and one access line per request; log lines as JSON in production (python-json-logger).

Every request gets an id: the proxy's or client's X-Request-ID when it is a sane token, else a new one. It is on
every log line written during the request (RequestIdFilter) and echoed in the response's X-Request-ID, so a
person's "it failed at 10:42" and a proxy's log line lead to the same lines here."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, current_app, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What proxies send (nginx's $request_id, UUIDs, AWS trace ids): letters, digits and a few separators. Anything
# else (spaces, quotes, newlines, a megabyte) is replaced, so a client cannot forge or break log lines.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{7,127}")
# URL parts that are secrets (a calendar feed's token, an invitation code): the access line shows the route instead.
SECRET_URL_PARTS = frozenset({"token", "code"})
MAX_LOGGED_PATH = 512
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ["levelname", "name", "message"]
JSON_RENAMES = {"levelname": "level", "name": "logger"}

access_log = logging.getLogger("coach.access")


def init_app(app: Flask) -> None:
    """Registered before any other hook, so its after_request runs last and times the whole response."""
    app.before_request(_start)
    app.after_request(_finish)


def json_formatter() -> JsonFormatter:
    """{"time": ISO 8601 in UTC, "level", "logger", "message", then the record's extra fields (request_id, ...)}."""
    return JsonFormatter(JSON_FIELDS, rename_fields=JSON_RENAMES, timestamp="time")


def configure_root(log_format: str, level: str) -> None:
    """Log to stderr as JSON (production) or text, unless something (gunicorn's logconfig_dict in
    gunicorn.conf.py, an operator's own config) already set up handlers: then only add the request id to them."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        if log_format == "json":
            handler.setFormatter(json_formatter())
        else:
            handler.setFormatter(logging.Formatter(TEXT_FORMAT, defaults={"request_id": "-"}))
        root.addHandler(handler)
        root.setLevel(level.upper())
    for handler in root.handlers:
        if not any(isinstance(found, RequestIdFilter) for found in handler.filters):
            handler.addFilter(RequestIdFilter())


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each record a handler writes (none outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def request_id_from(header: str | None) -> str:
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def _start() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _finish(response):
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    if started is None or not current_app.config.get("REQUEST_LOG"):
        return response
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    path = _loggable_path()
    # Flask-Login keeps the user it loaded (or the bearer token's, coach/api/auth.py) in g._login_user: reading it
    # here never loads one, so /healthz stays free of database work.
    user = g.get("_login_user")
    user_id = user.id if user is not None and getattr(user, "is_authenticated", False) else None
    access_log.info("%s %s %s %.1fms", request.method, path, response.status_code, duration_ms, extra={
        "method": request.method, "path": path, "status": response.status_code, "duration_ms": duration_ms,
        "request_id": request_id, "user_id": user_id,
    })
    return response


def _loggable_path() -> str:
    """The path without its query string (it may carry what a person typed), secrets replaced by the route."""
    if request.view_args and SECRET_URL_PARTS & request.view_args.keys() and request.url_rule is not None:
        return request.url_rule.rule
    return request.path[:MAX_LOGGED_PATH]
