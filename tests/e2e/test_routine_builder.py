"""The routine builder on a phone (real Chromium): a trainer builds a two-step routine, reorders it by keyboard
(the focus stays on the moved step, the change is announced) and by dragging, saves it, and previews it in the
real player, which records nothing. Its pages fit 320 and 360 px wide, light and dark."""
from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from coach.extensions import db
from coach.models import Routine, RoutineSession, RoutineStep
from tests.e2e.conftest import PASSWORD, assert_no_axe_violations, open_phone

PHONE = {"width": 360, "height": 640}
SIZES = {"320x568": {"width": 320, "height": 568}, "360x640": PHONE}


def register_trainer(page, email):
    page.goto("/register")
    page.get_by_label("Your name").fill("Coach Kim")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("A trainer or coach").check()
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(lambda url: "/register" not in url)


def fill_step(page, index, title, instruction, seconds):
    page.locator(f"#steps-{index}-title").fill(title)
    page.locator(f"#steps-{index}-instruction").fill(instruction)
    page.locator(f"#steps-{index}-seconds").fill(seconds)


def step_titles(page):
    return page.locator("[data-steps] input[name$='-title']").evaluate_all("els => els.map(e => e.value)")


def test_build_reorder_by_keyboard_and_preview_in_the_player(browser, relief_server):
    context, page = open_phone(browser, relief_server, PHONE)
    try:
        register_trainer(page, "coach@example.com")
        page.goto("/trainer/routines/new")
        page.get_by_label("Routine title").fill("Desk reset")
        fill_step(page, 0, "Shoulder rolls", "Roll both shoulders back slowly.", "2")
        page.get_by_role("button", name="Add my own step").click()
        expect(page.locator("#steps-1-title")).to_be_focused()
        fill_step(page, 1, "Neck turn", "Turn your head left, then right.", "2")

        # By keyboard: focus step 2's Move up and press Enter.
        page.locator("#steps-1-up").focus()
        page.keyboard.press("Enter")
        assert step_titles(page) == ["Neck turn", "Shoulder rolls"]
        # At the top Move up is off, so the focus is on the same step's Move down.
        expect(page.locator("#steps-0-down")).to_be_focused()
        expect(page.locator("#steps-0-up")).to_be_disabled()
        expect(page.locator("[data-builder-live]")).to_have_text("Neck turn moved to step 1 of 2.")
        expect(page.locator("[data-steps] > li").first.locator("[data-step-label]")).to_have_text("Step 1")
        assert_no_axe_violations(page)

        # By touch: drag step 2 by its handle above step 1 (and back to the keyboard's order after).
        handle = page.locator("[data-steps] > li").nth(1).locator("[data-drag-handle]")
        first = page.locator("[data-steps] > li").first.bounding_box()
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2, first["y"] + 5, steps=8)
        page.mouse.up()
        assert step_titles(page) == ["Shoulder rolls", "Neck turn"]
        expect(page.locator("[data-builder-live]")).to_have_text("Shoulder rolls moved to step 1 of 2.")
        page.locator("#steps-1-up").click()
        assert step_titles(page) == ["Neck turn", "Shoulder rolls"]

        page.get_by_role("button", name="Save routine").click()
        page.wait_for_url(re.compile(r"/trainer/routines/\d+$"))
        with relief_server.app.app_context():
            routine = db.session.scalar(select(Routine).where(Routine.is_stock.is_(False)))
            titles = list(db.session.scalars(select(RoutineStep.title).where(RoutineStep.routine_id == routine.id)
                                             .order_by(RoutineStep.position)))
        assert titles == ["Neck turn", "Shoulder rolls"]

        page.get_by_role("button", name="Preview").click()
        page.wait_for_url(re.compile(r"/preview$"))
        expect(page.get_by_text("Preview: nothing is recorded")).to_be_visible()
        page.get_by_role("button", name="Start").click()
        expect(page.get_by_role("heading", name="Well done")).to_be_visible()
        page.get_by_role("button", name="Skip this question").click()
        expect(page.get_by_role("heading", name="Preview finished")).to_be_visible()
        expect(page.locator("[data-summary-text]")).to_contain_text("Nothing was recorded")
        page.get_by_role("link", name="Back to editing").click()
        page.wait_for_url(re.compile(r"/trainer/routines/\d+$"))
        with relief_server.app.app_context():
            assert db.session.scalar(select(func.count()).select_from(RoutineSession)) == 0
        assert page.js_errors == []
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pages_fit_small_phones(browser, seeded_server, size, scheme):
    """No sideways scroll on the list, the builder and the publish page; SHOTS_DIR keeps screenshots to look at."""
    context, page = open_phone(browser, seeded_server, SIZES[size], color_scheme=scheme)
    try:
        register_trainer(page, f"coach-{size}-{scheme}@example.com")
        page.goto("/trainer/routines/new")
        page.get_by_label("Routine title").fill("Hip opener before heavy squats")
        fill_step(page, 0, "Lunge stretch", "Step forward, sink the hips and keep the back knee soft.", "40")
        page.get_by_label("Step from the library").select_option(index=1)
        page.get_by_role("button", name="Add a step from the library").click()
        page.get_by_role("button", name="Save routine").click()
        page.wait_for_url(re.compile(r"/trainer/routines/\d+$"))
        page.locator("#steps-0-title").fill("Deep lunge stretch")
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_url(re.compile(r"/trainer/routines/\d+$"))
        edit = page.url
        shots = os.environ.get("SHOTS_DIR")
        for name, url in (("list", "/trainer/routines"), ("builder", edit), ("publish", edit + "/publish"),
                          ("preview", edit + "/preview")):
            page.goto(url)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= SIZES[size]["width"], (name, width)
            if shots:
                page.screenshot(path=os.path.join(shots, f"{name}-{size}-{scheme}.png"), full_page=True)
        assert page.js_errors == []
    finally:
        context.close()
