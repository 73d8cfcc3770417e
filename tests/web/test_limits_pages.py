"""The pages tell the browser the same limits the services check (coach/domain/limits.py): a form's Length
validator renders maxlength, so no template repeats a number."""
from __future__ import annotations

import re

from coach.domain import limits


def _maxlength(html: str, name: str) -> int:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return int(re.search(r'maxlength="(\d+)"', tag).group(1))


def test_the_reminder_and_registration_forms_carry_the_limits(web, client):
    register = client.get("/register").get_data(as_text=True)
    assert _maxlength(register, "display_name") == limits.DISPLAY_NAME
    assert _maxlength(register, "email") == limits.EMAIL
    assert _maxlength(register, "password") == limits.PASSWORD
    web.register()
    form = client.get("/reminders/new?preset=custom").get_data(as_text=True)
    assert _maxlength(form, "title") == limits.REMINDER_TITLE
    assert _maxlength(form, "body") == limits.REMINDER_BODY
