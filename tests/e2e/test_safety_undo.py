"""A mis-tapped tick of the safety check's urgent line is undone by tapping it again (320 x 568): the symptom comes
off this spasm's log and the assessment is back to what it was; the profile's cancer answer goes back to false only
when this tick set it (an answer the profile already had is shown, fixed); offline, tick -> untick -> tick replays
in order once the network is back."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coach.episodes.service import assess_user
from coach.extensions import db
from coach.models import Episode, User
from tests.e2e.conftest import LAUNCH_ARGS, open_phone, register, wait_until
from tests.e2e.test_relief_browser import first_step_showing, wait_for_counts
from tests.e2e.test_relief_offline import signed_in_then_offline

PHONE_320 = {"width": 320, "height": 568}


@pytest.fixture
def phone(browser, relief_server):
    context, page = open_phone(browser, relief_server, PHONE_320)
    yield page
    context.close()


def _stored(server, email) -> tuple[list[Episode], User, str]:
    """The person's episodes, their profile and their assessment's level, as the server has them now."""
    with server.app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        episodes = db.session.scalars(select(Episode).where(Episode.user_id == user.id)).all()
        level = assess_user(user, datetime.now(UTC)).level
        for row in (*episodes, user):
            db.session.expunge(row)
        db.session.remove()
        return episodes, user, level


def _until(page, check, what: str):
    for _ in range(100):
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(what)


def _outbox_empty(page):
    """Every tap has reached the server: the outbox removes an item only when the server has answered it 2xx."""
    wait_until(page, "() => window.CoachOutbox.all().then((items) => items.length === 0)", "the outbox was sent")


def test_a_tick_tapped_again_comes_off_the_spasm_and_the_assessment_is_back(phone, relief_server):
    email = "undo-tick@example.com"
    register(phone, email, country="GB")
    assert _stored(relief_server, email)[2] == "none"
    phone.goto("/sos")
    status = phone.locator("[data-urgent-status]")
    cannot_stand = phone.get_by_label("I cannot stand because of the pain")
    locked = phone.get_by_label("The muscle has stayed locked hard for more than an hour")
    cannot_stand.check()
    expect(status).to_have_text("Saved. Tap again to undo.")
    locked.check()
    expect(status).to_have_text("Saved. Tap again to undo.")
    wait_for_counts(relief_server, (1, 0))
    _until(phone, lambda: _stored(relief_server, email)[0][0].locked_minutes == 61, "the ticks reached the server")
    episodes, _, level = _stored(relief_server, email)
    assert episodes[0].symptoms == ["cannot_stand"] and level == "urgent"
    # The mis-taps, undone.
    cannot_stand.uncheck()
    expect(status).to_have_text("Removed.")
    expect(cannot_stand).not_to_be_checked()
    locked.uncheck()
    expect(locked).not_to_be_checked()
    _until(phone, lambda: _stored(relief_server, email)[0][0].locked_minutes is None, "the undo reached the server")
    expect(status).to_have_text("Removed.")
    _outbox_empty(phone)
    episodes, _, level = _stored(relief_server, email)
    assert len(episodes) == 1 and episodes[0].symptoms == [] and episodes[0].locked_minutes is None
    assert level == "none"
    # Nothing ticked any more: no urgent advice before relief.
    phone.get_by_role("link", name="No to all of these").click()
    phone.locator("#severity").get_by_role("button", name="3", exact=True).click()
    phone.get_by_role("button", name="Lower back, left").click()
    phone.get_by_role("button", name="Sitting").click()
    first_step_showing(phone)
    episodes, _, level = _stored(relief_server, email)
    assert episodes[0].symptoms == [] and episodes[0].locked_minutes is None and level != "urgent"
    assert phone.js_errors == []


def test_cancer_ticked_then_undone_is_false_in_the_profile_and_a_profile_answer_is_shown_fixed(phone, relief_server):
    email = "undo-cancer@example.com"
    register(phone, email, country="GB")
    phone.goto("/sos")
    cancer = phone.get_by_label("I have ever had cancer")
    status = phone.locator("[data-urgent-status]")
    cancer.check()
    expect(status).to_have_text("Saved in your profile. Tap again to undo.")
    _until(phone, lambda: _stored(relief_server, email)[1].cancer_history is True, "cancer_history saved")
    cancer.uncheck()
    expect(status).to_have_text("Removed from your profile.")
    _outbox_empty(phone)
    assert _stored(relief_server, email)[1].cancer_history is False

    # Already in the profile (Me > About you) before the check: ticked, fixed and said to come from there.
    with relief_server.app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        user.cancer_history = True
        db.session.commit()
        db.session.remove()
    phone.evaluate("sessionStorage.clear()")
    phone.goto("/sos")
    cancer = phone.get_by_label("I have ever had cancer")
    expect(cancer).to_be_checked()
    expect(cancer).to_be_disabled()
    expect(phone.locator("[data-urgent-line]").get_by_text("From your profile")).to_be_visible()
    assert _stored(relief_server, email)[1].cancer_history is True
    assert phone.js_errors == []


def test_offline_tick_untick_then_online_ends_as_the_boxes_were_left(playwright_instance, chromium_path, relief_server, tmp_path):
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium_path, args=LAUNCH_ARGS, viewport=PHONE_320,
        base_url=relief_server.url,
    )
    context.set_default_timeout(10_000)
    try:
        email = "undo-offline@example.com"
        page = signed_in_then_offline(context, email)
        page.goto("/sos")
        status = page.locator("[data-urgent-status]")
        fever = page.get_by_label("I have a fever or feel very unwell")
        weight = page.get_by_label("I'm losing weight without trying")
        fever.check()
        expect(status).to_have_text("Saved. Tap again to undo.")
        fever.uncheck()
        expect(status).to_have_text("Removed.")
        weight.check()
        weight.uncheck()
        weight.check()  # tick -> untick -> tick: ends ticked
        expect(status).to_have_text("Saved. Tap again to undo.")
        wait_until(page, "() => window.CoachOutbox.all().then((items) => items.length === 5)", "five taps queued")
        assert _stored(relief_server, email)[0] == []

        context.set_offline(False)
        page.evaluate("window.CoachOutbox.flush()")
        _outbox_empty(page)
        episodes, _, level = _stored(relief_server, email)
        assert len(episodes) == 1 and episodes[0].symptoms == ["weight_loss"] and level == "urgent"
        expect(fever).not_to_be_checked()
        expect(weight).to_be_checked()
    finally:
        context.close()


def test_in_the_players_check_an_undone_tick_gives_no_advice_above_start(browser, relief_server):
    context, page = open_phone(browser, relief_server, PHONE_320, safety_checked=False)
    try:
        email = "undo-player@example.com"
        register(page, email, country="GB")
        page.goto("/routines/gym-floor-settle/play")
        fever = page.get_by_label("I have a fever or feel very unwell")
        fever.check()
        expect(page.locator("[data-urgent-status]")).to_have_text("Saved. Tap again to undo.")
        fever.uncheck()
        expect(page.locator("[data-urgent-status]")).to_have_text("Removed.")
        _outbox_empty(page)
        page.get_by_role("link", name="No to all of these").click()
        expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
        expect(page.locator("[data-check-urgent]")).to_be_hidden()
        episodes, _, level = _stored(relief_server, email)
        assert [e.symptoms for e in episodes] == [[]] and level != "urgent"
        assert page.js_errors == []
    finally:
        context.close()
