"""Diary forms: the detailed log (also used to edit), the follow-up check-in, the history filter, the report period."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain import codes
from ..domain.isodates import EARLIEST_DAY, DateTextError, parse_day


class DayField(DateField):
    """A YYYY-MM-DD query date read as the API reads one (coach.domain.isodates): a day outside the range the app
    can count with (a mistyped year such as 0202 or 20260) is an error, which the pages answer by ignoring it."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        try:
            self.data = parse_day(" ".join(valuelist))
        except DateTextError as error:
            if error.reason == "range":
                raise ValueError(f"Choose a date from {EARLIEST_DAY.year} on.") from None
            raise ValueError(self.gettext("Not a valid date value.")) from None


# Codes are checked by the service (the same messages as the API), so the fields accept any value
# (validate_choice=False) and the form only parses.


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


SEVERITY_CHOICES = options((str(n), str(n)) for n in range(codes.SEVERITY_RANGE[0], codes.SEVERITY_RANGE[1] + 1))
# The diary's "Severity at least" starts at 1: at least 0 would be every spasm with a severity, which "Any" says
# better (and Any keeps those logged without one).
MIN_SEVERITIES = tuple(str(n) for n in range(1, codes.SEVERITY_RANGE[1] + 1))
YES_NO = options([("yes", "Yes"), ("no", "No")])
# A question may be skipped: the blank choice (checked until the person picks another) is stored as null,
# "not recorded" (CONTENT.md section 0), never as "No".
SKIP = ("", "Skip")
YES_NO_SKIP = options([("yes", "Yes"), ("no", "No"), SKIP])
YES_NO_UNSURE = options([("yes", "Yes"), ("no", "No"), ("", "Not sure or didn't try")])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _codes_field(label: str, labels: dict[str, str], description: str = "") -> MultiCheckboxField:
    return MultiCheckboxField(label, choices=options(labels.items()), validate_choice=False, description=description)


def _symptoms_field() -> MultiCheckboxField:
    wording = {code: text[:1].upper() + text[1:] for code, (text, _, _) in codes.SYMPTOMS.items()}
    return _codes_field("Did you notice any of these?", wording, "Tick any that are true. Some of them mean you should see a doctor.")


class EpisodeForm(FlaskForm):
    client_id = HiddenField()
    started_date = DateField("Date", validators=[InputRequired("Enter the date it started.")], format="%Y-%m-%d")
    started_time = TimeField("Time", validators=[InputRequired("Enter the time it started.")], format="%H:%M")
    severity = RadioField(
        "How bad was it at its worst?", choices=SEVERITY_CHOICES, validate_choice=False,
        description="0 is no pain, 10 the worst you can imagine.",
    )
    locations = _codes_field("Where was it?", codes.LOCATION_LABELS, "Tick every place that hurt or locked.")
    # No "Not sure" for side: it has no unknown code (CONTENT.md section 1), and "Not sure" means "unknown" elsewhere.
    side = RadioField("Which side?", choices=options([*codes.SIDE_LABELS.items(), SKIP]), validate_choice=False, default="")
    trigger = RadioField(
        "What were you doing?", choices=options([*codes.TRIGGER_LABELS.items(), SKIP]), validate_choice=False, default="",
    )
    during_exercise = RadioField("Were you exercising?", choices=YES_NO_SKIP, validate_choice=False, default="")
    exercise = StringField("Which exercise?", validators=[Optional()], description='For example "deadlift" or "5 km run".')
    load_kg = StringField("Load in kg", validators=[Optional()], description="The weight you were lifting, if any.")
    locked_minutes = StringField(
        "How many minutes did the muscle stay locked hard?", validators=[Optional()],
        description="0 if it never locked. Up to 1440 (a whole day). Leave it empty if you don't know.",
    )
    eased_by_stretch = RadioField("Did stretching ease it?", choices=YES_NO_UNSURE, validate_choice=False, default="")
    symptoms = _symptoms_field()
    relief_used = StringField("What did you try for relief?", validators=[Optional()], description="For example heat, walking, a routine.")
    notes = TextAreaField("Notes", validators=[Optional()], description="Anything else you want to remember or tell a doctor.")


class FollowUpForm(FlaskForm):
    client_id = HiddenField()
    status = RadioField("How is it now?", choices=options(codes.FOLLOW_UP_STATUS_LABELS.items()), validate_choice=False)
    severity = RadioField(
        "How bad is it now?", choices=SEVERITY_CHOICES, validate_choice=False,
        description="Optional. 0 is no pain, 10 the worst you can imagine.",
    )
    symptoms = _symptoms_field()
    notes = TextAreaField("Notes", validators=[Optional()])


class FilterForm(FlaskForm):
    """GET form on the diary: no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    start = DayField("From", validators=[Optional()])
    end = DayField("To", validators=[Optional()])
    location = SelectField("Where", choices=options([("", "Anywhere"), *codes.LOCATION_LABELS.items()]), validators=[Optional()])
    trigger = SelectField("Doing", choices=options([("", "Anything"), *codes.TRIGGER_LABELS.items()]), validators=[Optional()])
    min_severity = SelectField(
        "Severity at least", choices=options([("", "Any"), *((n, n) for n in MIN_SEVERITIES)]), validators=[Optional()],
    )


REPORT_PERIODS = options([("30", "30 days"), ("90", "90 days"), ("180", "6 months"), ("365", "1 year")])


class ReportForm(FlaskForm):
    class Meta:
        csrf = False

    days = SelectField("Period", choices=REPORT_PERIODS, default="90", validators=[Optional()])
    end = DayField("Ending on", validators=[Optional()], description="Leave empty for today.")
