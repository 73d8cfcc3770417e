"""The body map on a 320 px phone: keyboard only (Tab, then Enter or Space) in the detailed log and in SOS."""
from __future__ import annotations

import os
import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coach.extensions import db
from coach.models import Episode
from tests.e2e.conftest import assert_no_axe_violations, open_phone, register

SMALL_PHONE = {"width": 320, "height": 568}
SHOTS = os.environ.get("BODYMAP_SHOTS")  # a folder: the test leaves its screenshots there to look at


@pytest.fixture
def small(browser, relief_server):
    def make(color_scheme="light"):
        context, page = open_phone(browser, relief_server, SMALL_PHONE, color_scheme=color_scheme)
        contexts.append(context)
        return page

    contexts = []
    yield make
    for context in contexts:
        context.close()


def focused_name(page) -> str:
    return page.evaluate("() => (document.activeElement.getAttribute('aria-label') || document.activeElement.textContent).trim()")


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the button called `name` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_name(page) == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=False)


def regions_fit(page, view: str) -> None:
    """Every region of the view is at least 44 x 44 px, inside the screen, and nothing scrolls sideways."""
    buttons = page.locator(f'[data-view="{view}"] .region').all()
    assert buttons
    for button in buttons:
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (button.text_content(), box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]


def wait_for_episode(server, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with server.app.app_context():
            episode = db.session.scalars(select(Episode)).first()
            db.session.remove()
        if episode is not None:
            return episode
        time.sleep(0.1)
    raise AssertionError("no episode saved")


def test_detailed_log_jaw_and_left_hand_by_keyboard(small, live_server):
    page = small()
    register(page, "map-form@example.com", name="Map User")
    page.goto("/log")
    page.locator("label.sev-tile", has_text=re.compile(r"^6$")).click()  # severity, the one answer needed
    map_ = page.locator('[data-bodymap="multi"]')
    map_.scroll_into_view_if_needed()
    regions_fit(page, "back")

    page.locator('[data-bodymap="multi"] [data-view-toggle="back"]').focus()
    tab_to(page, "Front")
    page.keyboard.press("Space")
    expect(page.get_by_role("group", name="Front of the body")).to_be_visible()
    regions_fit(page, "front")
    tab_to(page, "Jaw")
    page.keyboard.press("Enter")
    tab_to(page, "Hand, left")
    page.keyboard.press("Space")

    expect(page.get_by_role("button", name="Jaw")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Hand, left")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Hand, right")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-bodymap-chosen]")).to_have_text("Chosen: Hand, left; Jaw")
    # The form's own values follow: the list of places and the one side of the log.
    expect(page.get_by_role("checkbox", name="Jaw", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Hand", exact=True)).to_be_checked()
    expect(page.locator('input[name="side"][value="left"]')).to_be_checked()
    page.get_by_role("group", name="Front of the body").scroll_into_view_if_needed()
    shot(page, "form-front-light")
    assert_no_axe_violations(page)

    # Taking a place back un-ticks it.
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Hand", exact=True)).not_to_be_checked()
    page.keyboard.press("Space")

    page.get_by_role("button", name="Save episode").click()
    episode = wait_for_episode(live_server)
    assert sorted(episode.locations) == ["hand", "jaw"] and episode.side == "left"
    assert page.js_errors == []


def test_sos_left_hand_by_keyboard_answers_where_and_moves_on(small, live_server):
    page = small()
    register(page, "map-sos@example.com", name="Map User")
    page.goto("/sos")
    page.get_by_role("link", name="No to all of these").click()
    page.locator("#severity").get_by_role("button", name="5", exact=True).click()
    expect(page.get_by_role("group", name="Back of the body")).to_be_visible()
    regions_fit(page, "back")
    shot(page, "sos-back-light")

    page.locator('[data-bodymap="single"] [data-view-toggle="back"]').focus()
    tab_to(page, "Front")
    page.keyboard.press("Enter")
    regions_fit(page, "front")
    tab_to(page, "Hand, left")
    page.keyboard.press("Enter")
    expect(page.get_by_text("What were you doing?")).to_be_visible()  # a tap answers and moves on
    page.get_by_role("button", name="Lifting").click()
    episode = wait_for_episode(live_server)
    assert (episode.locations, episode.side, episode.severity) == (["hand"], "left", 5)
    assert page.js_errors == []


def test_the_map_in_dark_mode(small, live_server):
    page = small("dark")
    register(page, "map-dark@example.com", name="Map User")
    page.goto("/log")
    page.get_by_role("button", name="Lower back, left").click()
    page.get_by_role("button", name="Calf, right").click()
    expect(page.locator('input[name="side"][value="both"]')).to_be_checked()  # left and right: both sides
    page.get_by_role("group", name="Back of the body").scroll_into_view_if_needed()
    shot(page, "form-back-dark")
    fill = page.locator(".bodymap-body").first.evaluate("el => getComputedStyle(el).fill")
    assert fill != "rgb(0, 0, 0)"  # drawn in the dark palette, not a black figure on a dark page
    assert_no_axe_violations(page)
