"""Forms on a phone: what was typed is kept but never forced on the person, and a tap sends a form once."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from coach.extensions import db
from coach.models import Episode, Reminder
from tests.e2e.test_diary_browser import register


def count(server, model) -> int:
    with server.app.app_context():
        n = db.session.scalar(select(func.count(model.id)))
        db.session.remove()
        return n


def test_each_reminder_preset_keeps_its_own_draft_and_cancel_forgets_it(page, live_server):
    register(page, "drafts@example.com")
    page.goto("/reminders/new?preset=custom")
    page.get_by_label("Title").fill("Abandoned idea")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(re.compile(r"/reminders$"))
    # Another template shows its own values, not the abandoned typing.
    page.goto("/reminders/new?preset=hydration")
    expect(page.get_by_label("Title")).not_to_have_value("Abandoned idea")
    expect(page.locator(".draft-note")).to_have_count(0)
    # Cancelled: the same template starts clean too.
    page.goto("/reminders/new?preset=custom")
    expect(page.get_by_label("Title")).not_to_have_value("Abandoned idea")

    # Typing and leaving without Cancel (a phone call, another tab) is kept, and the page says so.
    page.get_by_label("Title").fill("Half-typed")
    page.goto("/reminders")
    page.goto("/reminders/new?preset=custom")
    expect(page.get_by_label("Title")).to_have_value("Half-typed")
    note = page.locator(".draft-note")
    expect(note).to_contain_text("We kept what you typed here earlier.")
    note.get_by_role("button", name="Start fresh").click()
    expect(page.get_by_label("Title")).not_to_have_value("Half-typed")
    expect(note).to_have_count(0)
    page.goto("/reminders")
    page.goto("/reminders/new?preset=custom")
    expect(page.get_by_label("Title")).not_to_have_value("Half-typed")
    assert page.js_errors == []


def test_a_double_tap_on_save_makes_one_reminder(page, live_server):
    register(page, "double@example.com")
    page.goto("/reminders/new?preset=custom")
    page.get_by_label("Title").fill("Only once")
    page.get_by_label("Time", exact=True).fill("07:30")
    page.get_by_role("button", name="Save reminder").dblclick()
    page.wait_for_url(re.compile(r"/reminders#reminder-\d+$"))
    page.wait_for_timeout(300)
    assert count(live_server, Reminder) == 1
    expect(page.locator("li.reminder", has_text="Only once")).to_have_count(1)


def test_back_after_saving_a_log_then_save_again_makes_no_second_episode(page, live_server):
    register(page, "back@example.com")
    page.goto("/log")
    page.locator("label.sev-tile", has_text=re.compile(r"^6$")).click()
    page.get_by_role("checkbox", name="Lower back", exact=True).check()
    page.get_by_role("button", name="Save episode").click()
    page.wait_for_url(re.compile(r"/diary#assessment$"))
    assert count(live_server, Episode) == 1
    page.go_back()
    page.wait_for_url(re.compile(r"/log$"))
    # The form is the page's own again (a new id, nothing chosen), not the sent copy.
    expect(page.get_by_role("checkbox", name="Lower back", exact=True)).not_to_be_checked()
    page.get_by_role("button", name="Save episode").click()
    expect(page.locator("#severity-error")).to_be_visible()
    assert count(live_server, Episode) == 1
