"""Relief on a phone (real Chromium, 360 x 640): SOS, safety check, quick log, the player, emergency, library."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from coach.extensions import db
from coach.models import Episode, RoutineSession
from tests.e2e.conftest import assert_no_axe_violations, register


def counts(server) -> tuple[int, int]:
    with server.app.app_context():
        episodes = db.session.scalar(select(func.count(Episode.id)))
        sessions = db.session.scalar(select(func.count(RoutineSession.id)))
        db.session.remove()
        return episodes, sessions


def wait_for_counts(server, expected, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if counts(server) == expected:
            return
        time.sleep(0.1)
    assert counts(server) == expected


# Records every step the player shows, in order. At SPEED (conftest) the first step of gym-floor-settle lasts 100 ms,
# so reading the title after the wait could already see the second step; the log cannot miss it.
STEP_LOG = """
new MutationObserver(() => {
  const count = document.querySelector('[data-count]');
  const title = document.querySelector('[data-step-title]');
  if (!count || !title || !title.textContent.trim()) return;
  const shown = count.textContent.trim() + ': ' + title.textContent.trim();
  const log = (window.__steps = window.__steps || []);
  if (log[log.length - 1] !== shown) log.push(shown);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""

GYM_FLOOR_STEPS = ["Put the load down", "Comfortable position", "Belly breathing", "Press the knot", "Sit up", "Slow steps"]


def steps_shown(page) -> list[str]:
    return page.evaluate("window.__steps || []")


def first_step_showing(page):
    page.locator('[data-player][data-state="run"]').wait_for()
    page.locator("[data-step-title]", has_text=re.compile(r"\S")).wait_for()


def start_routine(page, path):
    """Open a routine's player and start it (the intro's Start), waiting for the first step."""
    page.goto(path)
    page.get_by_role("button", name="Start").click()
    first_step_showing(page)


def stop_with(page, reason, group=None):
    """Stop the running routine and answer "What happened?" (opening "It got worse" or "Something alarming"
    first when the reason is in that group)."""
    page.get_by_role("button", name="Stop", exact=True).click()
    dialog = page.get_by_role("dialog")
    if group:
        dialog.get_by_role("button", name=group).click()
    dialog.get_by_role("button", name=reason, exact=True).click()


def run_to_the_end(page, timeout=20.0):
    """Wait for the sped-up routine to end, starting an optional step when the player waits for one
    (the last step of gym-floor-settle is optional since 2026.2)."""
    finish = page.locator('[data-panel="finish"]')
    start_step = page.get_by_role("button", name="Start step")
    deadline = time.monotonic() + timeout
    while not finish.is_visible():
        assert time.monotonic() < deadline, "the routine did not reach its end"
        if start_step.is_visible():
            start_step.click()
        page.wait_for_timeout(50)


def sos_quick_log(page, severity, region, trigger, *, front=False):
    """From /sos: "No to all of these", then the three-tap quick log (severity, a body-map region, a trigger)."""
    page.goto("/sos")
    page.get_by_role("link", name="No to all of these").click()
    page.locator("#severity").get_by_role("button", name=str(severity), exact=True).click()
    if front:
        page.get_by_role("button", name="Front").click()
    page.get_by_role("button", name=region).click()
    page.get_by_role("button", name=trigger).click()


class Taps:
    """Counts every tap a person makes, and the time from the first one."""

    def __init__(self, page):
        self.page, self.count, self.started = page, 0, None

    def tap(self, locator):
        if self.started is None:
            self.started = time.perf_counter()
        self.count += 1
        locator.click()
        # A person cannot tap again before the next page has loaded; a test can. Without this, a tap could
        # land before the deferred scripts ran and take the no-script path (straight to the routine).
        self.page.wait_for_load_state("load")

    def elapsed_ms(self) -> int:
        return round((time.perf_counter() - self.started) * 1000)


def test_sos_all_no_quick_log_routine_to_completion_stores_one_session(page, relief_server):
    page.add_init_script(STEP_LOG)
    register(page, "relief@example.com")
    taps = Taps(page)
    # Home -> SOS -> safety check (all no) -> quick log in three taps -> the first relief step.
    taps.tap(page.get_by_role("navigation", name="Main").get_by_role("link", name="SOS"))
    expect(page.get_by_role("heading", name="Quick safety check")).to_be_visible()
    taps.tap(page.get_by_role("link", name="No to all of these"))
    expect(page.get_by_role("heading", name="Quick log")).to_be_visible()
    taps.tap(page.locator("#severity").get_by_role("button", name="7", exact=True))
    taps.tap(page.get_by_role("button", name="Lower back, left"))
    taps.tap(page.get_by_role("button", name="Lifting"))
    first_step_showing(page)
    elapsed = taps.elapsed_ms()
    print(f"\nRELIEF METRIC (online, with the full quick log): {taps.count} taps, {elapsed} ms from home to the first relief step")
    assert taps.count == 5
    assert steps_shown(page)[0] == "Step 1 of 6: Put the load down"
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    # No intro on this path: the stop rules are open below the first step.
    expect(page.locator('[data-panel="run"] .stop-rules').get_by_text("Pain spreads below the knee")).to_be_visible()
    # The player consumed ?from=sos (it started at once) so a reload cannot start a second session.
    assert re.search(r"/routines/gym-floor-settle/play\?pain=7$", page.url)

    # The quick log reached the server at once, with what was tapped.
    wait_for_counts(relief_server, (1, 0))
    with relief_server.app.app_context():
        episode = db.session.scalars(select(Episode)).one()
        assert (episode.severity, episode.locations, episode.side, episode.trigger) == (7, ["lower_back"], "left", "lifting")
        assert episode.during_exercise is None  # "Were you training?" was not answered: not recorded
        db.session.remove()

    # The routine runs to the end on sped-up timers (the optional last step started); then the pain now, and the
    # session is stored once.
    run_to_the_end(page)
    expect(page.get_by_role("heading", name="Well done")).to_be_visible()
    page.locator("#pain-after").get_by_role("button", name="4", exact=True).click()
    expect(page.get_by_role("heading", name="Session saved")).to_be_visible()
    expect(page.locator("[data-summary-text]")).to_contain_text("You did 6 of 6 steps. Pain 7 before, 4 now.")
    wait_for_counts(relief_server, (1, 1))
    with relief_server.app.app_context():
        session = db.session.scalars(select(RoutineSession)).one()
        assert session.routine_slug == "gym-floor-settle" and session.completed is True
        assert session.completed_steps == [1, 2, 3, 4, 5, 6] and (session.pain_before, session.pain_after) == (7, 4)
        assert session.stop_reason is None and session.ended_at >= session.started_at
        db.session.remove()
    # Every step was shown, once and in order.
    assert steps_shown(page) == [f"Step {n} of 6: {title}" for n, title in enumerate(GYM_FLOOR_STEPS, start=1)]
    page.wait_for_timeout(300)
    assert counts(relief_server) == (1, 1)
    assert page.js_errors == []


def test_three_taps_from_home_to_the_first_relief_step(page, relief_server):
    page.add_init_script(STEP_LOG)
    page.goto("/")
    taps = Taps(page)
    taps.tap(page.get_by_role("link", name="SOS", exact=True))
    taps.tap(page.get_by_role("link", name="No to all of these"))
    taps.tap(page.get_by_role("link", name="Start relief now"))
    first_step_showing(page)
    elapsed = taps.elapsed_ms()
    print(f"\nRELIEF METRIC (online, signed out, log later): {taps.count} taps, {elapsed} ms from home to the first relief step")
    assert taps.count == 3
    assert steps_shown(page)[0] == "Step 1 of 6: Put the load down"


def test_a_yes_goes_to_the_emergency_screen_with_the_users_number(page, relief_server):
    register(page, "usa@example.com", country="US")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="SOS").click()
    page.get_by_role("link", name=re.compile(r"^Yes\W*Chest pain")).click()
    page.wait_for_url(re.compile(r"/emergency\?reason="))
    call = page.get_by_role("link", name="Call 911")
    assert call.is_visible() and call.get_attribute("href") == "tel:911"
    assert page.locator("[data-reason]").inner_text() == "Chest pain or a spasm in the chest."
    expect(page.get_by_role("link", name="I'm safe now")).to_be_visible()
    # No routine is offered: nothing on the screen leads to one, and the tab bar is gone (full screen).
    assert page.locator('main a[href*="/routines"]').count() == 0
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    box = call.bounding_box()
    assert box["width"] >= 320 and box["height"] >= 64
    # The answer is saved on this spasm's log (CONTENT.md section 0).
    wait_for_counts(relief_server, (1, 0))
    with relief_server.app.app_context():
        assert db.session.scalars(select(Episode)).one().symptoms == ["chest_pain"]
        db.session.remove()
    assert_no_axe_violations(page)


@pytest.mark.parametrize(("locale", "path", "number"), [
    ("en-NZ", "/emergency", "111"),
    ("en-AU", "/emergency", "000"),
    ("de-DE", "/emergency?country=GB", "999"),
    ("en", "/emergency", "112"),
])
def test_emergency_screen_signed_out_by_language_or_param(browser, relief_server, locale, path, number):
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale=locale, base_url=relief_server.url)
    page = context.new_page()
    page.goto(path)
    assert page.get_by_role("link", name=f"Call {number}").get_attribute("href") == f"tel:{number}"
    context.close()


