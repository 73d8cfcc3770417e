"""Form helpers shared by every feature: a service ValidationError onto a form, country choices, a typed year."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice

from .errors import ServiceError
from .reference import countries

# One line on why the birth year is asked, at sign-up, in the profile and in the profile prompt.
BIRTH_YEAR_WHY = "Some of the app's warning rules depend on your age. The year is enough."


def country_choices() -> list:
    return [SelectChoice(code, name) for code, name in countries()]


def parse_year(text: str | None) -> int | str | None:
    """A typed year for the service: blank is None (not given); digits a number; anything else goes on as typed
    so the service answers it with the same words as the API."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() else text


def apply_errors(form: FlaskForm, error: ServiceError, aliases: dict[str, str] | None = None) -> None:
    aliases = aliases or {}
    placed = False
    for name, message in error.fields.items():
        field = getattr(form, aliases.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            sentence = message[:1].upper() + message[1:]
            field.errors = [*list(field.errors or []), sentence if sentence.endswith((".", "?", "!")) else sentence + "."]
            placed = True
    if not placed:
        form.form_errors.append(error.message)
