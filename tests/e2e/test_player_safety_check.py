"""The safety check before a routine started outside SOS (CONTENT.md section 0: "before a routine is started when no
check was answered in the last 12 hours"), on phones of 320 x 568 and 360 x 640: the player asks it first on a fresh
phone, "No to all" then Start runs the routine, a "Yes" is saved on the spasm's log and opens the emergency screen,
an answer from SOS within 12 hours is not asked again, an older one is. Without script the check's links stay."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coach.extensions import db
from coach.models import Episode
from tests.e2e.conftest import SAFETY_CHECKED_KEY, assert_no_axe_violations, open_phone, register
from tests.e2e.test_relief_browser import first_step_showing

SIZES = [pytest.param({"width": 320, "height": 568}, id="320x568"), pytest.param({"width": 360, "height": 640}, id="360x640")]
PLAYER = "/routines/floor-mobility/play"
HEADING = "Since this spasm started, have you had any of these?"


@pytest.fixture(params=SIZES)
def fresh_phone(request, browser, relief_server):
    """A phone that has never answered the safety check."""
    context, page = open_phone(browser, relief_server, request.param, safety_checked=False)
    page.size = request.param
    yield page
    context.close()


def asks_the_check(page):
    expect(page.get_by_role("heading", name="Quick safety check")).to_be_visible()
    expect(page.get_by_text(HEADING)).to_be_visible()
    expect(page.locator("[data-safety-yes]")).to_have_count(10)
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_hidden()


def answered_at(page):
    return page.evaluate(f"localStorage.getItem('{SAFETY_CHECKED_KEY}')")


def test_a_fresh_phone_is_asked_first_and_no_to_all_then_start_runs_the_routine(fresh_phone):
    page = fresh_phone
    page.goto(PLAYER)
    asks_the_check(page)
    # The same ten items, in CONTENT.md's order, as on SOS.
    items = page.locator(".safety-q").all_inner_texts()
    assert items[0].startswith("Numbness or tingling in the genitals") and items[-1].startswith("A serious accident")
    expect(page.get_by_label("I have ever had cancer")).to_be_visible()  # the non-blocking line, with its ticks
    assert page.evaluate("document.documentElement.scrollWidth") <= page.size["width"]
    assert_no_axe_violations(page)
    assert answered_at(page) is None
    page.get_by_role("link", name="No to all of these").click()  # one tap
    expect(page.get_by_role("heading", name="Quick safety check")).to_be_hidden()
    before = int(answered_at(page))
    assert abs(before - time.time() * 1000) < 60_000
    page.get_by_role("button", name="Start", exact=True).click()
    first_step_showing(page)
    # Asked once: the next routine within 12 hours starts at its intro.
    page.goto("/routines/heat/play")
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Quick safety check")).to_be_hidden()
    assert page.js_errors == []


def test_a_yes_is_saved_on_the_spasms_log_and_opens_the_emergency_screen(fresh_phone, relief_server):
    page = fresh_phone
    register(page, f"player-yes-{page.size['width']}@example.com")
    page.goto(PLAYER)
    asks_the_check(page)
    page.get_by_role("link", name=re.compile(r"^Yes\W*Chest pain or a spasm in the chest")).click()
    page.wait_for_url(re.compile(r"/emergency\?reason=chest_pain$"))
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    deadline = time.monotonic() + 10
    episode = None
    while time.monotonic() < deadline and episode is None:
        with relief_server.app.app_context():
            episode = db.session.scalars(select(Episode)).first()
            db.session.remove()
        time.sleep(0.2)
    assert episode is not None and episode.symptoms == ["chest_pain"]
    # The spasm this phone is in (contract 6) is the one the answer was saved on; a "Yes" is no all-clear.
    spasm = page.evaluate("JSON.parse(localStorage.getItem('coach:spasm'))")
    assert spasm["client_id"] == str(episode.client_id)
    assert answered_at(page) is None


def test_an_accident_yes_is_saved_as_the_trigger(fresh_phone, relief_server):
    page = fresh_phone
    register(page, f"player-accident-{page.size['width']}@example.com")
    page.goto(PLAYER)
    page.get_by_role("link", name=re.compile(r"^Yes\W*A serious accident")).click()
    page.wait_for_url(re.compile(r"/emergency\?reason=accident$"))
    deadline = time.monotonic() + 10
    episode = None
    while time.monotonic() < deadline and episode is None:
        with relief_server.app.app_context():
            episode = db.session.scalars(select(Episode)).first()
            db.session.remove()
        time.sleep(0.2)
    assert episode is not None and episode.trigger == "accident"


def test_after_sos_the_player_does_not_ask_again_within_12_hours_and_asks_after(fresh_phone):
    page = fresh_phone
    page.goto("/sos")
    page.get_by_role("link", name="No to all of these").click()
    expect(page.get_by_role("heading", name="Quick log")).to_be_visible()
    assert answered_at(page) is not None  # SOS records the answer too
    page.get_by_role("link", name="Start relief now").click()
    first_step_showing(page)  # SOS's path into the player (?from=sos) does not ask twice
    expect(page.get_by_role("heading", name="Quick safety check")).to_be_hidden()
    # Later, from the library: 11 hours 50 minutes after the answer, no second check.
    page.evaluate(f"localStorage.setItem('{SAFETY_CHECKED_KEY}', String(Date.now() - (11 * 60 + 50) * 60e3))")
    page.goto(PLAYER)
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Quick safety check")).to_be_hidden()
    # 12 hours and 1 minute: asked again.
    page.evaluate(f"localStorage.setItem('{SAFETY_CHECKED_KEY}', String(Date.now() - (12 * 60 + 1) * 60e3))")
    page.goto(PLAYER)
    asks_the_check(page)


def test_a_tick_on_the_urgent_line_is_saved_and_its_advice_stands_above_start(fresh_phone, relief_server):
    page = fresh_phone
    register(page, f"player-tick-{page.size['width']}@example.com", country="GB")
    page.goto(PLAYER)
    page.get_by_label("The muscle has stayed locked hard for more than an hour").check()
    expect(page.locator("[data-urgent-status]")).to_contain_text("Saved")
    page.get_by_role("link", name="No to all of these").click()
    heading = page.get_by_role("heading", name="See a doctor today")
    expect(heading).to_be_visible()
    expect(page.locator("[data-check-urgent] [data-urgent-advice-text]")).to_have_text(
        "Book or call now: an urgent GP appointment, or call 111 "
        "(in Northern Ireland, your GP or the GP out-of-hours service).")
    start = page.get_by_role("button", name="Start", exact=True)
    assert start.bounding_box()["y"] > heading.bounding_box()["y"]
    deadline = time.monotonic() + 10
    episode = None
    while time.monotonic() < deadline and episode is None:
        with relief_server.app.app_context():
            episode = db.session.scalars(select(Episode)).first()
            db.session.remove()
        time.sleep(0.2)
    assert episode is not None and episode.locked_minutes == 61
    start.click()
    first_step_showing(page)


def test_without_script_the_check_and_its_links_come_before_the_routine(browser, relief_server):
    context, page = open_phone(browser, relief_server, {"width": 320, "height": 568}, safety_checked=False,
                               java_script_enabled=False)
    page.goto(PLAYER)
    heading = page.get_by_role("heading", name="Quick safety check")
    expect(heading).to_be_visible()
    yes = page.get_by_role("link", name=re.compile(r"^Yes\W*Numbness or tingling in the genitals"))
    expect(yes).to_have_attribute("href", "/emergency?reason=saddle_numbness")
    assert heading.bounding_box()["y"] < page.get_by_text("How bad is the pain before you start?").bounding_box()["y"]
    yes.click()
    page.wait_for_url(re.compile(r"/emergency\?reason=saddle_numbness$"))
    context.close()