def test_pause_resume_back_skip_and_an_optional_step(page, relief_server):
    page.goto("/routines/walk-it-off/play?speed=2")
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    expect(page.get_by_text("Pain spreads below the knee").first).to_be_visible()
    page.locator("#pain-before").get_by_role("button", name="5", exact=True).click()
    page.get_by_role("button", name="Start").click()
    first_step_showing(page)
    assert page.locator("[data-next]").inner_text() == "Next: Walk · 5:00"
    page.get_by_role("button", name="Pause").click()
    frozen = page.locator("[data-time]").inner_text()
    page.wait_for_timeout(1200)
    assert page.locator("[data-time]").inner_text() == frozen
    page.get_by_role("button", name="Resume").click()
    page.get_by_role("button", name="Skip").click()
    assert page.locator("[data-count]").inner_text() == "Step 2 of 3"
    page.get_by_role("button", name="Back").click()
    assert page.locator("[data-count]").inner_text() == "Step 1 of 3"
    page.get_by_role("button", name="Skip").click()
    page.get_by_role("button", name="Skip").click()
    # The optional step waits to be started or skipped.
    assert page.locator("[data-count]").inner_text() == "Step 3 of 3"
    expect(page.locator("[data-optional-badge]")).to_be_visible()
    expect(page.get_by_role("button", name="Start step")).to_be_visible()
    page.get_by_role("button", name="Skip").click()
    # Every step skipped: no "Well done" (test_player_phone.py has the record).
    expect(page.get_by_role("heading", name="You skipped every step")).to_be_visible()
    page.get_by_role("button", name="Skip this question").click()
    expect(page.locator("[data-summary-text]")).to_contain_text("You skipped every step")
    # Signed out: kept on this phone and offered once signed in.
    expect(page.get_by_text("Sign in to keep it in your diary")).to_be_visible()
    assert counts(relief_server) == (0, 0)


