"""Accounts API: register, tokens, the profile, password, export and deletion."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, g
from flask_login import current_user

from ..account.profile import ProfileChanges, get_profile, update_profile
from ..account.schemas import ExportOut, UserOut
from ..account.service import export_user
from ..auth import limits
from ..auth.service import (
    Registration,
    authenticate,
    change_password,
    delete_account,
    issue_token,
    register_with_token,
    revoke_token,
)
from ..auth.session import sign_in
from ..errors import ApiError
from ..extensions import api_spec
from . import bp
from .auth import delete_body, login_required
from .schemas import (
    AUTH,
    DeleteMeIn,
    PasswordIn,
    ProfilePatch,
    RegisterIn,
    RegisterOut,
    TokenIn,
    TokenOut,
    responses,
)

TAG = "Accounts"


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


@bp.post("/auth/register")
@limits.register_limit
@api_spec.validate(json=RegisterIn, resp=responses(201, RegisterOut), tags=[TAG])
def register(json: RegisterIn):
    """Create an account and return a bearer token for it."""
    now = _now()
    ttl_days = current_app.config["API_TOKEN_TTL_DAYS"]
    user, raw, token = register_with_token(Registration(**json.model_dump()), now, ttl_days)  # one commit
    return RegisterOut(user=UserOut.model_validate(user), token=raw, expires_at=token.expires_at), 201


@bp.post("/auth/token")
@limits.login_limit
@limits.login_account_limit
@api_spec.validate(json=TokenIn, resp=responses(200, TokenOut), tags=[TAG])
def create_token(json: TokenIn):
    """Exchange email and password for a bearer token."""
    user = authenticate(json.email, json.password)
    if user is None:
        raise ApiError(401, "invalid_credentials", "Wrong email or password.")
    raw, token = issue_token(user, _now(), current_app.config["API_TOKEN_TTL_DAYS"])
    return TokenOut(token=raw, expires_at=token.expires_at)


@bp.delete("/auth/token")
@api_spec.validate(resp=responses(204), tags=[TAG], security=[{"bearer": []}])
def delete_token():
    """Revoke the bearer token this request was made with."""
    token = g.get("api_token")
    if token is None:
        raise ApiError(401, "unauthorized", "Send the bearer token to revoke in the Authorization header.")
    revoke_token(token, _now())
    return "", 204


@bp.get("/me")
@login_required
@api_spec.validate(resp=responses(200, UserOut), tags=[TAG], security=AUTH)
def get_me():
    """The signed-in user's profile."""
    return UserOut.model_validate(get_profile(_me()))


@bp.patch("/me")
@login_required
@api_spec.validate(json=ProfilePatch, resp=responses(200, UserOut), tags=[TAG], security=AUTH)
def patch_me(json: ProfilePatch):
    """Change any of the profile fields; fields left out stay as they are (null clears birth_year and quiet hours)."""
    values = json.model_dump(exclude_unset=True)
    return UserOut.model_validate(update_profile(_me(), ProfileChanges(values), _now()))


@bp.post("/me/password")
@limits.password_check_limit
@login_required
@api_spec.validate(json=PasswordIn, resp=responses(204), tags=[TAG], security=AUTH)
def post_password(json: PasswordIn):
    """Change the password: every other session and token stops working, this token keeps working."""
    token = g.get("api_token")
    change_password(_me(), json.current_password, json.new_password, _now(), keep_token_id=token.id if token else None)
    if token is None:
        # A browser session changed it: every session ended, so this browser is signed in with a new one.
        sign_in(_me())
    return "", 204


@bp.get("/me/export")
@login_required
@api_spec.validate(resp=responses(200, ExportOut), tags=[TAG], security=AUTH)
def get_export():
    """Everything stored about the user, as JSON."""
    return export_user(_me(), _now())


@bp.delete("/me")
@limits.password_check_limit
@login_required
@api_spec.validate(json=DeleteMeIn, resp=responses(204), tags=[TAG], security=AUTH)
def delete_me(json: DeleteMeIn):
    """Delete the account and all its data (needs the password)."""
    json = delete_body(DeleteMeIn, json)
    delete_account(_me(), json.password)
    return "", 204
