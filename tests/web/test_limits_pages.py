"""The pages tell the browser the same limits the services check (coach/domain/limits.py): a form's Length
validator renders maxlength, so no template repeats a number."""
from __future__ import annotations

import re

from coach.domain import limits


def _attribute(html: str, name: str, attribute: str) -> int:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return int(re.search(rf'{attribute}="(\d+)"', tag).group(1))


def _maxlength(html: str, name: str) -> int:
    return _attribute(html, name, "maxlength")


def test_the_reminder_and_registration_forms_carry_the_limits(web, client):
    register = client.get("/register").get_data(as_text=True)
    assert _maxlength(register, "display_name") == limits.DISPLAY_NAME
    assert _maxlength(register, "email") == limits.EMAIL
    assert _maxlength(register, "password") == limits.PASSWORD
    web.register()
    form = client.get("/reminders/new?preset=custom").get_data(as_text=True)
    assert _maxlength(form, "title") == limits.REMINDER_TITLE
    assert _maxlength(form, "body") == limits.REMINDER_BODY


def test_both_new_password_fields_carry_and_say_the_service_minimum(web, client):
    register = client.get("/register").get_data(as_text=True)
    assert _attribute(register, "password", "minlength") == limits.PASSWORD_MIN
    assert f"At least {limits.PASSWORD_MIN} characters." in register
    web.register()
    change = client.get("/me/password").get_data(as_text=True)
    assert _attribute(change, "new_password", "minlength") == limits.PASSWORD_MIN
    assert f"At least {limits.PASSWORD_MIN} characters." in change
