"""GET /healthz (the process answers) and GET /readyz (and it can serve: database reachable, migrations at head).

Both are unauthenticated, never rate limited, carry no session cookie (coach/security.py) and are never cached; a
body this small is never compressed (COMPRESS_MIN_SIZE)."""
from __future__ import annotations

from flask import current_app, jsonify

from ..extensions import db, limiter
from . import bp
from .readiness import check, migration_heads

limiter.exempt(bp)


@bp.route("/healthz")
def healthz():
    """Liveness: no database, so a database outage never makes an orchestrator restart healthy processes."""
    return _answer({"status": "ok"}, 200)


@bp.route("/readyz")
def readyz():
    """Readiness: 200 when this process can serve requests, else 503 with a short reason."""
    heads = migration_heads(current_app.extensions["migrate"].directory)
    result = check(db.engine, heads)
    if result.ready:
        return _answer({"status": "ready"}, 200)
    return _answer({"status": "unavailable", "reason": result.reason}, 503)


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