def test_stop_and_log_records_the_reason(page, relief_server):
    register(page, "stopper@example.com")
    page.goto("/routines/floor-mobility/play?speed=1")
    page.get_by_role("button", name="Start").click()
    first_step_showing(page)
    page.get_by_role("button", name="Stop").click()
    dialog = page.get_by_role("dialog", name="What happened?")
    expect(dialog).to_be_visible()
    assert_no_axe_violations(page)
    dialog.get_by_role("button", name="Keep going").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    stop_with(page, "Dizziness", group="It got worse")
    expect(page.get_by_role("heading", name="Stopped", exact=True)).to_be_visible()
    page.locator("#pain-after").get_by_role("button", name="6", exact=True).click()
    expect(page.get_by_role("heading", name="Stopped and logged")).to_be_visible()
    expect(page.get_by_role("link", name="Add it to my log")).to_be_visible()
    wait_for_counts(relief_server, (0, 1))
    with relief_server.app.app_context():
        session = db.session.scalars(select(RoutineSession)).one()
        assert (session.completed, session.stop_reason, session.pain_after) == (False, "dizziness", 6)
        db.session.remove()


def test_a_stop_and_log_reason_goes_into_todays_log_where_triage_sees_it(page, relief_server):
    register(page, "below-knee@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="SOS").click()
    page.get_by_role("link", name="No to all of these").click()
    page.locator("#severity").get_by_role("button", name="6", exact=True).click()
    page.get_by_role("button", name="Lower back, right").click()
    training = page.get_by_role("group", name="Were you training?")
    training.get_by_role("button", name="No").click()
    training.get_by_role("button", name="Yes").click()  # changed their mind: one answer at a time
    expect(training.get_by_role("button", name="No")).to_have_attribute("aria-pressed", "false")
    page.get_by_role("button", name="Lifting").click()
    first_step_showing(page)
    wait_for_counts(relief_server, (1, 0))
    stop_with(page, "Pain spreads below the knee", group="It got worse")
    page.get_by_role("button", name="Skip this question").click()
    expect(page.get_by_role("heading", name="Stopped and logged")).to_be_visible()
    page.get_by_role("link", name="Add it to my log").click()
    # Today's quick log opens at its symptom list; the person ticks what they noticed.
    page.wait_for_url(re.compile(r"/episodes/\d+/edit#symptoms-card$"))
    page.get_by_label("Pain, tingling or numbness down one leg, no weakness").check()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r"/diary#assessment$"))
    with relief_server.app.app_context():
        episode = db.session.scalars(select(Episode)).one()
        assert episode.symptoms == ["one_leg_symptoms"] and (episode.severity, episode.trigger) == (6, "lifting")
        assert episode.during_exercise is True  # from the quick log, kept through the edit
        session = db.session.scalars(select(RoutineSession)).one()
        assert (session.completed, session.stop_reason) == (False, "pain_below_knee")
        db.session.remove()
    # The assessment was recomputed with it: rule E1 at the routine tier.
    card = page.locator("#assessment")
    expect(card).to_contain_text("pain, tingling or numbness down one leg", ignore_case=True)
    expect(card.locator(".flag-routine")).to_have_count(1)


