"""Pages for invites and links: the trainer's /trainer/invites (make a code, show it big with its link and QR
code, revoke), the client's /trainers ("My trainers": enter a code, share or not, end a link) and /join/<code>,
where an invite link or QR code lands."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from .. import access
from ..domain import limits as field_limits
from ..domain.invites import normalise, spaced
from ..errors import Forbidden, ServiceError, ValidationError
from ..forms import apply_errors
from . import bp, limits
from .invites import create_invite, list_invites, qr_svg, revoke_invite
from .links import accept_invite, client_link, end_link, list_links, set_sharing, trainer_of, usable_invite
from .schemas import InviteOut


class InviteForm(FlaskForm):
    note = StringField("Label (optional)", validators=[Optional(), Length(max=field_limits.INVITE_NOTE)],
                       description="Only you see it, e.g. “Tuesday group” or the client's name.",
                       render_kw={"maxlength": field_limits.INVITE_NOTE, "autocomplete": "off"})


class CodeForm(FlaskForm):
    # Room for a pasted link or a code typed with spaces or dashes: normalise() reads what it can.
    code = StringField("Invite code", description="8 letters and numbers from your trainer. Small letters, "
                       "spaces and dashes are fine.",
                       render_kw={"maxlength": 200, "autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false", "autocorrect": "off", "enterkeyhint": "done"})


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


def _is_trainer() -> bool:
    return current_user.is_authenticated and current_user.role == "trainer"


# ---------------------------------------------------------------- trainer: invites
def _invites_page(form: InviteForm, status: int = 200):
    user, now = _me(), _now()
    invites = [InviteOut.of(invite, now) for invite in list_invites(user, now)]
    open_ = [i for i in invites if i.state == "open"]
    shown_id = request.args.get("show", type=int)
    featured = next((i for i in open_ if i.id == shown_id), open_[0] if open_ else None)
    return render_template(
        "trainer/invites.html", nav="", form=form, featured=featured,
        qr=qr_svg(featured.url, f"QR code for invite {spaced(featured.code)}") if featured else None,
        pending=open_, past=[i for i in invites if i.state != "open"], spaced=spaced,
        days=field_limits.INVITE_DAYS,
    ), status


@bp.route("/trainer/invites", methods=["GET", "POST"])
@login_required
def invites():
    access.require_role(_me(), "trainer")
    form = InviteForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                invite = create_invite(_me(), form.note.data, _now())
            except ServiceError as error:
                apply_errors(form, error)
            else:
                flash(f"New code {spaced(invite.code)}: valid for {field_limits.INVITE_DAYS} days, once.", "success")
                return redirect(url_for("trainer.invites", show=invite.id) + "#invite-code")
        return _invites_page(form, 400)
    return _invites_page(form)


@bp.route("/trainer/invites/<int:invite_id>/revoke", methods=["POST"])
@login_required
def revoke(invite_id: int):
    form = FlaskForm()  # the CSRF check
    if not form.validate_on_submit():
        return redirect(url_for("trainer.invites"))
    try:
        invite = revoke_invite(_me(), invite_id, _now())
    except ServiceError as error:
        if error.status != 409:
            raise
        flash(error.message, "error")
    else:
        flash(f"Code {spaced(invite.code)} revoked: it no longer works.", "success")
    return redirect(url_for("trainer.invites"))


# ---------------------------------------------------------------- client: my trainers
def _trainers_page(form: CodeForm, status: int = 200):
    return render_template("links/index.html", nav="me", form=form, links=list_links(_me())), status


def _linked(accepted, name: str):
    if accepted.created:
        flash(f"You are linked with {name}. Sharing your log is off: turn it on below only if you want to.",
              "success")
    else:
        flash(f"You are already linked with {name}. Nothing changed.", "info")
    return redirect(url_for("trainer.trainers") + f"#trainer-{accepted.link.trainer_id}")


@bp.route("/trainers")
@login_required
def trainers():
    if _is_trainer():
        raise Forbidden("“My trainers” is for client accounts: a client links with you by your invite code.")
    return _trainers_page(CodeForm())


@bp.route("/trainers", methods=["POST"])
@limits.code_address_limit
@limits.code_user_limit
@login_required
def accept():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            accepted = accept_invite(_me(), form.code.data, _now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _linked(accepted, accepted.link.trainer.display_name)
    return _trainers_page(form, 400)


@bp.route("/trainers/<int:trainer_id>/sharing", methods=["POST"])
@login_required
def sharing(trainer_id: int):
    form = FlaskForm()
    if form.validate_on_submit():
        share = request.form.get("share") == "1"
        link = set_sharing(_me(), trainer_id, share, _now())
        name = link.trainer.display_name
        flash(f"Sharing with {name} is on: they now see your log, check-ins, assessment and doctor report."
              if share else f"Sharing with {name} is off: they see only your sessions from what they assign.",
              "success")
    return redirect(url_for("trainer.trainers") + f"#trainer-{trainer_id}")


@bp.route("/trainers/<int:trainer_id>/end", methods=["GET", "POST"])
@login_required
def end(trainer_id: int):
    link = client_link(_me(), trainer_id)
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        name = link.trainer.display_name
        end_link(_me(), trainer_id=trainer_id, now=_now())
        flash(f"Link with {name} ended. They can no longer see anything of yours.", "success")
        return redirect(url_for("trainer.trainers"))
    return render_template("links/end.html", nav="me", link=link)


# ---------------------------------------------------------------- /join/<code>: where a link or QR code lands
@bp.route("/join/<code>", methods=["GET", "POST"])
@limits.code_address_limit
@limits.code_user_limit
def join(code: str):
    """Signed out: what this is, sign in or create an account, then back here. A trainer: it is for clients.
    A client: the trainer's name and an Accept button (or the one "not valid" message)."""
    if not current_user.is_authenticated:
        typed = normalise(code)
        return render_template("links/join.html", nav="", state="signed_out", code=code,
                               shown=spaced(typed) if typed else None)
    if _is_trainer():
        return render_template("links/join.html", nav="", state="trainer", code=code), 403
    form = FlaskForm()
    try:
        invite = usable_invite(_me(), code, _now())
    except ValidationError as error:
        return render_template("links/join.html", nav="", state="invalid", code=code, message=error.message), 400
    trainer = trainer_of(invite)
    if request.method == "POST" and form.validate_on_submit():
        try:
            accepted = accept_invite(_me(), code, _now())
        except ValidationError as error:
            return render_template("links/join.html", nav="", state="invalid", code=code,
                                   message=error.message), 400
        return _linked(accepted, trainer.display_name)
    return render_template("links/join.html", nav="", state="confirm", code=code, trainer=trainer)
