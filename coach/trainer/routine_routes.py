"""A trainer's routine pages: the list, the builder (a plain form with numbered steps that routine_builder.js
enhances: add, move, remove without a round trip), the preview in the real player, publish and delete.

Without script every step button posts the whole form: the page comes back with the change made and nothing
saved yet, so what was typed is never lost."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from .. import access, level
from ..domain import limits
from ..errors import Conflict, ValidationError
from ..relief.routes import player_page
from . import bp
from .routines import (
    clients_by_routine,
    clients_of,
    create_routine,
    delete_routine,
    get_routine,
    list_routines,
    play_context,
    publish,
    save_draft,
    stock_steps,
)

KIND_CHOICES = [SelectChoice("relief", "Relief: during or right after a spasm"), SelectChoice("mobility", "Mobility"),
                SelectChoice("prevention", "Prevention: before or around training")]
KIND_LABELS = {"relief": "Relief", "mobility": "Mobility", "prevention": "Prevention"}
STEP_NAME = re.compile(r"^steps-(\d{1,3})-(title|instruction|seconds|optional|stock_step)$")
STEP_WORDS = {"title": "title", "instruction": "instruction", "seconds": "seconds", "optional": "optional",
              "stock_step": "library step"}
MOVE = re.compile(r"^(up|down|remove)-(\d{1,3})$")


class RoutineForm(FlaskForm):
    """The routine's own fields; its steps are read from steps-<n>-<field> (read_steps)."""

    title = StringField("Routine title", validators=[Length(max=limits.ROUTINE_TITLE)])
    kind = RadioField("Kind", choices=KIND_CHOICES, default="mobility", validate_choice=False)
    summary = StringField("Summary (optional)", validators=[Optional(), Length(max=limits.ROUTINE_SUMMARY)],
                          description="One line your clients see above the steps.")
    library_step = SelectField("Step from the library", validate_choice=False)


def _me():
    return current_user._get_current_object()


def _now() -> datetime:
    return datetime.now(UTC)


def _trainer():
    me = _me()
    access.require_role(me, "trainer")
    return me


# ---------------------------------------------------------------- the form's steps
def _blank() -> dict:
    return {"title": "", "instruction": "", "seconds": "", "optional": False, "stock_step": "", "errors": {}}


def read_steps(form) -> list[dict]:
    """The steps as posted, in their numbered order (gaps closed)."""
    found: dict[int, dict] = {}
    for name in form:
        match = STEP_NAME.match(name)
        if match:
            step = found.setdefault(int(match.group(1)), _blank())
            step[match.group(2)] = form.get(name, "").strip() if match.group(2) != "optional" else True
    return [found[i] for i in sorted(found)]


def _step_from(row) -> dict:
    return {**_blank(), "title": row.title, "instruction": row.instruction, "seconds": str(row.seconds),
            "optional": bool(row.optional)}


def _number(text: str):
    """Digits as a number; anything else goes on as typed, for the service to name."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else (text or None)


def values(form: RoutineForm, steps: list[dict]) -> dict:
    """The API's routine shape, read from the page."""
    return {
        "title": form.title.data or "", "kind": form.kind.data, "summary": form.summary.data or None,
        "steps": [{"title": s["title"], "instruction": s["instruction"], "seconds": _number(s["seconds"]),
                   "optional": bool(s["optional"]),
                   **({"stock_step": _number(s["stock_step"])} if s["stock_step"] else {})} for s in steps],
    }


