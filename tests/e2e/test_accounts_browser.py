"""A person's path on a phone: register, sign in, edit the profile, sign out; install; offline; accessibility."""
from __future__ import annotations

import re

from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import PASSWORD


def register(page, email="phone@example.com", name="Phone User"):
    page.goto("/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Country").select_option("DE")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/$"))


def test_register_login_edit_profile_logout(page):
    page.goto("/register")
    # The time zone is detected by the browser and stays editable.
    timezone = page.get_by_label("Time zone")
    assert timezone.input_value() != ""
    timezone.fill("Europe/Berlin")
    register(page)
    assert page.get_by_role("heading", name="Hi, Phone User").is_visible()

    page.get_by_role("link", name="Me", exact=True).click()
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("Birth year").fill("1971")
    page.get_by_label("I have osteoporosis (thin or fragile bones)").check()
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(re.compile(r"/me$"))
    assert page.get_by_text("1971").is_visible()
    assert "I have osteoporosis (thin or fragile bones): Yes" in page.locator("#risk-answers").inner_text()

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto("/me")
    assert "/login" in page.url

    page.get_by_label("Email").fill("phone@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/me$"))
    assert page.get_by_role("heading", name="Phone User").is_visible()
    assert page.js_errors == []


def test_fits_a_phone_screen_without_sideways_scroll(page):
    for path in ("/", "/register", "/login"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    nav = page.get_by_role("navigation", name="Main")
    for item in nav.get_by_role("link").all():
        box = item.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48


def test_no_accessibility_violations(page):
    for path in ("/", "/register", "/login", "/offline"):
        page.goto(path)
        assert_no_axe_violations(page)
    register(page, email="axe@example.com")
    for path in ("/", "/me", "/me/edit", "/me/password", "/me/delete"):
        page.goto(path)
        assert_no_axe_violations(page)
    # Error state of a form is accessible too.
    page.goto("/me/password")
    page.get_by_role("button", name="Change password").click()
    assert_no_axe_violations(page)


def _wait_for_service_worker(page):
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15_000)


def test_manifest_has_no_installability_errors(persistent_context):
    page = persistent_context.new_page()
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    session = persistent_context.new_cdp_session(page)
    errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []
    manifest = session.send("Page.getAppManifest")
    assert manifest["errors"] == []


def test_offline_navigation_shows_the_offline_page(persistent_context):
    page = persistent_context.new_page()
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    _wait_for_service_worker(page)
    persistent_context.set_offline(True)
    page.goto("/me/edit")  # never cached: personal
    assert page.get_by_role("heading", name=re.compile("offline", re.I)).is_visible()
    page.goto("/sos")  # precached at install
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert page.title() != ""
    persistent_context.set_offline(False)


def test_signing_out_asks_before_unsent_offline_logs_are_lost(page):
    register(page, email="outbox@example.com")
    page.goto("/me")
    page.wait_for_function("window.CoachOutbox !== undefined")
    # A log the server refuses stays in this phone's outbox (as one made offline that cannot be sent).
    page.evaluate(
        """() => CoachOutbox.add('episode', '/api/v1/episodes',
               {started_at: new Date().toISOString(), severity: 99})"""
    )
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_timeout(500)
    assert messages and messages[0].startswith("1 log has not reached your diary yet")
    assert page.url.endswith("/me")  # still signed in, nothing deleted
    assert page.evaluate("CoachOutbox.all().then(items => items.length)") == 1

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/login"))


def test_signing_out_with_nothing_waiting_asks_nothing(page):
    register(page, email="clean@example.com")
    page.goto("/me")
    page.wait_for_function("window.CoachOutbox !== undefined")
    page.on("dialog", lambda dialog: (_ for _ in ()).throw(AssertionError(f"unexpected dialog: {dialog.message}")))
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/login"))
