"""The error summary on the smallest phone (320 x 568, real Chromium): a form sent back with errors opens on an
alert at the top that has the focus and is on screen, and each of its lines, "Label: what is wrong", moves the
focus to its field. The detailed log's check with no connection says the same as the server."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_axe_violations, open_phone, register

SMALLEST = {"width": 320, "height": 568}


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_register_with_bad_answers_opens_on_the_summary_at_320px(browser, live_server):
    context, page = open_phone(browser, live_server, SMALLEST)
    page.goto("/register")
    page.get_by_label("Your name").fill("Sam")
    page.get_by_label("Email").fill("bad")
    page.get_by_label("Password").fill("x")
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Birth year (optional)").fill("3000")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert"
    assert focused_id(page) == "error-summary", "the summary takes the focus, not the page's body"
    box = summary.bounding_box()
    assert 0 <= box["y"] < SMALLEST["height"], "the summary is on screen when the page opens"
    assert summary.get_by_role("heading").inner_text() == "Some answers need another look"
    links = summary.get_by_role("link")
    texts = links.all_inner_texts()
    assert [t.split(":")[0] for t in texts] == ["Email", "Password", "Birth year (optional)"]
    assert texts[0] == "Email: " + page.locator("#email-error").inner_text()
    for link in links.all():
        assert link.bounding_box()["height"] >= 44, link.inner_text()

    links.nth(2).click()
    assert focused_id(page) == "birth_year"
    field = page.get_by_label("Birth year (optional)").bounding_box()
    assert 0 <= field["y"] < SMALLEST["height"], "the field is brought on screen"
    assert page.get_by_label("Birth year (optional)").input_value() == "3000", "what was typed stays"
    links.nth(0).click()
    assert focused_id(page) == "email"
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALLEST["width"]
    assert_no_axe_violations(page)
    assert page.js_errors == []
    context.close()


def test_a_wrong_password_at_sign_in_is_said_at_the_top_with_the_focus(browser, live_server):
    context, page = open_phone(browser, live_server, SMALLEST)
    page.goto("/login")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not the password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Wrong email or password.")
    assert focused_id(page) == "error-summary"
    context.close()


def test_the_offline_check_of_the_log_names_each_field_like_the_server(browser, live_server):
    context, page = open_phone(browser, live_server, SMALLEST)
    register(page, "offline-summary@example.com")
    page.goto("/log")
    context.set_offline(True)
    page.locator("#more-details > summary").click()
    page.get_by_label("Which exercise?").fill("e" * 539)
    page.get_by_label("Load in kg").fill("2000")
    page.get_by_role("button", name="Save episode").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert focused_id(page) == "error-summary"
    assert summary.get_by_role("link").all_inner_texts() == [
        "How bad was it at its worst: Choose a number from 0 to 10.",
        "Which exercise: 539 characters; the limit is 80: shorten it by 459.",
        "Load in kg: Must be a number from 0 to 1000.",
    ], "in the order of the page, in the server's words"
    summary.get_by_role("link", name=re.compile("^Which exercise")).click()
    assert focused_id(page) == "exercise"
    assert page.get_by_label("Which exercise?").input_value() == "e" * 539, "nothing is cut"
    context.close()
