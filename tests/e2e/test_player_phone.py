"""The player on small phones (real Chromium): the countdown is never covered, the stop dialog's order and its
alarming answers (saved on the spasm's log), an honest end when every step was skipped, and the pain scale."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coach.extensions import db
from coach.models import Episode, RoutineSession
from tests.e2e.conftest import assert_no_axe_violations, open_phone, register

SIZES = {"320x568": {"width": 320, "height": 568}, "360x640": {"width": 360, "height": 640}}
STOCK = ("gym-floor-settle", "heat", "floor-mobility", "walk-it-off", "cat-cow-child")


def phone(browser, server, size, scheme="light"):
    return open_phone(browser, server, SIZES[size], color_scheme=scheme)


def overlaps(a, b) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def assert_timer_uncovered(page, where):
    timer = page.get_by_role("timer", name="Time left in this step")
    expect(timer).to_have_text(re.compile(r"^\d+:\d\d$"))
    box = timer.bounding_box()
    view = page.viewport_size
    assert box["x"] >= 0 and box["y"] >= 0, where
    assert box["x"] + box["width"] <= view["width"] and box["y"] + box["height"] <= view["height"], (where, box)
    for covering in ("[data-dock]", ".tabbar"):
        other = page.locator(covering).bounding_box()
        assert not overlaps(box, other), (where, covering, box, other)
    # The digits themselves fit inside the ring, and stay the largest text on the screen.
    text_width = timer.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect().width; }")
    assert text_width <= box["width"], where
    sizes = page.evaluate("""() => ['[data-time]', '[data-step-instruction]'].map(
        s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))""")
    assert sizes[0] >= 1.6 * sizes[1] and sizes[1] >= 22, (where, sizes)
    # ... and larger than any other text on the screen (the top bar, titles, the dock, the tab bar).
    largest = page.evaluate(LARGEST_OTHER_TEXT)
    assert sizes[0] > largest["size"], (where, sizes[0], largest)
    assert_step_area_clear_of_the_dock(page, where)


# The largest font size of any other text the person can see on the screen, and whose it is.
LARGEST_OTHER_TEXT = """() => {
    const timer = document.querySelector('[data-time]');
    let best = {size: 0, text: ''};
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, el = node.parentElement;
        if (!node.textContent.trim() || !el || timer.contains(el) || !el.checkVisibility({visibilityProperty: true})) continue;
        if (el.closest('.visually-hidden')) continue;
        const r = document.createRange(); r.selectNodeContents(node);
        const box = r.getBoundingClientRect();
        if (box.bottom <= 0 || box.top >= innerHeight || box.width === 0) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size > best.size) best = {size, text: node.textContent.trim().slice(0, 40)};
    }
    return best;
}"""

# Every visible part of the running step, as the person sees it (a scrolling instruction by its own box).
STEP_AREA = """() => Array.from(document.querySelectorAll(
        '.player-head h1, .player-status > :not(.visually-hidden), [data-step-title], [data-optional-badge], ' +
        '[data-step-text], [data-more], [data-dial] > *, [data-next]'))
    .filter(el => el.checkVisibility())
    .map(el => { const r = el.getBoundingClientRect();
                 return {what: el.className || el.tagName, x: r.x, y: r.y, width: r.width, height: r.height}; })"""


def assert_step_area_clear_of_the_dock(page, where):
    """Nothing of the step is under the dock or the tab bar: no label peeking out from under the controls."""
    view = page.viewport_size
    dock = page.locator("[data-dock]").bounding_box()
    tabbar = page.locator(".tabbar").bounding_box()
    parts = page.evaluate(STEP_AREA)
    assert len(parts) >= 6, (where, parts)
    for part in parts:
        assert part["y"] >= 0 and part["y"] + part["height"] <= view["height"], (where, part)
        for name, other in (("dock", dock), ("tab bar", tabbar)):
            assert not overlaps(part, other), (where, name, part, other)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_countdown_is_whole_and_uncovered_on_every_step_of_every_routine(browser, seeded_server, size, scheme):
    context, page = phone(browser, seeded_server, size, scheme)
    # Signed in with a long name: the top bar is as tall as it gets.
    register(page, f"fit-{size}-{scheme}@example.com", name="Alexandra Montgomery-Featherstonehaugh")
    checked = 0
    for slug in STOCK:
        page.goto(f"/routines/{slug}/play?speed=0.01")  # a step would take minutes: the test moves with Skip
        page.get_by_role("button", name="Start", exact=True).click()
        total = int(page.locator("[data-steps] > li").count())
        for index in range(total):
            expect(page.locator("[data-count]")).to_have_text(f"Step {index + 1} of {total}")
            assert_timer_uncovered(page, f"{slug} step {index + 1} at {size} {scheme}")
            # A long instruction scrolls in its own box, which a keyboard can reach; nothing scrolls sideways.
            text = page.locator("[data-step-text]")
            if text.evaluate("el => el.scrollHeight > el.clientHeight + 1"):
                assert text.get_attribute("tabindex") == "0" and text.get_attribute("aria-label") == "Step instruction"
            assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
            checked += 1
            page.get_by_role("button", name="Skip", exact=True).click()
        expect(page.locator('[data-panel="finish"]')).to_be_visible()
    assert checked == 20
    assert page.js_errors == []
    context.close()


def test_a_long_instruction_scrolls_and_the_timer_stays_put_on_the_smallest_phone(browser, seeded_server):
    context, page = phone(browser, seeded_server, "320x568")
    page.goto("/routines/heat/play?speed=0.01")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Skip", exact=True).click()
    expect(page.locator("[data-step-title]")).to_have_text("Apply the heat")
    text = page.locator("[data-step-text]")
    assert text.evaluate("el => el.scrollHeight > el.clientHeight")  # the 190-character instruction scrolls
    # It says so: the last line fades under "More", which scrolls the instruction on until its end shows.
    more = page.get_by_role("button", name="More of this step's instruction")
    expect(more).to_be_visible()
    assert text.evaluate("el => getComputedStyle(el).maskImage").startswith("linear-gradient")
    for _ in range(6):
        if not more.is_visible():
            break
        more.click()
        page.wait_for_timeout(400)
    expect(more).to_be_hidden()
    assert text.evaluate("el => el.scrollTop + el.clientHeight >= el.scrollHeight - 1")
    assert text.evaluate("el => getComputedStyle(el).maskImage") == "none"
    text.evaluate("el => el.scrollTop = el.scrollHeight")
    assert_timer_uncovered(page, "heat step 2 scrolled to its end")
    expect(page.locator("[data-step-instruction]")).to_contain_text("never fall asleep on an electric pad")
    # Back on a short step the instruction is whole again.
    page.get_by_role("button", name="Back", exact=True).click()
    assert text.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    assert text.get_attribute("tabindex") is None
    expect(more).to_be_hidden()
    context.close()


def test_intro_puts_start_above_the_stop_rules_and_links_the_emergency_screen(browser, seeded_server):
    context, page = phone(browser, seeded_server, "320x568")
    page.goto("/routines/floor-mobility/play")
    start = page.get_by_role("button", name="Start", exact=True)
    rules = page.get_by_role("heading", name="Before you start")
    assert start.bounding_box()["y"] < rules.bounding_box()["y"]
    assert start.bounding_box()["y"] + start.bounding_box()["height"] <= 568 - 70  # above the tab bar, no scrolling
    link = page.locator('[data-panel="intro"]').get_by_role("link", name="emergency screen")
    assert link.get_attribute("href") == "/emergency"
    link.click()
    page.wait_for_url(re.compile(r"/emergency$"))
    context.close()


def test_stop_dialog_offers_the_calm_answers_first_and_groups_the_alarming_ones(browser, seeded_server):
    context, page = phone(browser, seeded_server, "320x568")
    page.goto("/routines/cat-cow-child/play?speed=0.01")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Stop", exact=True).click()
    dialog = page.get_by_role("dialog", name="What happened?")
    expect(dialog).to_be_visible()
    buttons = [b.strip() for b in dialog.get_by_role("button").all_inner_texts()]
    assert buttons[:3] == ["Done for now", "It got worse", "Something alarming"], buttons
    # Folded: no alarming reason is shown until asked for.
    expect(dialog.get_by_role("button", name="Chest pain or a spasm in the chest")).to_be_hidden()
    alarming = dialog.get_by_role("button", name="Something alarming")
    expect(alarming).to_have_attribute("aria-expanded", "false")
    alarming.click()
    expect(alarming).to_have_attribute("aria-expanded", "true")
    for reason in ("Numbness or tingling in the genitals, buttocks, inner thighs or around the anus",
                   "Legs weak, numb or heavy or giving way, severe or getting worse (not just because moving hurts)",
                   "Chest pain or a spasm in the chest", "Palpitations, fainting, confusion or a seizure"):
        expect(dialog.get_by_role("button", name=reason)).to_be_visible()
    worse = dialog.get_by_role("button", name="It got worse")
    worse.click()
    for reason in ("Pain spreads below the knee", "Dizziness",
                   "New, mild weakness in one leg that is not getting worse (foot catching or slapping)"):
        expect(dialog.get_by_role("button", name=reason, exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    # Fits the smallest phone: nothing sideways, every answer reachable by scrolling the dialog.
    assert dialog.evaluate("el => el.scrollWidth <= el.clientWidth")
    for button in dialog.get_by_role("button").all():
        if button.is_visible():
            box = button.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44
    dialog.get_by_role("button", name="Keep going").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    context.close()


def test_an_alarming_answer_shows_the_emergency_link_at_once_and_saves_the_symptom_on_the_spasm(browser, seeded_server):
    context, page = phone(browser, seeded_server, "360x640")
    register(page, "alarm@example.com")
    page.goto("/routines/gym-floor-settle/play?speed=0.01")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Stop", exact=True).click()
    dialog = page.get_by_role("dialog", name="What happened?")
    dialog.get_by_role("button", name="Something alarming").click()
    # The link is on screen in the same moment as the tap, before anything is saved or asked.
    shown = dialog.get_by_role("button", name="Chest pain or a spasm in the chest").evaluate("""button => {
        button.click();
        const link = document.querySelector('[data-emergency-link]');
        const box = link.getBoundingClientRect();
        return {href: link.getAttribute('href'), visible: box.height >= 44 && box.bottom <= innerHeight,
                asked: !!document.querySelector('[data-panel="finish"]:not([hidden])')};
    }""")
    assert shown == {"href": "/emergency?reason=chest_pain", "visible": True, "asked": False}
    page.wait_for_url(re.compile(r"/emergency\?reason=chest_pain$"))
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    # Saved: the symptom on a spasm's log (contract 6: no SOS on this phone, so a new spasm) and the session.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with seeded_server.app.app_context():
            episode = db.session.scalars(select(Episode)).first()
            session = db.session.scalars(select(RoutineSession)).first()
            db.session.remove()
        if episode is not None and session is not None:
            break
        time.sleep(0.2)
    assert episode is not None and episode.symptoms == ["chest_pain"]
    assert (session.completed, session.stop_reason) == (False, "chest_pain")
    spasm = page.evaluate("JSON.parse(localStorage.getItem('coach:spasm'))")
    assert spasm["client_id"] == episode.client_id
    context.close()


def test_an_alarming_answer_joins_the_spasm_sos_began(browser, seeded_server):
    context, page = phone(browser, seeded_server, "360x640")
    register(page, "sos-then-alarm@example.com")
    started = "2026-01-01T09:00:00.000Z"
    # The spasm SOS began on this phone an hour ago (contract 6), already logged with a severity.
    page.evaluate("""started => fetch('/api/v1/episodes/by-client/11111111-2222-4333-8444-555555555555', {
        method: 'PUT', headers: {'Content-Type': 'application/json',
                                 'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
        body: JSON.stringify({started_at: started, severity: 6})}).then(r => r.status)""", started)
    page.evaluate("""started => localStorage.setItem('coach:spasm', JSON.stringify({
        client_id: '11111111-2222-4333-8444-555555555555', started_at: started, saved_at: Date.now() - 3600e3}))""",
                  started)
    page.goto("/routines/walk-it-off/play?speed=0.01")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Stop", exact=True).click()
    dialog = page.get_by_role("dialog", name="What happened?")
    dialog.get_by_role("button", name="Something alarming").click()
    dialog.get_by_role("button", name="Legs weak, numb or heavy or giving way, severe or getting worse "
                                       "(not just because moving hurts)").click()
    page.wait_for_url(re.compile(r"/emergency\?reason=difficulty_walking$"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with seeded_server.app.app_context():
            episodes = list(db.session.scalars(select(Episode)))
            db.session.remove()
        if episodes and episodes[0].symptoms:
            break
        time.sleep(0.2)
    assert len(episodes) == 1  # the same spasm, not a second one
    assert episodes[0].symptoms == ["difficulty_walking"] and episodes[0].severity == 6
    context.close()


def test_finishing_with_every_step_skipped_does_not_say_well_done(browser, seeded_server):
    context, page = phone(browser, seeded_server, "360x640")
    register(page, "skipper@example.com")
    page.goto("/routines/cat-cow-child/play?speed=0.01")
    page.get_by_role("button", name="Start", exact=True).click()
    for _ in range(4):
        page.get_by_role("button", name="Skip", exact=True).click()
    expect(page.get_by_role("heading", name="You skipped every step")).to_be_visible()
    expect(page.get_by_text("Well done")).to_have_count(0)
    page.get_by_role("button", name="Skip this question").click()
    expect(page.locator("[data-summary-text]")).to_have_text("You skipped every step, so no step is counted as done.")
    expect(page.get_by_role("heading", name="Session saved")).to_have_count(0)
    deadline = time.monotonic() + 10
    session = None
    while time.monotonic() < deadline and session is None:
        with seeded_server.app.app_context():
            session = db.session.scalars(select(RoutineSession)).first()
            db.session.remove()
        time.sleep(0.1)
    assert session is not None
    assert (session.completed, session.completed_steps, session.stop_reason) == (False, [], None)
    context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_pain_scale_fits_and_every_number_is_a_44px_target(browser, seeded_server, size):
    context, page = phone(browser, seeded_server, size)
    for path, scale in (("/routines/heat/play", "#pain-before"), ("/sos", None)):
        page.goto(path)
        if scale is None:
            page.get_by_role("link", name="No to all of these").click()
            scale = "#severity"
        group = page.get_by_role("group", name=re.compile("How bad"))
        expect(group).to_be_visible()
        boxes = [b.bounding_box() for b in page.locator(f"{scale} [data-value]").all()]
        assert len(boxes) == 11
        assert all(b["width"] >= 44 and b["height"] >= 44 for b in boxes), (path, boxes)
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= page.viewport_size["width"] for b in boxes)
        assert len({round(b["y"]) for b in boxes}) == 2, path  # two rows
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], path
    # Keyboard: Tab reaches the numbers, the arrows move between them, Enter picks one.
    page.goto("/routines/heat/play")
    page.locator("#pain-before [data-value='3']").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#pain-before [data-value='5']")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("End")
    expect(page.locator("#pain-before [data-value='10']")).to_be_focused()
    context.close()
