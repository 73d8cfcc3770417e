"""Urgent advice said once (real Chromium, a phone with the app cached): after the SOS page has shown the server's
urgent advice before the routine, the player kept for offline use does not show the same advice again, and no
"Got it" card comes back for it later; a newer urgent answer still shows."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import register
from tests.e2e.test_relief_offline import ready_for_offline

PLAYER = "/routines/gym-floor-settle/play"


def test_the_player_does_not_repeat_advice_the_sos_page_gave(persistent_context, relief_server):
    page = persistent_context.new_page()
    register(page, "shown@example.com", country="GB")
    ready_for_offline(page)

    # Online SOS: a tick saved at once, the quick log, and the server's urgent answer before the routine.
    page.goto("/sos")
    page.get_by_label("I cannot stand because of the pain").check()
    expect(page.locator("[data-urgent-status]")).to_contain_text("Saved")
    page.get_by_role("link", name="No to all of these").click()
    page.locator("#severity").get_by_role("button", name="4", exact=True).click()
    page.get_by_role("button", name=re.compile(r"^Lower back,? left")).click()
    page.get_by_role("button", name="Sitting").click()
    expect(page.get_by_role("heading", name="See a doctor today")).to_be_visible()
    assert page.evaluate("window.CoachLevel.current().level") == "urgent"

    # The network goes; the player opens from the copy kept on the phone (a signed-out rendering, where
    # level.js would otherwise put the stored advice above the routine).
    persistent_context.set_offline(True)
    page.goto(PLAYER)
    expect(page.locator("#player-title, h1").first).to_be_visible()
    page.wait_for_timeout(300)
    banner = page.locator("[data-level-banner]")
    assert banner.is_hidden()
    # Nor later, as a "Got it" card on another page kept for offline use.
    page.goto("/emergency")
    page.goto("/sos")
    assert page.locator("[data-level-ok]").count() == 0

    # A newer urgent answer (a later log reaching the server) is news: the player shows it.
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    newer = {"level": "urgent", "evaluated_at": later,
             "flags": [{"rule": "U16", "level": "urgent", "episode_ids": [2], "reason": "A newer reason."}]}
    assert page.evaluate("(a) => window.CoachLevel.remember(a)", newer) is True
    page.goto(PLAYER)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("A newer reason.")
