"""Idempotency keys for writes from devices that may be offline: a replay returns the original."""
from __future__ import annotations

import uuid

from flask import request

from ..errors import ApiError


def idempotency_key(body_client_id: str | None = None) -> str | None:
    """The `Idempotency-Key` header or the body's `client_id` (they must agree when both are sent)."""
    header = request.headers.get("Idempotency-Key")
    values = [v for v in (header, body_client_id) if v]
    if not values:
        return None
    normalised = []
    for value in values:
        try:
            normalised.append(str(uuid.UUID(value.strip())))
        except (ValueError, AttributeError):
            raise ApiError(400, "validation_error", "Some fields need attention.",
                           {"client_id": "must be a UUID such as 7f0c1d2e-..."}) from None
    if len(set(normalised)) > 1:
        raise ApiError(400, "validation_error", "Some fields need attention.",
                       {"client_id": "differs from the Idempotency-Key header"})
    return normalised[0]
