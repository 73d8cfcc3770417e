"""Flask-Login wiring: the session cookie carries the secret of a login session kept in the database
(coach/models/login_session.py), so signing out ends that one session for good, and "everywhere" ends them all."""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user

from ..errors import json_error, wants_json
from ..models import User
from .service import end_session, open_session, resume_session


def init_login(app: Flask, manager: LoginManager) -> None:
    if app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_NAME"] == "session":
        # The __Host- prefix: browsers take the cookie only if it is Secure, for path / and from this host alone,
        # so neither a page over http nor a sibling subdomain can plant or overwrite it (ASVS 3.3.1).
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    manager.login_view = "auth.login"
    manager.login_message = "Sign in to see that page."
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(secret: str):
        # Cookies from before login sessions carried "<user id>:<version>": no row has that hash, so they are
        # signed out once.
        return resume_session(secret, datetime.now(UTC), current_app.permanent_session_lifetime)

    @manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return json_error(401, "unauthorized", "Sign in or send a valid bearer token.")
        flash(manager.login_message, manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def sign_in(user: User) -> None:
    # A fresh session on every sign-in: nothing from before (or planted by someone else) carries over, and the
    # session this browser had before (if any) ends server-side too.
    if current_user.is_authenticated:
        end_session(current_user.session_secret)
    session.clear()
    open_session(user, datetime.now(UTC), current_app.permanent_session_lifetime)
    login_user(user)
    session.permanent = True


def sign_out() -> None:
    """This browser only: its login session is deleted, so the cookie (and any copy of it) no longer signs in."""
    end_session(current_user.session_secret if current_user.is_authenticated else None)
    logout_user()


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths; everything else goes to `default`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return default
    return target
