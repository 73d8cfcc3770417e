"""The reminder form and its presets; the service checks the meaning, the form only reads the fields."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain import limits
from ..domain.schedule import ALL_DAYS, hour_minute
from ..errors import ServiceError
from ..formats import minutes, schedule_text, weekday_names
from ..forms import apply_errors
from .tip_texts import tip_body

DAY_CHOICES = list(weekday_names().items())  # (1, "Mon") .. (7, "Sun")
EVERY = (15, 30, 45, 60, 90, 120, 180, 240)
EVERY_CHOICES = [(every, minutes(every, long=True)) for every in EVERY]  # (90, "1 hour 30 minutes")
KIND_CHOICES = [("routine", "A routine"), ("posture", "Change position"), ("hydration", "Drink around training"),
                ("custom", "My own text")]
TIME_LABELS = ("Time", "Another time (optional)", "A third time (optional)")
WEEKDAYS = [1, 2, 3, 4, 5]

# One tap from the Reminders tab: each preset fills the form, the person only adjusts and saves.
# Posture and hydration presets quote their tip with its source (tip_texts.py, CONTENT.md section 4): changing
# position through the working day, and drinking before and after a training session, not an all-day schedule.
# A hint's {schedule} is the preset's own schedule in the card's words (formats.schedule_text).
TRAINING_DAYS = [1, 3, 5]
PRESETS = {
    "routine": {"label": "Routine at a set time", "hint": "Floor mobility, {schedule}", "kind": "routine",
                "title": "Floor mobility", "routine": "floor-mobility", "type": "daily", "times": ["07:30"],
                "weekdays": WEEKDAYS},
    "posture": {"label": "Change position",
                "hint": "{schedule} (quotes tip 13)",
                "kind": "posture", "title": "Change position", "type": "interval", "every_minutes": 120, "start": "09:00", "end": "17:00",
                "weekdays": WEEKDAYS},
    # A routine reminder, so its notification opens the routine's player (a custom one opened the inbox).
    "once": {"label": "Once, later today", "hint": "Walk it off at the next full hour", "kind": "routine",
             "title": "Walk it off", "routine": "walk-it-off", "type": "once"},
    "hydration": {"label": "Drink around training",
                  "hint": "Before and after a session: {schedule} (quotes tip 14)",
                  "kind": "hydration", "title": "Drink around training", "type": "daily", "times": ["17:30", "19:30"],
                  "weekdays": TRAINING_DAYS},
    "custom": {"label": "My own", "hint": "Any text, any time", "kind": "custom", "title": "", "type": "daily",
               "times": ["09:00"], "weekdays": sorted(ALL_DAYS)},
}


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReminderForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the reminder a title."), Length(max=limits.REMINDER_TITLE)])
    kind = SelectField("What for", choices=choices(KIND_CHOICES))
    routine = SelectField("Routine", validate_choice=False, description="Tapping the notification opens it.")
    body = StringField("Message (optional)", validators=[Optional(), Length(max=limits.REMINDER_BODY)],
                       description="Shown in the notification.")
    schedule_type = RadioField("When", choices=choices([("daily", "At set times"), ("interval", "Every so often"),
                                                        ("once", "Once")]), default="daily")
    times = FieldList(TimeField("Time", validators=[Optional()]), min_entries=3)
    every_minutes = SelectField("Every", choices=choices(EVERY_CHOICES), coerce=int, default=120)
    start = TimeField("From", validators=[Optional()], default=time(9, 0))
    end = TimeField("Until", validators=[Optional()], default=time(17, 0))
    weekdays = MultiCheckboxField("Days", choices=choices(DAY_CHOICES), coerce=int, default=sorted(ALL_DAYS))
    once_at = DateTimeLocalField("Date and time", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    enabled = BooleanField("On", default=True)

    def __init__(self, *args, routines: list[tuple[str, str]] = (), follow_up: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.routine.choices = choices([("", "Choose a routine"), *routines])
        if follow_up:
            self.kind.choices = choices([*KIND_CHOICES, ("follow_up", "Check-in after a spasm")])
        while len(self.times) < len(TIME_LABELS):
            self.times.append_entry()
        for index, entry in enumerate(self.times):
            entry.label.text = TIME_LABELS[index] if index < len(TIME_LABELS) else "Another time (optional)"

    def values(self, tz: str) -> dict:
        """The API's reminder shape, read from the form (times are wall times in `tz`)."""
        kind = self.kind.data
        values = {"title": self.title.data or "", "body": (self.body.data or "").strip() or None, "kind": kind,
                  "routine": (self.routine.data or None) if kind == "routine" else None,
                  "enabled": bool(self.enabled.data), "schedule": schedule_values(self, tz)}
        return values

    def fill(self, values: dict, tz: str, now: datetime) -> None:
        """Set the fields from a stored reminder or a preset (GET only)."""
        self.title.data = values.get("title", "")
        self.body.data = values.get("body") or ""
        self.kind.data = values.get("kind", "custom")
        self.routine.data = values.get("routine") or ""
        self.enabled.data = values.get("enabled", True)
        fill_schedule(self, values.get("schedule") or {}, tz, now)


