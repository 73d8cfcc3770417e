"""Assignment pages. A trainer's: /trainer/assign (a routine, one or many clients, a schedule like a reminder's,
a note), /trainer/assignments (what runs) and /trainer/assignments/<id> (change, pause, end). A client's:
/assigned ("Assigned to me": pause or resume) and /assigned/<id>/play (the real player, the version assigned)."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from .. import access, level
from ..domain import limits
from ..errors import ServiceError
from ..relief.routes import player_page
from ..reminders.forms import (
    SCHEDULE_FIELDS,
    TIME_LABELS,
    MultiCheckboxField,
    ReminderForm,
    apply_schedule_errors,
    fill_schedule,
    schedule_values,
)
from . import assignments, bp
from .routines import play_context

FORM_ALIASES = {"client_id": "clients", "client_ids": "clients"}  # beyond the schedule's (SCHEDULE_ALIASES)


class ScheduleForm(FlaskForm):
    """The reminder form's schedule fields (the same fields, labels and choices; reminders.js shows the part the
    chosen "When" uses) and a note for the client."""

    schedule_type, times, every_minutes = ReminderForm.schedule_type, ReminderForm.times, ReminderForm.every_minutes
    start, end, weekdays, once_at = ReminderForm.start, ReminderForm.end, ReminderForm.weekdays, ReminderForm.once_at
    note = TextAreaField("Note for your client (optional)", validators=[Optional(), Length(max=limits.ASSIGNMENT_NOTE)],
                         description="Shown with the routine and in the reminder.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        while len(self.times) < len(TIME_LABELS):
            self.times.append_entry()
        for index, entry in enumerate(self.times):
            entry.label.text = TIME_LABELS[index] if index < len(TIME_LABELS) else "Another time (optional)"

    def schedule(self, tz: str) -> dict:
        return schedule_values(self, tz)

    def ordered(self) -> list:
        """The fields in page order, for the error summary."""
        return [getattr(self, name) for name in self.page_order]

    page_order = (*SCHEDULE_FIELDS, "note")


class AssignForm(ScheduleForm):
    routine = SelectField("Routine", validate_choice=False)
    clients = MultiCheckboxField("Clients", coerce=int, validate_choice=False)
    page_order = ("routine", "clients", *SCHEDULE_FIELDS, "note")


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


def _trainer():
    me = _me()
    access.require_role(me, "trainer")
    return me


def _client():
    me = _me()
    access.require_role(me, "athlete")
    return me


def _names(names: list[str]) -> str:
    """'Ann', 'Ann and Ben', 'Ann, Ben and Cy', 'Ann, Ben and 8 others'."""
    if len(names) > 3:
        return f"{', '.join(names[:2])} and {len(names) - 2} others"
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


# ---------------------------------------------------------------- the trainer's pages
@bp.route("/trainer/assign", methods=["GET", "POST"])
@login_required
def assign():
    me, now = _trainer(), _now()
    routines = assignments.assignable_routines(me)
    clients = sorted(assignments.linked_clients(me), key=lambda c: c.display_name.casefold())
    form = AssignForm()
    mine = [(r.slug, r.title) for r in routines if not r.is_stock]
    stock = [(r.slug, r.title) for r in routines if r.is_stock]
    form.routine.choices = {"": [("", "Choose a routine")], "Your routines": mine, "Stock routines": stock}
    form.clients.choices = [(c.id, c.display_name) for c in clients]
    if request.method == "POST":
        if form.validate_on_submit():
            if not form.routine.data:
                form.routine.errors = ["Choose a routine."]
            elif not form.clients.data:
                form.clients.errors = ["Tick at least one client."]
            else:
                try:
                    made = assignments.create_assignments(me, list(form.clients.data), form.routine.data,
                                                          form.schedule(me.timezone), form.note.data, now)
                except ServiceError as error:
                    if error.status == 404:  # a client unlinked meanwhile: say it in words
                        form.clients.errors = ["One of these clients is no longer linked to you. Tick them again."]
                    else:
                        apply_schedule_errors(form, error, FORM_ALIASES)
                else:
                    names = [c.display_name for c in clients if c.id in {a.client_id for a in made}]
                    flash(f"Assigned to {_names(names)}. Each gets the reminders in their own time zone.", "success")
                    return redirect(url_for("trainer.assignments_index"))
        return render_template("trainer/assign.html", nav="trainer", form=form, clients=clients, tz=me.timezone), 400
    form.routine.data = request.args.get("routine", "")
    picked = request.args.get("client", type=int)
    form.clients.data = [picked] if picked else []
    fill_schedule(form, {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5]}, me.timezone, now)
    return render_template("trainer/assign.html", nav="trainer", form=form, clients=clients, tz=me.timezone)


@bp.route("/trainer/assignments")
@login_required
def assignments_index():
    me = _trainer()
    return render_template("trainer/assignments.html", nav="trainer", rows=assignments.list_for_trainer(me))


@bp.route("/trainer/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def assignment_edit(assignment_id: int):
    me, now = _trainer(), _now()
    row = _running_row(me, assignment_id)
    form = ScheduleForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                assignments.update(me, assignment_id, {"schedule": form.schedule(row.client_tz),
                                                       "note": form.note.data}, now)
            except ServiceError as error:
                if error.status == 404:
                    raise
                apply_schedule_errors(form, error, FORM_ALIASES)
            else:
                flash("Saved. The reminder follows the new schedule on your client's clock.", "success")
                return redirect(url_for("trainer.assignment_edit", assignment_id=assignment_id))
        return render_template("trainer/assignment.html", nav="trainer", form=form, row=row), 400
    fill_schedule(form, row.schedule, row.client_tz, now)
    form.note.data = row.note or ""
    return render_template("trainer/assignment.html", nav="trainer", form=form, row=row)


def _running_row(me, assignment_id: int):
    assignment = assignments.get(me, assignment_id)
    if assignment.ended_at is not None:
        abort(404)
    return assignments.row_of(assignment)


@bp.route("/trainer/assignments/<int:assignment_id>/pause", methods=["POST"])
@login_required
def assignment_pause(assignment_id: int):
    me = _trainer()
    paused = request.form.get("paused") == "1"
    try:
        row = assignments.row_of(assignments.set_paused(me, assignment_id, paused, "trainer", _now()))
    except ServiceError as error:
        if error.status != 409:
            raise
        flash(error.message, "error")
    else:
        flash(f"{row.routine_title} for {row.client_name}: {'paused' if row.paused else 'resumed'}.", "success")
    return redirect(url_for("trainer.assignment_edit", assignment_id=assignment_id))


@bp.route("/trainer/assignments/<int:assignment_id>/end", methods=["GET", "POST"])
@login_required
def assignment_end(assignment_id: int):
    me = _trainer()
    row = _running_row(me, assignment_id)
    if request.method == "POST":
        FlaskForm().validate_on_submit() or abort(400)
        assignments.end(me, assignment_id, _now())
        flash(f"Ended {row.routine_title} for {row.client_name}. Their sessions stay in their history.", "success")
        return redirect(url_for("trainer.assignments_index"))
    return render_template("trainer/assignment_end.html", nav="trainer", row=row)


# ---------------------------------------------------------------- the client's pages
def _personal(body: str):
    """A client's assigned pages may be kept on their own phone for offline play (static/js/sw.js keeps these
    pages, marked private, and drops them at sign-out with everything else); never by a shared cache."""
    response = make_response(body)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers.add("Vary", "Cookie")
    return response


@bp.route("/assigned")
@login_required
def assigned():
    me = _client()
    rows = assignments.list_assigned(me)
    return _personal(render_template("assigned/index.html", nav="routines", rows=rows, tz=me.timezone))


@bp.route("/assigned/<int:assignment_id>/pause", methods=["POST"])
@login_required
def assigned_pause(assignment_id: int):
    me = _client()
    paused = request.form.get("paused") == "1"
    try:
        row = assignments.row_of(assignments.set_paused(me, assignment_id, paused, "client", _now()))
    except ServiceError as error:
        if error.status != 409:
            raise
        flash(error.message, "error")
    else:
        flash(f"{row.routine_title}: {'paused. No reminders until you resume it' if row.paused else 'resumed'}.",
              "success")
    return redirect(url_for("trainer.assigned") + f"#assigned-{assignment_id}")


@bp.route("/assigned/<int:assignment_id>/play")
@login_required
def assigned_play(assignment_id: int):
    if gate := level.emergency_gate():  # no routine at emergency (CONTENT.md section 0), as the library's player
        return gate
    me = _client()
    row = assignments.get_assigned(me, assignment_id)
    snapshot = assignments.version_of(row.assignment)
    context = play_context(snapshot, assignment=row.assignment, preview=False)
    context.update(back_url=url_for("trainer.assigned"), back_label="Assigned to me")
    return _personal(player_page(**context))