def test_done_for_now_offers_no_log_change(page, relief_server):
    register(page, "done@example.com")
    start_routine(page, "/routines/heat/play")
    stop_with(page, "Done for now")
    page.get_by_role("button", name="Skip this question").click()
    expect(page.get_by_role("heading", name="Stopped and logged")).to_be_visible()
    expect(page.get_by_role("link", name="Add it to my log")).to_be_hidden()


def test_stop_with_an_emergency_sign_goes_to_the_emergency_screen(page, relief_server):
    register(page, "uk@example.com", country="GB")
    start_routine(page, "/routines/cat-cow-child/play")
    stop_with(page, "Legs weak, numb or heavy or giving way, severe or getting worse (not just because moving hurts)",
              group="Something alarming")
    page.wait_for_url(re.compile(r"/emergency\?reason=difficulty_walking$"))
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    assert page.locator("[data-reason]").inner_text().startswith("Legs weak, numb or heavy or giving way")
    # The session and the symptom on a spasm's log (test_player_phone.py checks the joining of an SOS spasm).
    wait_for_counts(relief_server, (1, 1))
    with relief_server.app.app_context():
        assert db.session.scalars(select(RoutineSession)).one().stop_reason == "difficulty_walking"
        assert db.session.scalars(select(Episode)).one().symptoms == ["difficulty_walking"]
        db.session.remove()


def test_logged_out_quick_log_is_offered_after_sign_in(page, relief_server):
    sos_quick_log(page, 5, "Thigh, left", "Running", front=True)
    first_step_showing(page)
    run_to_the_end(page)
    page.get_by_role("button", name="Skip this question").click()
    assert counts(relief_server) == (0, 0)  # nothing is sent without an account

    register(page, "later@example.com")
    offer = page.locator("[data-outbox-offer]")
    offer.wait_for(state="visible")
    assert "1 spasm log and 1 routine session were saved on this phone while signed out." in offer.inner_text()
    assert_no_axe_violations(page)
    offer.get_by_role("button", name="Add to my diary").click()
    wait_for_counts(relief_server, (1, 1))
    offer.wait_for(state="hidden")
    with relief_server.app.app_context():
        episode = db.session.scalars(select(Episode)).one()
        assert (episode.severity, episode.locations, episode.side, episode.trigger) == (5, ["thigh"], "left", "running")
        db.session.remove()


