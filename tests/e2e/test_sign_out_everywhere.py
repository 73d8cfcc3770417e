"""Two phones of one person in Chromium: "Sign out" on one leaves the other signed in; "Sign out everywhere"
asks first, clears this phone like "Sign out" does (app.js, data-logout) and signs the other phone out too."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.e2e.conftest import PHONE, open_phone, register
from tests.factories import PASSWORD

EMAIL = "two.phones@example.com"


def _sign_in(page) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def _signed_in(page) -> bool:
    page.goto("/me")
    return urlsplit(page.url).path == "/me"  # signed out, /me sends to /login?next=/me


def test_sign_out_here_then_everywhere(browser, live_server):
    first_context, first = open_phone(browser, live_server, PHONE)
    second_context, second = open_phone(browser, live_server, PHONE)
    try:
        register(first, EMAIL)
        _sign_in(second)

        first.goto("/me")
        first.get_by_role("button", name="Sign out", exact=True).click()
        first.wait_for_url(re.compile(r"/login"))
        assert _signed_in(second)

        _sign_in(first)
        first.goto("/me")
        first.evaluate("sessionStorage.setItem('coach:draft', 'typed on this phone')")
        questions = []

        def answer(dialog):
            questions.append(dialog.message)
            dialog.dismiss() if len(questions) == 1 else dialog.accept()

        first.on("dialog", answer)
        everywhere = first.get_by_role("button", name="Sign out everywhere")
        everywhere.click()
        first.wait_for_timeout(300)
        assert urlsplit(first.url).path == "/me"  # "Cancel" keeps every phone signed in
        everywhere.click()
        first.wait_for_url(re.compile(r"/login"))
        assert questions[0].startswith("Sign out on every phone and computer")
        assert first.get_by_text("You are signed out everywhere, on this phone too.").is_visible()
        assert first.evaluate("sessionStorage.getItem('coach:draft')") is None
        assert not _signed_in(second)
        assert first.js_errors == [] and second.js_errors == []
    finally:
        first_context.close()
        second_context.close()
