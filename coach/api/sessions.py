"""Routine sessions: what the player records when a routine is completed or stopped."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_login import current_user

from ..extensions import api_spec
from ..relief.schemas import SessionOut
from ..relief.service import get_session, list_sessions, record_session
from . import bp
from .auth import login_required
from .idempotency import idempotency_key
from .routines import TAG
from .schemas import AUTH, responses
from .schemas_relief import SessionIn, SessionList, SessionQuery


def _me():
    return current_user._get_current_object()


@bp.post("/sessions")
@login_required
@api_spec.validate(json=SessionIn, resp=responses(201, SessionOut, replay=True), tags=[TAG], security=AUTH)
def create_session(json: SessionIn):
    """Record a session. With Idempotency-Key (or client_id) a replay answers 200 with the original."""
    values = json.model_dump(exclude_unset=True, exclude={"client_id"})
    session, created = record_session(_me(), values, datetime.now(UTC), client_id=idempotency_key(json.client_id))
    return SessionOut.model_validate(session), 201 if created else 200


@bp.get("/sessions")
@login_required
@api_spec.validate(query=SessionQuery, resp=responses(200, SessionList), tags=[TAG], security=AUTH)
def index_sessions(query: SessionQuery):
    """The caller's sessions, newest first."""
    items, cursor = list_sessions(_me(), limit=query.limit, cursor=query.cursor)
    return SessionList.model_validate({"items": items, "next_cursor": cursor})


@bp.get("/sessions/<int:session_id>")
@login_required
@api_spec.validate(resp=responses(200, SessionOut), tags=[TAG], security=AUTH)
def show_session(session_id: int):
    return SessionOut.shown_to(_me(), get_session(_me(), session_id))
