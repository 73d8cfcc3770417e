"""Web pages for registration, sign-in and sign-out (this phone, or everywhere)."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from ..errors import ServiceError
from ..forms import apply_errors, parse_year
from ..reference import guess_country
from . import bp, limits
from .forms import LoginForm, RegisterForm
from .service import Registration, authenticate, end_sessions, register_user
from .session import safe_next, sign_in, sign_out


@bp.route("/register", methods=["GET", "POST"])
@limits.register_limit
def register():
    target = safe_next(request.values.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = RegisterForm()
    if request.method == "GET":
        form.country.data = guess_country(request.accept_languages.values())
        form.next.data = target
    if form.validate_on_submit():
        info = Registration(
            email=form.email.data,
            password=form.password.data,
            display_name=form.display_name.data,
            role=form.role.data,
            timezone=form.timezone.data.strip(),
            country=form.country.data,
            birth_year=parse_year(form.birth_year.data),
        )
        try:
            user = register_user(info, datetime.now(UTC))
        except ServiceError as error:
            apply_errors(form, error)
        else:
            sign_in(user)
            flash(f"Welcome, {user.display_name}. Your account is ready.", "success")
            return redirect(target)
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limits.login_limit
@limits.login_account_limit
def login():
    target = safe_next(request.values.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if request.method == "GET":
        form.next.data = target
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            sign_in(user)
            return redirect(target)
        form.form_errors.append("Wrong email or password.")
    return render_template("auth/login.html", form=form), 401 if form.form_errors else (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Signs out this phone only; the person's other phones and apps stay signed in."""
    sign_out()
    flash("You are signed out on this phone.", "info")
    return _signed_out()


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """Every browser session of the person ends and every app token is revoked (a lost phone, a shared one)."""
    end_sessions(current_user._get_current_object(), datetime.now(UTC))
    logout_user()
    flash("You are signed out everywhere, on this phone too.", "info")
    return _signed_out()


def _signed_out():
    response = make_response(redirect(url_for("auth.login")))
    # Personal pages cached on this phone go with the session (TECH.md: PWA).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
