"""The "Me" tab: see and edit the profile, change the password, export and delete."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from ..auth import limits
from ..auth.service import change_password, delete_account
from ..auth.session import sign_in
from ..errors import ServiceError
from ..forms import apply_errors, parse_year
from ..models import RISK_FIELDS
from ..reference import countries
from . import bp
from .forms import RISK_QUESTIONS, DeleteForm, PasswordForm, ProfileForm, ProfilePromptForm
from .profile import ProfileChanges, finish_profile_prompt, profile_prompt_due, update_profile
from .service import export_user


def _now() -> datetime:
    return datetime.now(UTC)


@bp.route("/me")
@login_required
def profile():
    return render_template(
        "account/profile.html",
        user=current_user,
        country_name=dict(countries()).get(current_user.country, current_user.country),
        risks=[(RISK_QUESTIONS[name], getattr(current_user, name)) for name in RISK_FIELDS],
    )


@bp.route("/me/edit", methods=["GET", "POST"])
@login_required
def edit_profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        names = ("display_name", "timezone", "country", "birth_year", "quiet_start", "quiet_end", *RISK_FIELDS)
        values = {name: getattr(form, name).data for name in names}
        values["timezone"] = (values["timezone"] or "").strip()
        try:
            update_profile(user, ProfileChanges(values), _now())
        except ServiceError as error:
            apply_errors(form, error)
        else:
            flash("Profile saved.", "success")
            return redirect(url_for("account.profile"))
    return render_template("account/edit.html", form=form), 400 if form.errors or form.form_errors else 200


# ---------------------------------------------------------------- the profile prompt after the first spasm
PROMPT_PAGES = {"home": "main.index", "diary": "episodes.index"}


@bp.app_context_processor
def profile_prompt_context():
    """templates/account/_profile_prompt.html asks profile_prompt(page): the form when the card is due, else None."""

    def profile_prompt(page: str):
        if not current_user.is_authenticated or not profile_prompt_due(current_user._get_current_object()):
            return None
        form = ProfilePromptForm(obj=current_user, formdata=None, back=page)
        form.birth_year.data = ""
        return form

    return {"profile_prompt": profile_prompt}


@bp.route("/me/about-you", methods=["GET", "POST"])
@login_required
def profile_prompt():
    """The card's answers, or "Skip"; with a mistake, the same questions on their own page, as typed."""
    user = current_user._get_current_object()
    form = ProfilePromptForm(obj=user) if request.method == "GET" else ProfilePromptForm()
    back = url_for(PROMPT_PAGES.get(form.back.data or "", "main.index"))
    if request.method == "GET":
        form.birth_year.data = ""
    elif form.validate_on_submit():
        if "skip" in request.form:
            finish_profile_prompt(user, None, _now())
            flash("Skipped. You can add these any time under Me, Edit profile.", "info")
            return redirect(back)
        values = {name: getattr(form, name).data for name in RISK_FIELDS}
        if user.birth_year is None:
            values["birth_year"] = parse_year(form.birth_year.data)
        try:
            finish_profile_prompt(user, values, _now())
        except ServiceError as error:
            apply_errors(form, error)
        else:
            flash("Thank you. Your answers are saved in your profile.", "success")
            return redirect(back)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("account/profile_prompt.html", form=form, user=user), status


@bp.route("/me/password", methods=["GET", "POST"])
@limits.password_check_limit
@login_required
def password():
    user = current_user._get_current_object()
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(user, form.current_password.data, form.new_password.data, _now())
        except ServiceError as error:
            apply_errors(form, error)
        else:
            sign_in(user)  # every session ended with the change: this phone stays signed in with a new one
            flash("Password changed. You were signed out everywhere else.", "success")
            return redirect(url_for("account.profile"))
    return render_template("account/password.html", form=form), 400 if form.errors else 200


@bp.route("/me/export")
@login_required
def export():
    now = _now()
    body = export_user(current_user._get_current_object(), now).model_dump_json(indent=2)
    filename = f"relief-coach-export-{now:%Y-%m-%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.route("/me/delete", methods=["GET", "POST"])
@limits.password_check_limit
@login_required
def delete():
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            delete_account(current_user._get_current_object(), form.password.data)
        except ServiceError as error:
            apply_errors(form, error)
        else:
            logout_user()
            flash("Your account and everything in it has been deleted.", "info")
            response = redirect(url_for("auth.login"))
            response.headers["Clear-Site-Data"] = '"cache", "storage"'
            return response
    return render_template("account/delete.html", form=form), 400 if form.errors else 200
