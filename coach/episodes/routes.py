"""Diary pages: the detailed log form, edit and delete, an episode, its follow-up, and the history."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import Action
from ..domain import codes, diary, limits
from ..errors import ValidationError
from ..formats import time_since
from ..forms import apply_errors
from ..idempotency import client_uuid_or_none
from . import bp
from .diary import (
    OFFLINE_EMERGENCY,
    TEXT_LIMITS,
    DiaryFilter,
    chart_data,
    combine_local,
    default_chart_period,
    emergency_url,
    history,
    latest_follow_up,
    newest_first,
    status_for,
)
from .forms import MIN_SEVERITIES, EpisodeForm, FilterForm, FollowUpForm
from .service import (
    add_follow_up,
    delete_episode,
    get_episode,
    latest_episode,
    log_episode,
    update_episode,
)
from .validation import clean_episode

# How far back the player's "add what happened" link looks for the episode it belongs to.
RECENT_EPISODE = timedelta(days=1)

# Friendlier words for the service's "required", per field.
REQUIRED = {
    "started_at": "Enter the date and time it started.",
    "severity": "Choose a number from 0 to 10.",
    "status": "Choose how it is now.",
}
ALIASES = {"started_at": "started_date"}


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()



def label_list(values, labels: dict[str, str]) -> str:
    return ", ".join(labels.get(v, v) for v in values or ())


def symptom_words(values) -> list[str]:
    return [codes.SYMPTOMS[v][0] if v in codes.SYMPTOMS else v for v in values or ()]


HELPERS = {
    "codes": codes, "severity_band": diary.severity_band,
    "label_list": label_list, "symptom_words": symptom_words, "text_limits": TEXT_LIMITS, "offline_emergency": OFFLINE_EMERGENCY,
}


def _render(template: str, status: int = 200, **context):
    return render_template(template, **HELPERS, **context), status


@bp.app_context_processor
def diary_context():
    # A function, not a value: only the pages that show the card pay for the assessment, once per request.
    # Cached in the request's environ, not in g: g belongs to the app context, which can outlive a request.
    def diary_status():
        cache = request.environ
        if "coach.diary_status" not in cache:
            cache["coach.diary_status"] = status_for(_me(), _now())
        return cache["coach.diary_status"]

    return {"diary_status": diary_status}


# ---------- Form <-> service ----------

def _number(raw: str | None, kind):
    """Parse a typed number; give the text back unchanged when it is not one, so the service names the error."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return text
        return value if kind is float else (int(value) if value.is_integer() else value)


def _choice_to_bool(value: str | None):
    return {"yes": True, "no": False, "": None, None: None}.get(value, value)


def episode_values(form: EpisodeForm, tz: str) -> dict:
    started = None
    if form.started_date.data and form.started_time.data:
        started = combine_local(form.started_date.data, form.started_time.data, tz)
    return {
        "started_at": started,
        "severity": _number(form.severity.data, int),
        "trigger": form.trigger.data or None,  # skipped: not recorded ("unknown" only when "Not sure" is chosen)
        "during_exercise": _choice_to_bool(form.during_exercise.data),
        "exercise": form.exercise.data,
        "load_kg": _number(form.load_kg.data, float),
        "locations": list(form.locations.data or []),
        "side": form.side.data or None,
        "locked_minutes": _number(form.locked_minutes.data, int),
        "eased_by_stretch": _choice_to_bool(form.eased_by_stretch.data),
        "symptoms": list(form.symptoms.data or []),
        "relief_used": form.relief_used.data,
        "notes": form.notes.data,
    }


def _place_errors(form, fields: dict[str, str]) -> None:
    """Service errors onto the fields that have no parse error of their own."""
    kept = {}
    for name, message in fields.items():
        target = getattr(form, ALIASES.get(name, name), None)
        if target is not None and target.errors:
            continue
        kept[name] = REQUIRED.get(name, message).rstrip(".") if message == "required" else message
    if kept:
        apply_errors(form, ValidationError(kept), ALIASES)


def _checked_values(form: EpisodeForm, user, now: datetime) -> dict | None:
    """The values to save, or None after putting every problem (parse and service) on its field."""
    parsed = form.validate()
    values = episode_values(form, user.timezone)
    try:
        clean_episode(values, now, user=user)
    except ValidationError as error:
        fields = dict(error.fields)
        if values["started_at"] is None and (form.started_date.errors or form.started_time.errors):
            fields.pop("started_at", None)
        _place_errors(form, fields)
        return None
    return values if parsed else None


def after_save(user, now: datetime, message: str):
    """Every save is followed by the assessment: the emergency screen first, else the card on the diary."""
    status = status_for(user, now)
    if status.level == "emergency":
        return redirect(emergency_url(status.assessment))
    flash(message, "success")
    return redirect(url_for("episodes.index", _anchor="assessment"))


def _local_defaults(user, moment: datetime) -> dict:
    local = moment.astimezone(ZoneInfo(user.timezone))
    return {"started_date": local.date(), "started_time": local.time().replace(second=0, microsecond=0)}


# ---------- Pages ----------

@bp.route("/log", methods=["GET", "POST"])
@login_required
def create():
    user, now = _me(), _now()
    if request.method == "GET":
        form = EpisodeForm(data={**_local_defaults(user, now), "client_id": str(uuid.uuid4())})
        return _render("episodes/form.html", form=form, episode=None)
    form = EpisodeForm()
    values = _checked_values(form, user, now)
    if values is None:
        return _render("episodes/form.html", 400, form=form, episode=None)
    log_episode(user, values, now, client_id=client_uuid_or_none(form.client_id.data), source="form")
    return after_save(user, now, "Episode saved.")


