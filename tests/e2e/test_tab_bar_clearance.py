"""The sticky tab bar and the targets under it, at Lighthouse's mobile screen (412 x 823 at 1.75 dpr, real Chromium).

axe's target-size rule (what Lighthouse's accessibility score counts) passes a target that the bar covers
whole and fails one that only shows a strip less than 24 px clear of the tab links at load. And a person who
moves through the page with a keyboard must never land on a target hidden under the bar (WCAG 2.4.11)."""
from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe

from coach.seed import seed

LIGHTHOUSE_SCREEN = {"width": 412, "height": 823}


@pytest.fixture
def lighthouse_phone(browser, live_server):
    with live_server.app.app_context():
        seed()
    context = browser.new_context(viewport=LIGHTHOUSE_SCREEN, device_scale_factor=1.75, has_touch=True,
                                  is_mobile=True, base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _target_size_violations(page, path: str) -> list:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options={"runOnly": ["target-size"], "resultTypes": ["violations"]})
    return [(node["target"], node["failureSummary"]) for v in results.response["violations"] for node in v["nodes"]]


def test_no_target_is_cut_by_the_tab_bar_at_lighthouses_screen_on_sos(lighthouse_phone):
    assert _target_size_violations(lighthouse_phone, "/sos") == []


def test_no_target_is_cut_by_the_tab_bar_on_the_home_page_whatever_the_tip_of_the_day(lighthouse_phone, live_server,
                                                                                      monkeypatch):
    """The home page ends with the tip of the day, and tips differ in length: each of them, not only today's, is
    shown at Lighthouse's screen (one tip's card cut its "Sources" on 7 Dec 2026)."""
    from coach.routines import routes

    shown = routes.tip_of_the_day
    with live_server.app.app_context():
        tips = [shown(date.fromordinal(n)) for n in range(1, 100)]
        titles = list(dict.fromkeys(tip.title for tip in tips))
    assert len(titles) > 1
    failures = {}
    for n, title in enumerate(titles):
        monkeypatch.setattr(routes, "tip_of_the_day", lambda day, n=n: shown(date.fromordinal(1 + n)))
        violations = _target_size_violations(lighthouse_phone, "/")
        assert title in lighthouse_phone.inner_text("main")
        if violations:
            failures[title] = violations
    assert failures == {}


def test_keyboard_focus_never_lands_under_the_tab_bar(lighthouse_phone):
    """Every "Yes" of the safety list, reached with Tab, is scrolled clear of the bar."""
    page = lighthouse_phone
    page.goto("/sos")
    answers = page.locator("[data-safety-yes]")
    assert answers.count() == 10
    hidden = []
    for _ in range(60):
        page.keyboard.press("Tab")
        box = page.evaluate("""() => {
          const el = document.activeElement;
          if (!el || !el.matches('[data-safety-yes]')) return null;
          const r = el.getBoundingClientRect();
          return {code: el.dataset.safetyYes, bottom: r.bottom,
                  bar: document.querySelector('.tabbar').getBoundingClientRect().top};
        }""")
        if box and box["bottom"] > box["bar"]:
            hidden.append(box)
        if page.evaluate("document.activeElement.matches('[data-safety-all-no]')"):
            break
    else:
        pytest.fail("Tab never reached 'No to all of these'")
    assert hidden == []
