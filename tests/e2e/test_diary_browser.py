"""On a phone: log a spasm in the detailed form, see it in the history and the chart, read the assessment, the report."""
from __future__ import annotations

import re

from tests.e2e.conftest import assert_no_axe_violations, register


def choose(page, group: str, label: str) -> None:
    """Tap a chip of a radio group, as a thumb does (the input itself is a 1 px dot inside its label)."""
    chip = page.locator(f"#{group} label.chip", has_text=re.compile(rf"^{re.escape(label)}$"))
    chip.scroll_into_view_if_needed()
    chip.click()
    assert page.locator(f"#{group} input:checked").get_attribute("value") is not None


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_log_an_episode_on_a_phone_and_see_it_everywhere(page):
    register(page, "diary@example.com", name="Diary User")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log").click()
    page.wait_for_url(re.compile(r"/log$"))
    assert page.get_by_role("heading", name="Log a spasm").is_visible()
    no_sideways_scroll(page)
    assert_no_axe_violations(page)

    # Severity: 11 big options; the body map and side by keyboard as well as by tap.
    tiles = page.locator(".sev-tile")
    assert tiles.count() == 11
    for i in range(11):
        box = tiles.nth(i).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 48
    page.locator("label.sev-tile", has_text=re.compile(r"^7$")).click()
    lower_back = page.get_by_role("checkbox", name="Lower back", exact=True)
    lower_back.focus()
    page.keyboard.press("Space")
    assert lower_back.is_checked()
    page.get_by_role("checkbox", name="Buttock", exact=True).check()
    choose(page, "side", "Left")
    choose(page, "trigger", "Lifting")
    # The rest waits under "More details".
    assert not page.get_by_label("Which exercise?").is_visible()
    page.locator("#more-details > summary").click()
    choose(page, "during_exercise", "Yes")
    page.get_by_label("Which exercise?").fill("deadlift")
    page.get_by_label("Load in kg").fill("100")
    page.get_by_label("How many minutes did the muscle stay locked hard?").fill("20")
    choose(page, "eased_by_stretch", "No")
    page.get_by_label("Notes").fill("<b>not bold</b>")
    page.get_by_role("button", name="Save episode").click()

    # The assessment right after saving: urgent (locked 20 minutes, not eased), with the why.
    page.wait_for_url(re.compile(r"/diary#assessment$"))
    card = page.locator("#assessment")
    assert card.get_by_role("heading", name="See a doctor today or within 48 hours").is_visible()
    card.get_by_text("Why am I seeing this?").first.click()
    why = card.locator("details.why").first
    assert "E4 (Urgent)" in why.inner_text() and "[11] NHS / nidirect, Leg cramps" in why.inner_text()
    assert "This content is a coaching aid, not a diagnosis." in card.inner_text()

    # History and chart.
    history = page.locator(".episode-list")
    assert "Lower back, Buttock" in history.inner_text() and "7/10" in history.inner_text()
    assert page.locator("#chart svg").count() == 2
    severity_chart = page.get_by_role("img", name=re.compile(r"^Severity of each episode .*severity 7 to 7 out of 10"))
    assert severity_chart.locator("circle").count() == 1
    assert severity_chart.bounding_box()["width"] <= 330
    page.get_by_text("Show as a table").click()
    assert page.locator(".chart-table table").is_visible()
    no_sideways_scroll(page)
    assert_no_axe_violations(page)

    # The home page carries the same card.
    page.get_by_role("link", name="Relief Coach").first.click()
    assert page.locator("#assessment").get_by_text("See a doctor today or within 48 hours").is_visible()

    # The episode page shows the notes as text.
    page.goto("/diary")
    page.locator(".episode-row").first.click()
    assert page.get_by_text("<b>not bold</b>").is_visible()

    # The report for a doctor.
    page.goto("/report")
    assert page.get_by_role("heading", name="Back spasm diary: report for a doctor").is_visible()
    assert page.get_by_role("button", name="Print").is_visible()
    no_sideways_scroll(page)
    assert_no_axe_violations(page)
    assert page.js_errors == []


def test_log_form_errors_are_summarised_at_the_top_and_keep_the_answers(page):
    register(page, "errors@example.com", name="Diary User")
    page.goto("/log")
    page.locator("#more-details > summary").click()
    page.get_by_label("How many minutes did the muscle stay locked hard?").fill("5000")
    page.get_by_label("Which exercise?").fill("squat")
    # The counter appears near the limit and, over it, says how much to cut; nothing is cut.
    notes = page.get_by_label("Notes")
    counter = page.locator("#notes-count")
    assert counter.inner_text() == "Up to 2,000 characters."
    notes.fill("a" * 1700)
    assert counter.inner_text() == "1,700 of 2,000 characters."
    notes.fill("a" * 2010)
    assert counter.inner_text().startswith("2,010 characters: 10 too many. Shorten it by 10 characters")
    assert len(notes.input_value()) == 2010
    with page.expect_navigation():
        page.get_by_role("button", name="Save episode").click()

    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert" and summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary", "the summary takes the focus"
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == [
        "How bad was it at its worst: Choose a number from 0 to 10.",
        "How many minutes did the muscle stay locked hard: Must be a whole number of minutes from 0 to 1440.",
        "Notes: 2,010 characters; the limit is 2,000: shorten it by 10.",
    ]
    assert links.nth(0).inner_text() == "How bad was it at its worst: " + page.locator("#severity-error").inner_text()
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "locked_minutes"
    links.nth(0).click()
    assert page.evaluate("document.activeElement.name") == "severity"
    assert page.get_by_label("Which exercise?").input_value() == "squat"
    assert len(page.get_by_label("Notes").input_value()) == 2010
    no_sideways_scroll(page)
    assert_no_axe_violations(page)
    assert [e for e in page.js_errors if "status of 400" not in e] == []  # the form's own 400 is the only one


def test_every_diary_page_is_axe_clean_in_light_and_dark(page):
    register(page, "axe@example.com", name="Diary User")
    page.goto("/log")
    page.locator("label.sev-tile", has_text=re.compile(r"^4$")).click()
    page.get_by_role("button", name="Save episode").click()
    page.wait_for_url(re.compile(r"/diary"))
    page.locator(".episode-row").first.click()
    episode = page.url
    for path in (episode, f"{episode}/follow-up", f"{episode}/edit", f"{episode}/delete", "/"):
        page.goto(path)
        no_sideways_scroll(page)
        assert_no_axe_violations(page)
    page.emulate_media(color_scheme="dark")
    for path in ("/diary", "/log", "/report"):
        page.goto(path)
        assert_no_axe_violations(page)
    assert page.js_errors == []