# The schedule part of the form, shared with the trainer's assign form (coach/trainer/assignment_routes.py): a
# form with ReminderForm's schedule_type, times, every_minutes, start, end, weekdays and once_at fields.
SCHEDULE_FIELDS = ("schedule_type", "times", "every_minutes", "start", "end", "weekdays", "once_at")
# Where the service's field names land on a form with the schedule fields (the reminder form, the trainer's).
SCHEDULE_ALIASES = {
    "schedule": "schedule_type", "schedule.type": "schedule_type", "schedule.weekdays": "weekdays",
    "schedule.every_minutes": "every_minutes", "schedule.start": "start", "schedule.end": "end",
    "schedule.at": "once_at",
}
# The service's messages are written for API clients (formats, slugs); a form says the same in plain words.
SCHEDULE_WORDS = {"schedule.at": ("use an ISO 8601", "Choose the date and time.")}


def apply_schedule_errors(form: FlaskForm, error: ServiceError, aliases: dict[str, str] | None = None,
                          words: dict[str, tuple[str, str]] | None = None) -> None:
    """A service's refusal on a form with the schedule fields: each message beside its field, in plain words (a
    times message under the first time); the error's own message when no field is named."""
    for name, (api_words, plain) in {**SCHEDULE_WORDS, **(words or {})}.items():
        if error.fields.get(name, "").startswith(api_words):
            error.fields[name] = plain
    times_error = error.fields.pop("schedule.times", None)
    if times_error:
        first = form.times[0]
        first.errors = [*list(first.errors or []), times_error[:1].upper() + times_error[1:] + "."]
    if error.fields or not times_error:
        apply_errors(form, error, {**SCHEDULE_ALIASES, **(aliases or {})})


def schedule_values(form, tz: str) -> dict:
    """The API's schedule shape, read from the form's schedule fields (times are wall times in `tz`)."""
    kind_of_schedule = form.schedule_type.data
    days = sorted(set(form.weekdays.data or []))
    if kind_of_schedule == "interval":
        return {"type": "interval", "every_minutes": form.every_minutes.data,
                "start": _hhmm(form.start.data), "end": _hhmm(form.end.data), "weekdays": days}
    if kind_of_schedule == "once":
        at = form.once_at.data
        return {"type": "once", "at": at.replace(tzinfo=ZoneInfo(tz)).isoformat() if at else None}
    times = sorted({_hhmm(entry.data) for entry in form.times if entry.data})
    return {"type": "daily", "times": times, "weekdays": days}


def fill_schedule(form, schedule: dict, tz: str, now: datetime) -> None:
    """Set the form's schedule fields from a stored schedule (GET only)."""
    kind = schedule.get("type", "daily")
    form.schedule_type.data = kind
    if schedule.get("weekdays"):
        form.weekdays.data = list(schedule["weekdays"])
    if kind == "interval":
        form.every_minutes.data = schedule["every_minutes"]
        if schedule["every_minutes"] not in dict(EVERY_CHOICES):
            form.every_minutes.choices = choices(sorted([*EVERY_CHOICES, (schedule["every_minutes"],
                                                                          minutes(schedule["every_minutes"], long=True))]))
        form.start.data, form.end.data = _parse(schedule["start"]), _parse(schedule["end"])
    times = schedule.get("times") or []
    while len(form.times) < len(times) + 1:
        form.times.append_entry()
    for entry, value in zip(form.times, times + [None] * len(form.times), strict=False):
        entry.data = _parse(value) if value else None
    zone = ZoneInfo(tz)
    if kind == "once" and schedule.get("at"):
        form.once_at.data = datetime.fromisoformat(schedule["at"].replace("Z", "+00:00")).astimezone(zone).replace(
            tzinfo=None)
    else:
        # A sensible one-off default: the next full hour, in the person's zone.
        local = now.astimezone(zone).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        form.once_at.data = local.replace(tzinfo=None)


def _schedule(preset: dict) -> dict:
    kind = preset["type"]
    schedule: dict = {"type": kind}
    if kind == "daily":
        schedule.update(times=preset["times"], weekdays=preset["weekdays"])
    elif kind == "interval":
        schedule.update({k: preset[k] for k in ("every_minutes", "start", "end", "weekdays")})
    return schedule


def preset_values(name: str) -> dict:
    preset = PRESETS.get(name) or PRESETS["custom"]
    return {"title": preset["title"], "kind": preset["kind"], "routine": preset.get("routine"),
            "body": preset.get("body") or tip_body(preset["kind"]), "schedule": _schedule(preset), "enabled": True}


for _preset in PRESETS.values():
    if "{schedule}" in _preset["hint"]:
        _preset["hint"] = _preset["hint"].format(schedule=schedule_text(_schedule(_preset)))


def _hhmm(value: time | None) -> str | None:
    return hour_minute(value) if value else None


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))
