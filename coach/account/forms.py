"""Forms for the profile, password change and account deletion."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..domain import limits
from ..forms import BIRTH_YEAR_WHY, country_choices

# Plain-language questions for the risk fields (CONTENT.md, Profile). Answers only change which flags apply.
RISK_QUESTIONS = {
    "cancer_history": "I have had cancer",
    "osteoporosis": "I have osteoporosis (thin or fragile bones)",
    "long_term_steroids": "I have taken steroid tablets for a long time",
    "immunosuppressed": "My immune system is weakened (by illness or treatment)",
    "iv_drug_use": "I inject drugs, or have in the past",
    "kidney_disease": "I have kidney disease",
    "diuretics": "I take prescribed water tablets (diuretics)",
    "new_medicine_4_weeks": "I started a new prescribed medicine in the last 4 weeks",
    "heavy_sweater": "I sweat very heavily when I train",
}


# CONTENT.md section 0: the fixed copy wherever medicines come up.
MEDICINES = "Medicines are a decision for your doctor. Don't start, stop or change them yourself."


class RiskQuestionFields:
    """One tick box per risk question (RISK_QUESTIONS), shared by ProfileForm and ProfilePromptForm."""

    cancer_history = BooleanField(RISK_QUESTIONS["cancer_history"])
    osteoporosis = BooleanField(RISK_QUESTIONS["osteoporosis"])
    long_term_steroids = BooleanField(RISK_QUESTIONS["long_term_steroids"])
    immunosuppressed = BooleanField(RISK_QUESTIONS["immunosuppressed"])
    iv_drug_use = BooleanField(RISK_QUESTIONS["iv_drug_use"])
    kidney_disease = BooleanField(RISK_QUESTIONS["kidney_disease"])
    diuretics = BooleanField(RISK_QUESTIONS["diuretics"])
    new_medicine_4_weeks = BooleanField(RISK_QUESTIONS["new_medicine_4_weeks"])
    heavy_sweater = BooleanField(RISK_QUESTIONS["heavy_sweater"])


class ProfileForm(RiskQuestionFields, FlaskForm):
    display_name = StringField("Your name", validators=[DataRequired("Enter a name."), Length(max=limits.DISPLAY_NAME)])
    timezone = StringField(
        "Time zone", validators=[DataRequired("Enter your time zone."), Length(max=limits.TIMEZONE)], description="Example: Europe/London."
    )
    country = SelectField("Country", validators=[DataRequired("Choose your country.")], description="For the emergency number.")
    birth_year = IntegerField(
        "Birth year",
        # max: a mistyped year (3000) is named with the other fields' errors; the service refuses any future year.
        validators=[Optional(), NumberRange(min=limits.BIRTH_YEAR_MIN, max=2100, message="Enter a year like 1990.")],
        description="Optional. Some advice depends on age.",
    )
    quiet_start = TimeField("Quiet from", validators=[Optional()], description="Optional. For example 22:00.")
    quiet_end = TimeField("Quiet until", validators=[Optional()], description="For example 07:00.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class ProfilePromptForm(RiskQuestionFields, FlaskForm):
    """The one card after the first spasm: the birth year (when missing) and the risk questions."""

    birth_year = StringField("Birth year (optional)", description=BIRTH_YEAR_WHY)
    # Here the medicine question carries the fixed medicine copy (the profile page shows it under the questions).
    new_medicine_4_weeks = BooleanField(RISK_QUESTIONS["new_medicine_4_weeks"], description=MEDICINES)
    back = HiddenField()  # the page the card was on: "home" or "diary"


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a new password."), Length(max=limits.PASSWORD)],
        description=f"At least {limits.PASSWORD_MIN} characters. Signs you out on your other devices.",
        render_kw={"minlength": limits.PASSWORD_MIN},  # the rule itself is the service's (auth/passwords.py)
    )


class DeleteForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired("Enter your password to confirm.")])
