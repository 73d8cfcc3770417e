"""Sign-in and registration forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..domain import limits
from ..forms import BIRTH_YEAR_WHY, country_choices


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=limits.EMAIL)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=limits.PASSWORD)])
    next = HiddenField()


class RegisterForm(FlaskForm):
    next = HiddenField()  # where to go once signed up (an invite link's /join/<code>): checked by safe_next
    display_name = StringField(
        "Your name", validators=[DataRequired("Enter a name."), Length(max=limits.DISPLAY_NAME)], description="Shown to you and to anyone you link with: a trainer whose invite you accept, or the clients you invite."
    )
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=limits.EMAIL)])
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password."), Length(max=limits.PASSWORD)],
        description=f"At least {limits.PASSWORD_MIN} characters. A short phrase is easier to type and harder to guess.",
        render_kw={"minlength": limits.PASSWORD_MIN},  # the rule itself is the service's (auth/passwords.py)
    )
    role = RadioField(
        "I am",
        choices=[SelectChoice("athlete", "Someone who trains and gets back spasms"), SelectChoice("trainer", "A trainer or coach")],
        default="athlete",
        validators=[DataRequired("Choose one.")],
    )
    timezone = StringField(
        "Time zone",
        validators=[DataRequired("Enter your time zone."), Length(max=limits.TIMEZONE)],
        description="Filled in from your phone. Reminders use it. Example: Europe/London.",
    )
    country = SelectField(
        "Country",
        validators=[DataRequired("Choose your country.")],
        description="Used for the emergency number we show you.",
    )
    # Text, not IntegerField: the service checks the year once for the form and the API, in plain words.
    birth_year = StringField("Birth year (optional)", description=BIRTH_YEAR_WHY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [SelectChoice("", "Choose…"), *country_choices()]
