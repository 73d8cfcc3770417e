"""Rate limits for sign-in and registration, shared by the web forms and the API, and on the test push."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from ..domain.limits import EMAIL
from ..extensions import limiter

# A test push goes out to the person's phone at once, through a push service that limits us per sender: a
# script looping on it would buzz their phone and spend the server's standing with that service.
PUSH_TEST = "5 per minute;30 per hour"


def _submitted_email() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    email = data.get("email") if isinstance(data, dict) or hasattr(data, "get") else None
    return (email or "").strip().lower()[:EMAIL] if isinstance(email, str) else ""


def _failed(response) -> bool:
    # A success redirects (web) or answers 200/204 (API); everything else counts against the account.
    return response.status_code not in (200, 204, 302, 303)


def _signed_in_user() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


login_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_LOGIN"], scope="login-ip", methods=["POST"]
)
login_account_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"],
    scope="login-account",
    key_func=_submitted_email,
    methods=["POST"],
    deduct_when=_failed,
)
register_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_REGISTER"], scope="register-ip", methods=["POST"]
)
# Changing the password and deleting the account ask for the current password: a stolen session or token
# must not be a way to guess it. Counted per account, failures only.
password_check_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_PASSWORD_CHECK"],
    scope="password-check",
    key_func=_signed_in_user,
    methods=["POST", "DELETE"],
    deduct_when=_failed,
)
# POST /api/v1/push/test, every answer counted (each one may have sent a push); per account, by address when
# signed out (those are refused anyway, but still cost a request).
push_test_limit = limiter.shared_limit(
    lambda: current_app.config.get("RATELIMIT_PUSH_TEST", PUSH_TEST),
    scope="push-test",
    key_func=_signed_in_user,
    methods=["POST"],
)
