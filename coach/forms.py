"""Form helpers shared by every feature: map a service ValidationError onto a WTForms form."""
from __future__ import annotations

from flask_wtf import FlaskForm

from .errors import ServiceError


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