def _sentence(message: str) -> str:
    text = message[:1].upper() + message[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def place_errors(form: RoutineForm, steps: list[dict], error: ValidationError) -> list[tuple[str, str]]:
    """Put each of the service's errors beside its field; returns the summary lines (field id, words) in page
    order."""
    lines = []
    for name, message in error.fields.items():
        parts = name.split(".")
        if parts[0] == "steps" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(steps):
            index, field = int(parts[1]), parts[2]
            steps[index]["errors"][field] = _sentence(message)
            lines.append((f"steps-{index}-{field}",
                          f"Step {index + 1} {STEP_WORDS.get(field, field)}: {_sentence(message)}"))
        elif name in ("title", "kind", "summary"):
            getattr(form, name).errors = [_sentence(message)]
            lines.append((getattr(form, name).id, f"{getattr(form, name).label.text}: {_sentence(message)}"))
        else:
            lines.append(("steps-add" if name == "steps" else "", _sentence(message)))
    order = ["title", "kind", "summary", "steps-add"] + [f"steps-{i}-" for i in range(len(steps))]

    def rank(line):
        return next((i for i, prefix in enumerate(order) if line[0].startswith(prefix)), len(order))

    return sorted(lines, key=rank)


def _library() -> dict:
    """The stock steps for the picker, by id (the page groups them by their routine)."""
    return {str(step.id): step for step in stock_steps()}


def _edit_steps(action: str, steps: list[dict], form: RoutineForm, library: dict) -> str | None:
    """A step button without script: add, add from the library, move or remove. Returns the id of the control to
    focus when the page comes back."""
    if action == "add" and len(steps) < limits.ROUTINE_STEPS:
        steps.append(_blank())
        return f"steps-{len(steps) - 1}-title"
    if action == "add-stock":
        picked = library.get(form.library_step.data or "")
        if picked is None:
            form.library_step.errors = ["Choose a step from the list first."]
            return form.library_step.id
        if len(steps) < limits.ROUTINE_STEPS:
            steps.append({**_step_from(picked), "stock_step": str(picked.id)})
            form.library_step.data = ""
            return f"steps-{len(steps) - 1}-title"
    match = MOVE.match(action)
    if not match or int(match.group(2)) >= len(steps):
        return None
    verb, index = match.group(1), int(match.group(2))
    if verb == "remove":
        steps.pop(index)
        return "steps-add" if not steps else f"steps-{min(index, len(steps) - 1)}-title"
    other = index - 1 if verb == "up" else index + 1
    if 0 <= other < len(steps):
        steps[index], steps[other] = steps[other], steps[index]
        index = other
    # Focus stays on the moved step: on the same button, or the other one once it reached an end.
    if len(steps) == 1:
        return "steps-0-title"
    if verb == "up" and index == 0:
        verb = "down"
    elif verb == "down" and index == len(steps) - 1:
        verb = "up"
    return f"steps-{index}-{verb}"


# ---------------------------------------------------------------- pages
@bp.route("/trainer/routines")
@login_required
def routines():
    me = _trainer()
    return render_template("trainer/routines.html", nav="routines", routines=list_routines(me),
                           clients=clients_by_routine(me), kind_labels=KIND_LABELS)


def _builder(routine=None):
    me = _trainer()
    form = RoutineForm()
    library = _library()
    steps = [_step_from(step) for step in routine.steps] if routine is not None else [_blank()]
    if routine is not None and request.method == "GET":
        form.title.data, form.kind.data, form.summary.data = routine.title, routine.kind, routine.summary
    status, focus, summary = 200, None, []
    if request.method == "POST":
        steps = read_steps(request.form)
        action = request.form.get("action", "save")
        if not form.validate_on_submit():
            status, summary = 400, [(f.id, f"{f.label.text}: {' '.join(f.errors)}") for f in form if f.errors]
        elif action in ("save", "preview", "publish"):
            try:
                if routine is None:
                    routine = create_routine(me, values(form, steps), _now())
                    flash(f"Saved. {routine.title} is version 1: ready to assign.", "success")
                else:
                    routine = save_draft(me, routine.id, values(form, steps), _now())
                    if routine.has_draft and action == "save":
                        flash(f"Draft saved. Clients keep version {routine.version} until you publish.", "success")
                    elif action == "save":
                        flash("Saved: the same as the published version.", "success")
            except ValidationError as error:
                status, summary = 400, place_errors(form, steps, error)
            else:
                target = {"preview": "trainer.routine_preview", "publish": "trainer.routine_publish"}.get(
                    action, "trainer.routine_edit")
                return redirect(url_for(target, routine_id=routine.id))
        else:
            focus = _edit_steps(action, steps, form, library)
    return render_template("trainer/routine_form.html", nav="routines", form=form, routine=routine, steps=steps,
                           library=library, summary=summary, focus=focus, max_steps=limits.ROUTINE_STEPS,
                           limits=limits), status


@bp.route("/trainer/routines/new", methods=["GET", "POST"])
@login_required
def routine_new():
    return _builder()


@bp.route("/trainer/routines/<int:routine_id>", methods=["GET", "POST"])
@login_required
def routine_edit(routine_id: int):
    return _builder(get_routine(_trainer(), routine_id))


@bp.route("/trainer/routines/<int:routine_id>/preview")
@login_required
def routine_preview(routine_id: int):
    routine = get_routine(_trainer(), routine_id)
    if gate := level.emergency_gate():
        return gate
    return player_page(**play_context(routine), back_url=url_for("trainer.routine_edit", routine_id=routine.id),
                       back_label="Back to editing")


@bp.route("/trainer/routines/<int:routine_id>/publish", methods=["GET", "POST"])
@login_required
def routine_publish(routine_id: int):
    me = _trainer()
    routine = get_routine(me, routine_id)
    if request.method == "POST" and FlaskForm().validate_on_submit():
        try:
            routine, clients = publish(me, routine.id, now=_now())
        except Conflict:
            flash(f"Nothing new to publish: clients already play version {routine.version}.", "info")
        else:
            names = ", ".join(client.display_name for client in clients)
            flash(f"Version {routine.version} published." + (f" {names} now play it." if clients else ""), "success")
        return redirect(url_for("trainer.routines"))
    return render_template("trainer/routine_publish.html", nav="routines", routine=routine,
                           clients=clients_of(me, routine.id), form=FlaskForm())


@bp.route("/trainer/routines/<int:routine_id>/delete", methods=["GET", "POST"])
@login_required
def routine_delete(routine_id: int):
    me = _trainer()
    routine = get_routine(me, routine_id)
    if request.method == "POST" and FlaskForm().validate_on_submit():
        title = routine.title
        delete_routine(me, routine.id, _now())
        flash(f"{title} deleted.", "success")
        return redirect(url_for("trainer.routines"))
    return render_template("trainer/routine_delete.html", nav="routines", routine=routine,
                           clients=clients_of(me, routine.id), form=FlaskForm())
