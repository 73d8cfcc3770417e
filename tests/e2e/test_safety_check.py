"""The safety check before relief on a phone (320 x 568 and 360 x 640): every "Yes" and every tick is saved on the
spasm's log, online and through the offline outbox; "No to all of these" is one tap; relief started before the pain
score still gets the server's answer."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coach.episodes.service import log_episode
from coach.extensions import db
from coach.models import Episode, User
from tests.e2e.conftest import LAUNCH_ARGS, assert_no_axe_violations, open_phone, register
from tests.e2e.test_relief_browser import counts, first_step_showing, wait_for_counts
from tests.e2e.test_relief_offline import signed_in_then_offline

SIZES = [pytest.param({"width": 320, "height": 568}, id="320x568"), pytest.param({"width": 360, "height": 640}, id="360x640")]
QUESTIONS = 10


@pytest.fixture(params=SIZES)
def phone(request, browser, relief_server):
    context, page = open_phone(browser, relief_server, request.param)
    page.size = request.param
    yield page
    context.close()


@pytest.fixture(params=SIZES)
def offline_phone(request, playwright_instance, chromium_path, relief_server, tmp_path):
    """A phone with a real profile (the service worker needs one) that can lose its network."""
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium_path, args=LAUNCH_ARGS, viewport=request.param,
        base_url=relief_server.url,
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def the_episode(server) -> Episode:
    with server.app.app_context():
        episode = db.session.scalars(select(Episode)).one()
        db.session.expunge(episode)
        db.session.remove()
        return episode


def yes_for(page, words: str):
    return page.get_by_role("link", name=re.compile(r"^Yes\W*" + re.escape(words)))


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.size["width"], page.url


def test_no_to_all_is_one_tap_after_every_question(phone, relief_server):
    phone.goto("/sos")
    expect(phone.get_by_text("Since this spasm started, have you had any of these?")).to_be_visible()
    yes = phone.locator("[data-safety-yes]")
    expect(yes).to_have_count(QUESTIONS)
    for i in range(QUESTIONS):
        box = yes.nth(i).bounding_box()
        assert box["width"] >= 48 and box["height"] >= 48
    no_sideways_scroll(phone)
    # Never pinned over a question the person has not seen: it sits after the last one, in the page's flow.
    no_to_all = phone.get_by_role("link", name="No to all of these")
    assert no_to_all.evaluate("el => getComputedStyle(el).position + '/' + getComputedStyle(el.parentElement).position") == "static/static"
    assert no_to_all.bounding_box()["y"] > yes.nth(QUESTIONS - 1).bounding_box()["y"]
    for i in range(QUESTIONS):
        yes.nth(i).evaluate("el => el.scrollIntoView({block: 'center'})")
        row, button = yes.nth(i).bounding_box(), no_to_all.bounding_box()
        assert button["y"] >= row["y"] + row["height"] or button["y"] + button["height"] <= row["y"], i
    assert_no_axe_violations(phone)
    no_to_all.click()  # one tap
    expect(phone.get_by_role("heading", name="Quick log")).to_be_visible()
    assert phone.js_errors == []


def test_a_ticked_urgent_item_is_saved_at_once_and_the_advice_comes_before_the_routine(phone, relief_server):
    register(phone, f"urgent-{phone.size['width']}@example.com", country="GB")
    phone.goto("/sos")
    phone.get_by_label("I cannot stand because of the pain").check()
    expect(phone.locator("[data-urgent-status]")).to_contain_text("Saved")
    phone.get_by_label("I have ever had cancer").check()
    # Saved at once, before the quick log: the symptom on this spasm's log, the answer in the profile.
    wait_for_counts(relief_server, (1, 0))
    assert the_episode(relief_server).symptoms == ["cannot_stand"]
    with relief_server.app.app_context():
        for _ in range(50):
            db.session.remove()
            if db.session.scalars(select(User)).one().cancer_history:
                break
            phone.wait_for_timeout(100)
        assert db.session.scalars(select(User)).one().cancer_history is True
        db.session.remove()
    # Relief is not held back: "No to all of these", then the quick log, then the advice with the routine below it.
    phone.get_by_role("link", name="No to all of these").click()
    phone.locator("#severity").get_by_role("button", name="4", exact=True).click()
    phone.get_by_role("button", name=re.compile(r"^Lower back,? left")).click()
    phone.get_by_role("button", name="Sitting").click()
    heading = phone.get_by_role("heading", name="See a doctor today")
    expect(heading).to_be_visible()
    # The GB wording of the urgent tier (CONTENT.md section 0).
    expect(phone.locator("[data-urgent-advice-text]")).to_have_text(
        "Book or call now: an urgent GP appointment, or call 111 "
        "(in Northern Ireland, your GP or the GP out-of-hours service).")
    start = phone.get_by_role("link", name=re.compile(r"^Start "))
    assert start.bounding_box()["y"] > heading.bounding_box()["y"]
    no_sideways_scroll(phone)
    # One spasm: the ticks and the quick log are one episode.
    episode = the_episode(relief_server)
    assert counts(relief_server) == (1, 0)
    assert (episode.severity, episode.locations, episode.side, episode.trigger) == (4, ["lower_back"], "left", "sitting")
    assert episode.symptoms == ["cannot_stand"]
    start.click()
    first_step_showing(phone)


def test_relief_before_the_pain_score_still_gets_the_servers_answer(phone, relief_server):
    register(phone, f"early-{phone.size['width']}@example.com", country="AU")
    phone.goto("/sos")
    phone.get_by_role("link", name="No to all of these").click()
    expect(phone.get_by_role("heading", name="Quick log")).to_be_visible()
    # Meanwhile the server learns of a warning sign (another device): this page cannot know it.
    with relief_server.app.app_context():
        user = db.session.scalars(select(User)).one()
        log_episode(user, {"started_at": datetime.now(UTC) - timedelta(days=1), "severity": 6,
                           "symptoms": ["saddle_numbness"]}, datetime.now(UTC))
        db.session.remove()
    phone.get_by_role("link", name="Start relief now").click()  # before the pain score
    phone.wait_for_url(re.compile(r"/emergency\?reason=assessment$"))
    expect(phone.get_by_role("link", name="Call 000")).to_be_visible()
    assert phone.locator('main a[href*="/routines"]').count() == 0
    wait_for_counts(relief_server, (2, 0))
    with relief_server.app.app_context():
        today = db.session.scalars(select(Episode).order_by(Episode.id.desc())).first()
        assert today.severity is None and today.symptoms == []  # not recorded, not a made-up 0
        db.session.remove()


def test_a_yes_offline_is_queued_then_reaches_the_spasms_log(offline_phone, relief_server):
    context = offline_phone
    page = signed_in_then_offline(context, "offline-yes@example.com")

    page.goto("/sos")
    yes_for(page, "New trouble starting or controlling urine or bowels").click()
    page.wait_for_url(re.compile(r"/emergency\?reason=bladder_bowel_change$"))
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    # Saved on this phone, waiting for the network; nothing reached the server.
    items = page.evaluate("window.CoachOutbox.all()")
    assert [(i["kind"], i["method"], i["body"]["symptoms"]) for i in items] == [("episode", "PUT", ["bladder_bowel_change"])]
    spasm = page.evaluate("JSON.parse(localStorage.getItem('coach:spasm'))")
    assert items[0]["url"] == f"/api/v1/episodes/by-client/{spasm['client_id']}"
    assert counts(relief_server) == (0, 0)

    context.set_offline(False)
    page.reload()  # the emergency screen's own load replays the outbox
    wait_for_counts(relief_server, (1, 0), timeout=15)
    episode = the_episode(relief_server)
    assert episode.symptoms == ["bladder_bowel_change"] and str(episode.client_id) == spasm["client_id"]
    # The assessment is at emergency: the next page that opens shows it, and this phone's stored level knows it.
    page.goto("/")
    page.wait_for_url(re.compile(r"/emergency\?reason=assessment$"))
    page.wait_for_function("() => window.CoachLevel && window.CoachLevel.current() && window.CoachLevel.current().level === 'emergency'")
    # The diary shows the answer on that spasm's log.
    page.goto(f"/episodes/{episode.id}")
    expect(page.get_by_text("New trouble starting or controlling urine", exact=False).first).to_be_visible()


def test_offline_a_spasm_in_the_chest_goes_to_the_emergency_screen(offline_phone, relief_server):
    context = offline_phone
    page = signed_in_then_offline(context, "offline-chest-e7@example.com")
    page.goto("/sos")
    page.get_by_role("link", name="No to all of these").click()
    page.locator("#severity").get_by_role("button", name="5", exact=True).click()
    page.get_by_role("button", name="Front").click()
    page.get_by_role("button", name=re.compile(r"^Chest")).first.click()
    page.get_by_role("button", name="Sport").click()
    page.wait_for_url(re.compile(r"/emergency\?reason=chest_pain$"))  # rule E7 decided on the phone
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    assert page.locator('main a[href*="/routines"]').count() == 0