def test_library_filters_and_routine_pages_show_evidence(page, relief_server):
    page.goto("/routines")
    assert page.locator(".routine-card:visible").count() == 5
    page.get_by_role("link", name="Mobility", exact=True).click()
    assert page.locator(".routine-card:visible").count() == 2
    assert page.url.endswith("/routines?kind=mobility")
    page.get_by_role("link", name="Prevention", exact=True).click()
    expect(page.get_by_text("No routines of this kind yet.")).to_be_visible()
    page.get_by_role("link", name="All", exact=True).click()
    page.get_by_role("link", name="Heat", exact=True).click()
    expect(page.get_by_text("Superficial heat has moderate-quality evidence.")).to_be_visible()
    expect(page.get_by_text("Cochrane CD004750, Superficial heat or cold for low back pain")).to_be_visible()
    page.goto("/tips?category=hydration")
    assert page.locator(".tip-list > li:visible").count() == 2


def test_no_accessibility_violations_on_relief_pages(page, relief_server):
    for path in ("/sos", "/routines", "/routines/heat", "/tips", "/emergency?reason=chest_pain", "/",
                 "/routines/gym-floor-settle/play"):
        page.goto(path)
        assert_no_axe_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    # Every stage of SOS and of the player.
    page.goto("/sos")
    page.get_by_role("link", name="No to all of these").click()
    assert_no_axe_violations(page)
    page.locator("#severity").get_by_role("button", name="3", exact=True).click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Front").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Chest, middle").click()
    assert_no_axe_violations(page)
    page.goto("/routines/heat/play?speed=1")
    page.get_by_role("button", name="Start").click()
    first_step_showing(page)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Skip").click()
    page.get_by_role("button", name="Skip").click()
    page.get_by_role("button", name="Skip").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Skip this question").click()
    assert_no_axe_violations(page)


