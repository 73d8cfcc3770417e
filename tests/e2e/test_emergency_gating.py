"""No routine at emergency, anywhere, on a phone: online (the server redirects) and offline (level.js, from the
last level the phone received); at urgent the advice stands above the routines; a late answer is shown at the
next page open. Phones of 320x568 and 360x640. The level comes from real spasms logged through the API."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LAUNCH_ARGS, answer_safety_check, open_phone, register
from tests.e2e.test_relief_offline import ready_for_offline

PHONES = [{"width": 320, "height": 568}, {"width": 360, "height": 640}]
PHONE_IDS = ["320x568", "360x640"]
ROUTINE_PAGES = ("/", "/routines", "/routines/heat", "/routines/heat/play")
EMERGENCY_URL = re.compile(r"/emergency\?reason=assessment$")
SADDLE_LINE = re.compile(r"you reported: numbness or tingling in the genitals")
GB_URGENT = "an urgent GP appointment, or call 111"

LOG_SPASM = """async (symptoms) => {
    const body = {started_at: new Date(Date.now() - 3600 * 1000).toISOString(), severity: 5, trigger: 'lifting',
                  during_exercise: true, locations: ['lower_back'], symptoms: symptoms};
    const reply = await window.Coach.fetchJSON('/api/v1/episodes', {body: body});
    return reply.data && reply.data.assessment;
}"""


@pytest.fixture(params=PHONES, ids=PHONE_IDS)
def phone(request):
    return request.param


@pytest.fixture
def phone_page(browser, seeded_server, phone):
    context, page = open_phone(browser, seeded_server, phone)
    yield page
    context.close()


@pytest.fixture
def phone_context(playwright_instance, chromium_path, seeded_server, phone, tmp_path):
    """A real profile, so the service worker installs and the offline copies exist."""
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium_path, args=LAUNCH_ARGS, viewport=phone,
        has_touch=True, is_mobile=True, base_url=seeded_server.url,
    )
    context.set_default_timeout(10_000)
    answer_safety_check(context)  # the player opens at its intro (its own check has its own tests)
    yield context
    context.close()


def log_spasm(page, *symptoms) -> dict:
    """A spasm an hour ago with these symptoms, sent from the open page as the PWA sends it."""
    assessment = page.evaluate(LOG_SPASM, list(symptoms))
    assert assessment, "the API did not answer with an assessment"
    return assessment


def assert_emergency_screen(page, viewport):
    expect(page).to_have_url(EMERGENCY_URL)
    expect(page.locator("[data-reason]")).to_have_text(SADDLE_LINE)
    call = page.get_by_role("link", name="Call 999")
    expect(call).to_have_attribute("href", "tel:999")
    # The call button is on the first screen, thumb-reachable, on the smallest phone too.
    box = call.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"] and box["height"] >= 44
    main = page.locator("main")
    assert main.locator('a[href*="/routines"], a[href*="/play"]').count() == 0
    expect(main).not_to_contain_text("Start relief")


def assert_advice_above_routines(page, path):
    advice = page.locator("[data-level-advice], [data-level-banner]:not([hidden])").first
    expect(advice).to_be_visible()
    expect(advice).to_contain_text(GB_URGENT)
    start = {
        "/": page.get_by_role("link", name="Start relief now"),
        "/routines/heat/play": page.locator("[data-start]"),
    }.get(path, page.locator('main a[href$="/play"]').first)
    assert advice.bounding_box()["y"] < start.bounding_box()["y"], path


# --- Online: the server decides ---


def test_at_emergency_every_routine_page_leads_to_the_emergency_screen(phone_page, phone):
    page = phone_page
    register(page, f"gate-{phone['width']}@example.com")
    page.goto("/sos")
    assert log_spasm(page, "saddle_numbness")["level"] == "emergency"
    for path in ROUTINE_PAGES:
        page.goto(path)
        assert_emergency_screen(page, phone)
    # "I'm safe now" opens the diary (home would come straight back here), which names the sign.
    page.get_by_role("link", name="I'm safe now").click()
    expect(page).to_have_url(re.compile(r"/diary$"))
    # Signing out forgets the level this phone kept.
    assert page.evaluate("localStorage.getItem('coach:level')") is not None
    page.goto("/me")
    page.locator("form[data-logout] button").first.click()
    page.wait_for_url(re.compile(r"/login"))
    assert page.evaluate("localStorage.getItem('coach:level')") is None
    page.goto("/routines")
    expect(page).to_have_url(re.compile(r"/routines$"))
    assert page.js_errors == []


def test_at_urgent_the_advice_stands_above_the_routine_on_every_page(phone_page, phone):
    page = phone_page
    register(page, f"urgent-{phone['width']}@example.com")
    page.goto("/sos")
    assert log_spasm(page, "weight_loss")["level"] == "urgent"
    for path in ROUTINE_PAGES:
        page.goto(path)
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        assert_advice_above_routines(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= phone["width"], path
    assert page.js_errors == []


# --- Offline: the phone decides from the last level it received ---


def test_offline_at_emergency_the_cached_pages_lead_to_the_emergency_screen(phone_context, phone):
    page = phone_context.new_page()
    register(page, f"offline-gate-{phone['width']}@example.com")
    ready_for_offline(page)
    page.goto("/sos")
    log_spasm(page, "saddle_numbness")
    page.goto("/diary")  # a signed-in page: its level reaches the phone
    phone_context.set_offline(True)
    for path in ROUTINE_PAGES:
        page.goto(path)
        assert_emergency_screen(page, phone)


def test_offline_at_urgent_home_is_the_persons_view_with_the_advice_first(phone_context, phone):
    page = phone_context.new_page()
    register(page, f"offline-urgent-{phone['width']}@example.com")
    ready_for_offline(page)
    page.goto("/sos")
    log_spasm(page, "weight_loss")
    page.goto("/diary")
    phone_context.set_offline(True)
    for path in ROUTINE_PAGES:
        page.goto(path)
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        assert page.locator("[data-level-advice]").count() == 0  # a signed-out copy: the phone adds the advice
        assert_advice_above_routines(page, path)
    # Home offline shows the person, not "Create an account".
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hi, Relief User")
    expect(page.get_by_role("link", name="Create an account")).to_be_hidden()
    expect(page.locator("[data-level-banner]")).to_contain_text("losing weight without trying")


# --- Late answers: shown the next time a page opens ---


@pytest.mark.parametrize(("symptom", "level"), [("weight_loss", "urgent"), ("saddle_numbness", "emergency")])
def test_a_late_answer_is_shown_at_the_next_page_open(phone_context, phone, symptom, level):
    page = phone_context.new_page()
    register(page, f"late-{symptom}-{phone['width']}@example.com")
    ready_for_offline(page)
    page.goto("/sos")
    before = page.evaluate("window.CoachLevel.current()")
    assert before["level"] == "none"
    # The answer to a log arrives after the page moved on (the SOS path waited 3 s; or an outbox replay):
    # the outbox hands it to CoachLevel.remember, and the phone goes offline before another page opens.
    assessment = log_spasm(page, symptom)
    assert page.evaluate("(a) => window.CoachLevel.remember(a)", assessment) is True
    # An older answer never replaces a newer one.
    assert page.evaluate("(a) => window.CoachLevel.remember(Object.assign({}, a, {level: 'none', "
                         "evaluated_at: '2000-01-01T00:00:00Z'}))", assessment) is False
    phone_context.set_offline(True)
    page.goto("/sos")  # not a routine page: only the unseen answer can change what it shows
    if level == "emergency":
        assert_emergency_screen(page, phone)
        page.goto("/sos")  # seen once: SOS opens again
        expect(page).to_have_url(re.compile(r"/sos$"))
    else:
        banner = page.locator("[data-level-banner]")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text(GB_URGENT)
        page.get_by_role("button", name="Got it").click()
        expect(banner).to_be_hidden()
        page.goto("/sos")
        expect(page.locator("[data-level-banner]")).to_be_hidden()
