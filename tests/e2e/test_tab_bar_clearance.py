"""The sticky tab bar and the targets under it, at Lighthouse's mobile screen (412 x 823 at 1.75 dpr, real Chromium).

axe's target-size rule (what Lighthouse's accessibility score counts) passes a target that the bar covers
whole and fails one that only shows a strip less than 24 px clear of the tab links at load. And a person who
moves through the page with a keyboard must never land on a target hidden under the bar (WCAG 2.4.11)."""
from __future__ import annotations

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


@pytest.mark.parametrize("path", ["/", "/sos"])
def test_no_target_is_cut_by_the_tab_bar_at_lighthouses_screen(lighthouse_phone, path):
    page = lighthouse_phone
    page.goto(path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options={"runOnly": ["target-size"], "resultTypes": ["violations"]})
    violations = [(node["target"], node["failureSummary"]) for v in results.response["violations"] for node in v["nodes"]]
    assert violations == [], f"{path}: {violations}"


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