def test_touch_targets_are_big_enough(page, relief_server):
    page.goto("/sos")
    for button in page.locator("[data-safety-no], [data-safety-yes], [data-safety-all-no]").all():
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
    page.get_by_role("link", name="No to all of these").click()
    for button in page.locator("#severity [data-value]").all():
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 44
    page.locator("#severity").get_by_role("button", name="3", exact=True).click()
    for button in page.locator('[data-view="back"] [data-location]').all():
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
    page.goto("/routines/heat/play")
    page.get_by_role("button", name="Start").click()
    for name in ("Back", "Pause", "Skip", "Stop"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box["height"] >= 48 and box["y"] + box["height"] <= 640, name  # in view, in the thumb zone
    countdown = page.locator("[data-time]")
    size = float(countdown.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    instruction = float(page.locator("[data-step-instruction]").evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert size > instruction >= 22


def test_quick_log_with_an_urgent_assessment_shows_the_advice_before_the_routine(page, relief_server):
    register(page, "urgent@example.com")
    page.goto("/sos")
    page.get_by_role("link", name="No to all of these").click()
    page.locator("#severity").get_by_role("button", name="5", exact=True).click()
    page.get_by_role("button", name="Front").click()
    page.get_by_role("button", name=re.compile(r"^Hand,? right")).click()  # cramps beyond the back: rule E5, urgent
    page.get_by_role("button", name="Sitting").click()
    heading = page.get_by_role("heading", name="See a doctor today")
    expect(heading).to_be_visible()
    expect(page.get_by_text("You logged cramps in your hand")).to_be_visible()
    start = page.get_by_role("link", name="Start Settle it on the gym floor")
    assert start.bounding_box()["y"] > heading.bounding_box()["y"]  # the routine only below the advice
    assert_no_axe_violations(page)
    start.click()
    first_step_showing(page)
    assert page.url.endswith("/routines/gym-floor-settle/play?pain=5")


def test_quick_log_with_an_emergency_assessment_goes_to_the_emergency_screen(page, relief_server):
    from datetime import UTC, datetime, timedelta

    from coach.episodes.service import log_episode
    from coach.models import User

    register(page, "red-flag@example.com", country="AU")
    with relief_server.app.app_context():
        user = db.session.scalars(select(User)).one()
        log_episode(user, {"started_at": datetime.now(UTC) - timedelta(days=2), "severity": 6,
                           "symptoms": ["saddle_numbness"]}, datetime.now(UTC))
        db.session.remove()
    page.goto("/sos")
    # An emergency this phone has not shown yet comes first, once (level.js); then SOS opens.
    page.wait_for_url(re.compile(r"/emergency\?reason=assessment$"))
    page.goto("/sos")
    page.get_by_role("link", name="No to all of these").click()
    page.locator("#severity").get_by_role("button", name="6", exact=True).click()
    page.get_by_role("button", name="Lower back, middle").click()
    page.get_by_role("button", name="Bending").click()
    page.wait_for_url(re.compile(r"/emergency\?reason="))
    expect(page.get_by_role("link", name="Call 000")).to_be_visible()
    assert page.locator('main a[href*="/routines"]').count() == 0
    wait_for_counts(relief_server, (2, 0))


CUE_SPY = """
window.__cues = { vibrate: 0, beep: 0, wake: 0, released: 0, spoken: [] };
navigator.vibrate = () => { window.__cues.vibrate += 1; return true; };
Object.defineProperty(navigator, 'wakeLock', { configurable: true, value: { request: async () => {
  window.__cues.wake += 1;
  const sentinel = new EventTarget();
  sentinel.release = async () => { window.__cues.released += 1; };
  return sentinel;
} } });
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__cues.beep += 1; return start.apply(this, args); };
if (window.speechSynthesis) window.speechSynthesis.speak = (u) => { window.__cues.spoken.push(u.text); };
window.__cues.live = [];
document.addEventListener('DOMContentLoaded', () => {
  const live = document.querySelector('[data-live]');
  if (live) new MutationObserver(() => { if (live.textContent) window.__cues.live.push(live.textContent); })
    .observe(live, { childList: true, characterData: true, subtree: true });
});
"""


def test_step_changes_vibrate_beep_speak_and_keep_the_screen_awake(page, relief_server):
    page.add_init_script(CUE_SPY)
    page.goto("/routines/cat-cow-child/play")
    page.get_by_label("Read the steps aloud").check()
    page.get_by_role("button", name="Start").click()
    first_step_showing(page)
    page.locator('[data-panel="finish"]').wait_for(state="visible", timeout=20_000)
    page.wait_for_timeout(100)  # the live region is written 50 ms after each change
    cues = page.evaluate("window.__cues")
    assert [text.split(":")[0] for text in cues["live"]] == [
        "Step 1 of 4", "Step 2 of 4", "Step 3 of 4", "Step 4 of 4", "Routine complete. How bad is the pain now?"]
    assert cues["vibrate"] >= 4 and cues["beep"] >= 4  # every step change, and the end
    assert cues["wake"] >= 1 and cues["released"] >= 1  # held while running, let go at the end
    assert cues["spoken"][:2] == [
        "All fours. Get on all fours: knees under hips, hands under shoulders.",
        "Cat-cow. Cat-cow, 8 slow cycles, 3 s each way. Keep the range small and pain-free.",
    ]
    # The choice is remembered on this phone.
    page.goto("/routines/heat/play")
    expect(page.get_by_label("Read the steps aloud")).to_be_checked()


def test_leaving_the_player_mid_routine_still_records_what_was_done(page, relief_server):
    register(page, "leaver@example.com")
    page.goto("/routines/floor-mobility/play")
    page.locator("[data-start]").click()
    first_step_showing(page)
    # The first step (96 s, sped up) runs out; during the second the person taps another tab.
    # (The timers run at SPEED: on a loaded machine the player may be on the third step by the time it is read.)
    expect(page.locator("[data-count]")).to_have_text(re.compile(r"Step [23] of 4"), timeout=10_000)
    page.get_by_role("link", name="Routines").click()
    page.wait_for_url(re.compile(r"/routines$"))
    wait_for_counts(relief_server, (0, 1))
    with relief_server.app.app_context():
        session = db.session.scalars(select(RoutineSession)).one()
        assert session.completed is False and session.routine_slug == "floor-mobility"
        db.session.remove()
