"""Tap targets on the smallest phone (320 x 568, real Chromium): every standalone link and button of the main
pages is at least 44 x 44 CSS px, signed out and signed in. A link inside a sentence is exempt (WCAG 2.5.8's
inline exception); everything else, including 'More tips', 'Cancel' and 'Sign in', is not."""
from __future__ import annotations

import re

import pytest

from coach.seed import seed
from tests.e2e.conftest import register
from tests.factories import PASSWORD

SMALLEST = {"width": 320, "height": 568}
MIN = 44

# Visible controls a thumb taps, each with its size and whether it sits inside a sentence: an inline element
# whose nearest block holds other words too.
TARGETS = """() => {
  const blockOf = el => {
    let p = el.parentElement;
    while (p && getComputedStyle(p).display.startsWith('inline')) p = p.parentElement;
    return p;
  };
  const words = s => (s || '').replace(/\\s+/g, ' ').trim();
  // Words next to the target in the same line box: text nodes and inline elements of its block, not the target.
  const besideWords = el => {
    const block = blockOf(el);
    let text = '';
    const visit = node => node.childNodes.forEach(child => {
      if (child === el) return;
      if (child.nodeType === Node.TEXT_NODE) { text += child.textContent; return; }
      if (child.nodeType !== Node.ELEMENT_NODE || !getComputedStyle(child).display.startsWith('inline')) return;
      if (child.contains(el)) visit(child); else text += child.textContent;
    });
    if (block) visit(block);
    return words(text);
  };
  const found = [];
  document.querySelectorAll('a[href], button, input[type=submit], input[type=button], summary').forEach(el => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('[hidden], [inert], dialog:not([open])')) return;
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) return;                          // not shown (visually hidden, collapsed)
    if (box.bottom + scrollY <= 0 || box.right <= 0) return;             // parked off-screen (the skip link)
    const inline = style.display === 'inline' && besideWords(el) !== '';
    found.push({name: words(el.textContent) || el.getAttribute('aria-label') || el.value || el.tagName,
                tag: el.tagName.toLowerCase(), width: Math.round(box.width * 10) / 10,
                height: Math.round(box.height * 10) / 10, inline: inline});
  });
  return found;
}"""

PAGES_SIGNED_OUT = ("/", "/sos", "/routines", "/routines/heat", "/routines/heat/play", "/tips", "/login",
                    "/register", "/emergency", "/emergency?reason=chest_pain")
PAGES_SIGNED_IN = ("/", "/sos", "/routines", "/routines/floor-mobility", "/routines/floor-mobility/play", "/tips",
                   "/diary", "/log", "/reminders", "/reminders/new", "/me", "/emergency")


@pytest.fixture
def seeded_server(live_server):
    with live_server.app.app_context():
        seed()
    return live_server


def small_targets(page) -> list[dict]:
    return [t for t in page.evaluate(TARGETS) if not t["inline"] and (t["width"] < MIN or t["height"] < MIN)]


def walk(page, paths) -> dict[str, list[dict]]:
    problems = {}
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, path
        page.wait_for_load_state("load")
        small = small_targets(page)
        if small:
            problems[page.url] = small
    return problems


def new_phone(browser, server):
    context = browser.new_context(viewport=SMALLEST, has_touch=True, is_mobile=True, base_url=server.url)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_every_standalone_target_is_44px_signed_out(browser, seeded_server):
    context, page = new_phone(browser, seeded_server)
    assert walk(page, PAGES_SIGNED_OUT) == {}
    # SOS past the safety check: the quick log's scale, body map and triggers.
    page.goto("/sos")
    page.get_by_role("link", name="No to all of these").click()
    assert small_targets(page) == []
    context.close()


def test_every_standalone_target_is_44px_signed_in(browser, seeded_server):
    context, page = new_phone(browser, seeded_server)
    page.goto("/register")
    page.get_by_label("Your name").fill("Tap Tester")
    page.get_by_label("Email").fill("taps@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/$"))
    assert walk(page, PAGES_SIGNED_IN) == {}
    # A logged spasm: its diary card, its page and its edit form.
    status = page.evaluate("""() => fetch('/api/v1/episodes', {method: 'POST', headers: {
        'Content-Type': 'application/json', 'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
        body: JSON.stringify({started_at: new Date(Date.now() - 3600e3).toISOString(), severity: 5,
                              locations: ['lower_back'], trigger: 'lifting'})}).then(r => r.status)""")
    assert status == 201
    page.goto("/diary")
    assert small_targets(page) == [], page.url  # the diary with the spasm and its assessment card
    page.locator("a.episode-row").first.click()
    page.wait_for_url(re.compile(r"/episodes/\d+$"))
    assert small_targets(page) == [], page.url
    context.close()


def test_the_inline_exception_is_only_for_links_inside_sentences(browser, seeded_server):
    """The check itself: a bare 20 px link is caught, the same link inside a sentence is not."""
    context, page = new_phone(browser, seeded_server)
    page.goto("/login")
    page.evaluate("""() => {
        const p = document.createElement('p');
        p.innerHTML = 'Read the <a href="/tips" id="in-text">tips</a> first.';
        const bare = document.createElement('a');
        bare.href = '/tips'; bare.id = 'bare'; bare.textContent = 'More tips';
        const line = document.createElement('div');  // a plain box: no standalone-link rule applies
        line.append(bare);
        document.querySelector('main').append(p, line);
    }""")
    names = [t["name"] for t in small_targets(page)]
    assert "More tips" in names and "tips" not in names
    context.close()


def test_the_assessment_card_with_a_flag_and_its_why_are_44px(browser, seeded_server):
    """A spasm that gives a flag: the card on home and the diary, its 'Why am I seeing this?' (closed and open,
    with its episode links), and the advice above the routines, all 44 px at 320 px."""
    context, page = new_phone(browser, seeded_server)
    register(page, "flagged@example.com", name="Flag Tester")
    status = page.evaluate("""() => fetch('/api/v1/episodes', {method: 'POST', headers: {
        'Content-Type': 'application/json', 'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
        body: JSON.stringify({started_at: new Date(Date.now() - 3600e3).toISOString(), severity: 6,
                              locations: ['lower_back'], symptoms: ['night_pain']})}).then(r => r.status)""")
    assert status == 201
    for path in ("/", "/diary", "/routines"):
        page.goto(path)
        why = page.locator("#assessment summary, [data-level-advice] a", has_text="Why am I seeing this?").first
        assert why.is_visible(), f"{path}: the flag and its 'Why am I seeing this?' are shown"
        assert small_targets(page) == [], path
    page.goto("/diary")
    summary = page.locator("#assessment details.why > summary").first
    box = summary.bounding_box()
    assert box["height"] >= MIN, box
    summary.click()
    assert page.locator("#assessment details.why").first.get_attribute("open") is not None
    assert page.locator("#assessment details.why a").count() >= 1, "the flag's episode links are shown"
    assert small_targets(page) == [], "inside the open 'Why am I seeing this?'"
    context.close()
