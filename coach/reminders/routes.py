"""Reminder pages: the list with next times and switches, the form with presets, the inbox, the calendar feed."""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from .. import formats
from ..access import Action
from ..errors import ServiceError
from ..extensions import db
from . import bp
from .calendar import create_feed, feed_of, render_ical, revoke_feed, upcoming, user_for_token
from .forms import PRESETS, ReminderForm, apply_schedule_errors, preset_values
from .inbox import list_notifications, mark_all_read, mark_read, unread_count
from .schemas import ReminderOut
from .service import (
    create_reminder,
    delete_reminder,
    episode_starts,
    get_reminder,
    is_done,
    reminders_for_page,
    routine_choices,
    set_enabled,
    update_reminder,
)

# Beyond the schedule's fields (SCHEDULE_ALIASES, SCHEDULE_WORDS): the reminder's own.
FORM_ALIASES = {"reminders": "title"}
FORM_WORDS = {"routine": ("required for a routine reminder", "Choose which routine.")}


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


@bp.app_context_processor
def inbox_badge():
    def inbox_unread() -> int:
        try:
            return unread_count(current_user) if current_user.is_authenticated else 0
        except Exception:  # an error page rendered after a database failure must still render
            db.session.rollback()
            return 0

    return {"inbox_unread": inbox_unread}



# ---------------------------------------------------------------- the list
@bp.route("/reminders")
@login_required
def index():
    user = _me()
    own, check_ins = reminders_for_page(user)
    feed = feed_of(user)
    spasm_day = episode_starts(user, [r.episode_id for r in check_ins])
    return render_template(
        "reminders/index.html", nav="reminders", reminders=own, check_ins=check_ins, presets=PRESETS, spasm_day=spasm_day,
        unread=unread_count(user), feed=feed, tz=user.timezone, is_done=is_done,
    )


@bp.route("/reminders/<int:reminder_id>/toggle", methods=["POST"])
@login_required
def toggle(reminder_id: int):
    user, now = _me(), _now()
    enabled = request.form.get("enabled") == "1"
    try:
        reminder = set_enabled(user, reminder_id, enabled, now)
    except ServiceError as error:
        if error.status == 404:
            raise
        flash(str(error) if error.status == 409 else "That one-off time has passed. Edit it to pick a new time.",
              "error")
    else:
        flash(f"{reminder.title}: {'on' if reminder.enabled else 'off'}.", "success")  # the switch's own words
    return redirect(url_for("reminders.index") + f"#reminder-{reminder_id}")


# ---------------------------------------------------------------- create and edit
def _form(reminder=None) -> ReminderForm:
    return ReminderForm(routines=routine_choices(_me()), follow_up=bool(reminder and reminder.kind == "follow_up"))


def _save(form: ReminderForm, save):
    user = _me()
    if form.validate_on_submit():
        try:
            reminder = save(form.values(user.timezone))
        except ServiceError as error:
            apply_schedule_errors(form, error, FORM_ALIASES, FORM_WORDS)
        else:
            when_text = formats.when(reminder.next_fire_at, user.timezone, _now(), get_locale())
            flash(f"Saved. Next: {when_text}." if when_text else "Saved.", "success")
            return redirect(url_for("reminders.index") + f"#reminder-{reminder.id}")
    return None


@bp.route("/reminders/new", methods=["GET", "POST"])
@login_required
def create():
    user, now = _me(), _now()
    preset = request.args.get("preset")
    form = _form()
    if request.method == "POST":
        done = _save(form, lambda values: create_reminder(user, values, now)[0])
        if done:
            return done
        return render_template("reminders/form.html", nav="reminders", form=form, reminder=None,
                               preset=preset if preset in PRESETS else None), 400
    if preset not in PRESETS:
        return render_template("reminders/presets.html", nav="reminders", presets=PRESETS)
    form.fill(preset_values(preset), user.timezone, now)
    return render_template("reminders/form.html", nav="reminders", form=form, reminder=None, preset=preset)


