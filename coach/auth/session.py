"""Flask-Login wiring: session cookies carry a version, so sign-out and password change end them."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import LoginManager, login_user

from ..errors import json_error, wants_json
from ..extensions import db
from ..models import User


def init_login(app: Flask, manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Sign in to see that page."
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(user_id: str):
        try:
            raw_id, raw_version = user_id.split(":", 1)
            user = db.session.get(User, int(raw_id))
            version = int(raw_version)
        except (ValueError, TypeError):
            return None
        if user is None or user.session_version != version:
            return None
        return user

    @manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return json_error(401, "unauthorized", "Sign in or send a valid bearer token.")
        flash(manager.login_message, manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def sign_in(user: User) -> None:
    # A fresh session on every sign-in: nothing from before (or planted by someone else) carries over.
    session.clear()
    login_user(user)
    session.permanent = True


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths; everything else goes to `default`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return default
    return target