@bp.route("/episodes/<int:episode_id>/edit", methods=["GET", "POST"])
@login_required
def edit(episode_id: int):
    user, now = _me(), _now()
    episode = get_episode(user, episode_id, Action.CHANGE)
    if request.method == "GET":
        yes_no = {True: "yes", False: "no", None: ""}
        data = {
            **_local_defaults(user, episode.started_at),
            "severity": "" if episode.severity is None else str(episode.severity),
            "locations": list(episode.locations or []), "side": episode.side or "",
            "trigger": episode.trigger or "", "during_exercise": yes_no[episode.during_exercise],
            "exercise": episode.exercise, "load_kg": "" if episode.load_kg is None else f"{episode.load_kg:g}",
            "locked_minutes": "" if episode.locked_minutes is None else str(episode.locked_minutes),
            "eased_by_stretch": yes_no[episode.eased_by_stretch],
            "symptoms": list(episode.symptoms or []), "relief_used": episode.relief_used, "notes": episode.notes,
        }
        return _render("episodes/form.html", form=EpisodeForm(data=data), episode=episode)
    form = EpisodeForm()
    values = _checked_values(form, user, now)
    if values is None:
        return _render("episodes/form.html", 400, form=form, episode=episode)
    update_episode(user, episode.id, values, now)
    return after_save(user, now, "Episode updated.")


@bp.route("/episodes/latest/edit")
@login_required
def edit_latest():
    """A routine stopped by a stop-and-log rule links here: the episode of the last day gets what happened
    (its symptom list), so the triage rules see it; with no recent episode, a new log."""
    user, now = _me(), _now()
    episode = latest_episode(user, now - RECENT_EPISODE)
    if episode is None:
        flash("No spasm logged in the last day: log this one.", "info")
        return redirect(url_for(".create"))
    return redirect(url_for(".edit", episode_id=episode.id, _anchor="symptoms-card"))


@bp.route("/episodes/<int:episode_id>/delete", methods=["GET", "POST"])
@login_required
def delete(episode_id: int):
    user = _me()
    episode = get_episode(user, episode_id, Action.CHANGE)
    if request.method == "POST":  # CSRFProtect has checked the token before we get here
        delete_episode(user, episode.id)
        flash("Episode deleted.", "success")
        return redirect(url_for("episodes.index"))
    return _render("episodes/delete.html", episode=episode, tz=user.timezone)


@bp.route("/episodes/<int:episode_id>")
@login_required
def show(episode_id: int):
    user, now = _me(), _now()
    episode = get_episode(user, episode_id)
    follow_ups = newest_first(episode.follow_ups)
    due = diary.due_follow_up(episode.id, episode.started_at, [(f.at, f.status) for f in follow_ups], now)
    return _render("episodes/show.html", episode=episode, follow_ups=follow_ups, due=due, tz=user.timezone,
                   since=time_since(episode.started_at, now, user.timezone))


@bp.route("/episodes/<int:episode_id>/follow-up", methods=["GET", "POST"])
@login_required
def follow_up(episode_id: int):
    user, now = _me(), _now()
    episode = get_episode(user, episode_id, Action.CHANGE)
    page = {"episode": episode, "tz": user.timezone, "since": time_since(episode.started_at, now, user.timezone),
            "follow_ups": newest_first(episode.follow_ups)}
    if request.method == "GET":
        form = FollowUpForm(data={"client_id": str(uuid.uuid4())})
        return _render("episodes/follow_up.html", form=form, **page)
    form = FollowUpForm()
    form.validate()
    values = {
        "status": form.status.data or None,
        "severity": _number(form.severity.data, int),
        "symptoms": list(form.symptoms.data or []),
        "notes": form.notes.data,
    }
    try:
        add_follow_up(user, episode.id, values, now, client_id=client_uuid_or_none(form.client_id.data))
    except ValidationError as error:
        fields = {k: REQUIRED["status"] if k == "status" and values["status"] is None else v for k, v in error.fields.items()}
        apply_errors(form, ValidationError(fields))
        return _render("episodes/follow_up.html", 400, form=form, **page)
    return after_save(user, now, "Check-in saved.")


def _filters(form: FilterForm) -> DiaryFilter:
    def code(value, allowed):
        return value if value in allowed else None

    severity = code(form.min_severity.data, MIN_SEVERITIES)
    return DiaryFilter(
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
        location=code(form.location.data, codes.LOCATIONS),
        trigger=code(form.trigger.data, codes.TRIGGERS),
        min_severity=int(severity) if severity else None,
    )


@bp.route("/diary")
@login_required
def index():
    user, now = _me(), _now()
    form = FilterForm(request.args)
    form.validate()
    filters = _filters(form)
    episodes, next_cursor = history(user, filters, limit=limits.PAGE_SIZE, cursor=request.args.get("cursor") or None)
    zone = ZoneInfo(user.timezone)
    weeks = diary.group_by_week(episodes, lambda e: e.started_at.astimezone(zone).date())
    chart_start, chart_end = default_chart_period(now.astimezone(zone).date(), filters)
    next_args = {**request.args.to_dict(), "cursor": next_cursor} if next_cursor else None
    return _render(
        "episodes/index.html", form=form, filters=filters, weeks=weeks, tz=user.timezone,
        chart=chart_data(user, chart_start, chart_end), chart_start=chart_start, chart_end=chart_end,
        next_url=url_for("episodes.index", **next_args) if next_args else None,
        latest_follow_up=latest_follow_up,
    )
