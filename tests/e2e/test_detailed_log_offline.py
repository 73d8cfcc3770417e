"""The detailed log with no connection: saved on this phone (the outbox) with everything typed, said so, and sent
once when the network returns; on the two smallest phones."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from coach.extensions import db
from coach.models import Episode
from tests.e2e.conftest import open_phone, register
from tests.e2e.test_diary_browser import choose

NOTES = ("Felt it go on the third rep.\nHeat helped a bit; walking helped more.\n" + "Ça tire encore — 痛い. " * 60).strip()


def episodes(server) -> list[Episode]:
    with server.app.app_context():
        rows = db.session.scalars(db.select(Episode).order_by(Episode.id)).all()
        db.session.expunge_all()
        db.session.remove()
        return rows


def wait_for_episodes(server, count: int, timeout: float = 15) -> list[Episode]:
    deadline = time.monotonic() + timeout
    while True:
        rows = episodes(server)
        if len(rows) == count or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 640}, {"width": 320, "height": 568}], ids=["360x640", "320x568"])
def test_detailed_log_offline_is_kept_on_the_phone_and_syncs_once_back_online(browser, live_server, viewport):
    context, page = open_phone(browser, live_server, viewport)
    try:
        register(page, email=f"offline-log-{viewport['width']}@example.com")
        page.goto("/log")
        context.set_offline(True)

        page.locator("label.sev-tile", has_text=re.compile(r"^6$")).click()
        page.get_by_role("checkbox", name="Lower back", exact=True).check()
        choose(page, "trigger", "Lifting")
        page.locator("#more-details > summary").click()
        choose(page, "during_exercise", "Yes")
        page.get_by_label("Which exercise?").fill("deadlift")
        page.get_by_label("How many minutes did the muscle stay locked hard?").fill("12")
        choose(page, "eased_by_stretch", "Yes")
        page.get_by_label("Notes").fill(NOTES)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.get_by_role("button", name="Save episode").click()

        saved = page.locator("[data-offline-saved]")
        expect(saved).to_be_visible()
        assert "Saved on this phone, will sync" in saved.inner_text()
        assert page.url.endswith("/log"), "no page was lost to a dead connection"
        assert page.get_by_label("Notes").input_value() == NOTES, "what was typed stays on screen"
        assert page.get_by_role("button", name="Save episode").is_hidden(), "no second copy from a second tap"
        box = saved.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        queued = page.evaluate("window.CoachOutbox.all()")
        assert len(queued) == 1 and queued[0]["url"] == "/api/v1/episodes"
        body = queued[0]["body"]
        assert body["notes"] == NOTES and body["severity"] == 6 and body["locations"] == ["lower_back"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00[+-]\d{2}:\d{2}", body["started_at"])
        assert episodes(live_server) == []

        context.set_offline(False)
        (episode,) = wait_for_episodes(live_server, 1)
        expect(saved).to_contain_text("Synced: this spasm is in your diary now.")
        assert episode.notes == NOTES, "nothing typed was lost or cut"
        assert (episode.severity, episode.trigger, episode.during_exercise, episode.exercise) == (6, "lifting", True, "deadlift")
        assert (episode.locked_minutes, episode.eased_by_stretch, episode.side, episode.load_kg) == (12, True, None, None)

        # Back online, later pages send nothing more: exactly one spasm.
        page.goto("/diary")
        assert "Lower back · Lifting" in page.locator(".episode-list").inner_text()
        page.goto("/log")
        page.wait_for_timeout(500)
        assert len(episodes(live_server)) == 1
        assert page.evaluate("window.CoachOutbox.all().then((items) => items.length)") == 0
        assert page.js_errors == []
    finally:
        context.close()


def test_online_the_detailed_log_is_sent_as_a_form_once(page, live_server):
    register(page, email="online-log@example.com")
    page.goto("/log")
    page.locator("label.sev-tile", has_text=re.compile(r"^3$")).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Save episode").dblclick()
    page.wait_for_url(re.compile(r"/diary#assessment$"))
    assert "Episode saved." in page.inner_text("body")
    page.wait_for_timeout(300)
    (episode,) = episodes(live_server)
    assert episode.source == "form" and episode.severity == 3
    assert page.evaluate("window.CoachOutbox.all().then((items) => items.length)") == 0