@bp.route("/reminders/<int:reminder_id>/edit", methods=["GET", "POST"])
@login_required
def edit(reminder_id: int):
    user, now = _me(), _now()
    reminder = get_reminder(user, reminder_id, Action.CHANGE)
    if reminder.assignment_id is not None:  # follows the trainer's assignment: paused or resumed there
        return redirect(url_for("trainer.assigned") + f"#assigned-{reminder.assignment_id}")
    form = _form(reminder)
    if request.method == "POST":
        done = _save(form, lambda values: update_reminder(user, reminder.id, values, now))
        if done:
            return done
        return render_template("reminders/form.html", nav="reminders", form=form, reminder=reminder), 400
    form.fill(ReminderOut.model_validate(reminder).model_dump(mode="json"), user.timezone, now)
    return render_template("reminders/form.html", nav="reminders", form=form, reminder=reminder)


@bp.route("/reminders/<int:reminder_id>/delete", methods=["GET", "POST"])
@login_required
def delete(reminder_id: int):
    reminder = get_reminder(_me(), reminder_id, Action.CHANGE)
    if reminder.assignment_id is not None:
        return redirect(url_for("trainer.assigned") + f"#assigned-{reminder.assignment_id}")
    if request.method == "POST":
        delete_reminder(_me(), reminder.id)
        # A check-in is skipped (the list's word for it); anything else is deleted.
        flash("Skipped that check-in." if reminder.kind == "follow_up" else f"Deleted “{reminder.title}”.", "success")
        return redirect(url_for("reminders.index"))
    return render_template("reminders/delete.html", nav="reminders", reminder=reminder)


# ---------------------------------------------------------------- inbox
@bp.route("/reminders/inbox")
@login_required
def inbox():
    user = _me()
    items, _ = list_notifications(user, limit=100)
    return render_template("reminders/inbox.html", nav="reminders", items=items, unread=unread_count(user))


@bp.route("/reminders/inbox/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Opening an inbox entry marks it read and goes to its page (only ever a path on this site)."""
    note = mark_read(_me(), notification_id, _now())
    target = note.url if note.url.startswith("/") and not note.url.startswith("//") and not urlsplit(note.url).netloc \
        else url_for("reminders.inbox")
    return redirect(target)


@bp.route("/reminders/inbox/read", methods=["POST"])
@login_required
def read_all():
    count = mark_all_read(_me(), _now())
    flash(f"Marked {count} as read." if count else "Nothing unread.", "success")
    return redirect(url_for("reminders.inbox"))


# ---------------------------------------------------------------- calendar feed
def _feed_url(raw: str) -> str:
    return url_for("reminders.calendar_feed", token=raw, _external=True)


@bp.route("/reminders/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    user = _me()
    feed_url = webcal = None
    if request.method == "POST":
        # Shown once, in the answer to the POST itself: the secret is never put in the session cookie (signed,
        # not encrypted, so readable by anyone who sees it), and `no-store` keeps it out of every cache.
        feed_url = _feed_url(create_feed(user, _now()))
        webcal = "webcal://" + feed_url.split("://", 1)[1]
    html = render_template("reminders/calendar.html", nav="reminders", feed=feed_of(user), feed_url=feed_url,
                           webcal=webcal)
    return html, {"Cache-Control": "no-store"}


@bp.route("/reminders/calendar/revoke", methods=["POST"])
@login_required
def revoke_calendar():
    revoked = revoke_feed(_me())
    flash("Calendar link turned off. Calendars using it stop updating." if revoked else "There was no calendar link.",
          "success")
    return redirect(url_for("reminders.calendar"))


@bp.route("/reminders/feed/<token>.ics")
def calendar_feed(token: str):
    """The secret feed a calendar app polls: no sign-in, the token is the key."""
    now = _now()
    user = user_for_token(token, now)
    if user is None:
        abort(404)
    body = render_ical(upcoming(user, now), now, request.host_url, request.host.split(":")[0])
    return Response(body, mimetype="text/calendar", headers={
        "Cache-Control": "private, no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer",
        "Content-Disposition": 'inline; filename="relief-coach.ics"',
    })
