"""Rate limits on invite codes, shared by the pages and the API: a code is 8 characters anyone could try to
guess, so failed tries (an unknown, used, expired or revoked code) are counted per account and per address.
A code that works is not counted, so a class of clients on one gym Wi-Fi can all accept theirs."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from ..extensions import limiter

PER_USER = "10 per minute;30 per hour"
PER_ADDRESS = "30 per minute;100 per hour"


def _user() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


def _failed(response) -> bool:
    # A code that works answers 200/201 (API) or redirects (page); anything else counts as a guess.
    return response.status_code not in (200, 201, 204, 302, 303)


def _limit(key: str, default: str):
    return lambda: current_app.config.get(key, default)


# Guesses at a code: POST /api/v1/links, the code form on /trainers and the /join/<code> page (whose GET also
# says whether a code is valid, so it counts too).
code_user_limit = limiter.shared_limit(_limit("RATELIMIT_INVITE_CODE_USER", PER_USER), scope="invite-code-user",
                                       key_func=_user, deduct_when=_failed)
code_address_limit = limiter.shared_limit(_limit("RATELIMIT_INVITE_CODE_IP", PER_ADDRESS), scope="invite-code-ip",
                                          deduct_when=_failed)
