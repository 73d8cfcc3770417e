"""Idempotency keys for writes from devices that may be offline: a replay returns the original."""
from __future__ import annotations

from flask import request

from ..errors import ValidationError
from ..idempotency import client_uuid


def idempotency_key(body_client_id: str | None = None) -> str | None:
    """The `Idempotency-Key` header or the body's `client_id` (they must agree when both are sent)."""
    # An empty header is no header; an empty client_id in a body is not a UUID (the document says so).
    values = {client_uuid(v) for v in (request.headers.get("Idempotency-Key") or None, body_client_id) if v is not None}
    if len(values) > 1:
        raise ValidationError({"client_id": "differs from the Idempotency-Key header"})
    return values.pop() if values else None
