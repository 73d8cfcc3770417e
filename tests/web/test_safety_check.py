"""The safety check before relief (CONTENT.md section 0, 2026.2): the page, and what a "Yes" or a tick saves."""
from __future__ import annotations

import json
import re
from html import unescape

import pytest

from coach.relief.sos import SAFETY_HEADING, SAFETY_QUESTIONS, URGENT_ITEMS, URGENT_LINE
from coach.routines.service import stop_rules
from coach.seed import seed

# CONTENT.md section 0, "Safety check before relief": the list, in this order, and the code a "Yes" saves.
CONTENT_LIST = [
    ("saddle_numbness", "numbness or tingling in the genitals, buttocks, inner thighs or around the anus"),
    ("bladder_bowel_change", "new trouble starting or controlling urine or bowels"),
    ("sexual_dysfunction_new", "new loss of sexual function"),
    ("both_legs", "pain, tingling, numbness or weakness in both legs"),
    ("difficulty_walking", "legs weak, numb or heavy or giving way, severe or getting worse (not just because moving hurts)"),
    ("chest_pain", "chest pain or a spasm in the chest"),
    ("jaw_or_swallowing", "stiff jaw, trouble swallowing or breathing"),
    ("whole_body_spasms", "spasms spreading over the whole body"),
    ("palpitations_or_fainting", "palpitations, fainting, confusion or a seizure"),
    ("accident", "a serious accident, fall from height or direct blow"),
]
LINE = ("Also tell a doctor soon (today or within 48 hours) if you have a fever or feel very unwell, have ever had "
        "cancer, are losing weight without trying, cannot stand because of the pain, or the muscle has stayed locked "
        "hard for more than an hour.")


@pytest.fixture
def seeded(app):
    with app.app_context():
        seed()
    return app


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _safety_stage(html: str) -> str:
    return html[html.index('data-stage="safety"'):html.index('data-stage="log"')]


def test_the_list_is_content_md_in_its_order_with_one_yes_each():
    assert [(q.code, q.question[0].lower() + q.question[1:]) for q in SAFETY_QUESTIONS] == CONTENT_LIST
    assert SAFETY_HEADING == "Since this spasm started, have you had any of these?"
    assert URGENT_LINE == LINE


def test_every_emergency_stop_rule_is_asked_about():
    asked = {q.code for q in SAFETY_QUESTIONS} | {code for q in SAFETY_QUESTIONS for code in q.stop_rules}
    missing = {rule.code for rule in stop_rules().emergency} - asked
    assert missing == set()


def test_sos_page_asks_the_ten_items_and_each_yes_reaches_the_emergency_screen_without_script(client, seeded):
    response = client.get("/sos")  # signed out: SOS works for anyone
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'aria-current="page"' in html and "tab-sos" in html
    safety = _safety_stage(html)
    text = _text(safety)
    assert SAFETY_HEADING in text
    # Each line with its own "Yes", a plain link with the code (contract 8), in CONTENT.md's order.
    yes = re.findall(r'href="/emergency\?reason=(\w+)"\s+data-safety-yes="(\w+)" data-saves=\'([^\']+)\'', safety)
    assert [code for code, _, _ in yes] == [code for code, _ in CONTENT_LIST]
    assert all(href == code for href, code, _ in yes)
    saves = {code: json.loads(unescape(body)) for _, code, body in yes}
    assert saves["accident"] == {"trigger": "accident"}
    assert saves["chest_pain"] == {"symptoms": ["chest_pain"]}
    positions = [text.index(wording[0].upper() + wording[1:]) for _, wording in CONTENT_LIST]
    assert positions == sorted(positions)
    for code, _ in CONTENT_LIST:
        assert client.get(f"/emergency?reason={code}").status_code == 200
    # One "No to all of these", after the whole list (never pinned over a line not yet seen).
    assert safety.count("data-safety-all-no") == 1
    assert safety.index("data-safety-all-no") > safety.rindex("data-safety-yes=")
    assert 'href="/routines/gym-floor-settle/play?from=sos" data-safety-all-no' in safety
    no_to_all = re.search(r'<a class="([^"]+)"[^>]*data-safety-all-no', safety).group(1)
    assert "sos-dock" not in no_to_all and "sos-dock" not in safety


def test_the_urgent_line_is_below_the_list_with_a_tick_for_each_part(client, seeded):
    safety = _safety_stage(client.get("/sos").get_data(as_text=True))
    assert LINE in _text(safety)
    assert safety.index("data-urgent-line") > safety.rindex("data-safety-yes=")
    ticks = re.findall(r'data-urgent-item="(\w+)"\s+data-target="(\w+)" data-saves=\'([^\']+)\'', safety)
    saved = {key: (target, json.loads(unescape(body))) for key, target, body in ticks}
    assert saved == {
        "fever": ("episode", {"symptoms": ["fever"]}),
        "cancer_history": ("profile", {"cancer_history": True}),
        "weight_loss": ("episode", {"symptoms": ["weight_loss"]}),
        "cannot_stand": ("episode", {"symptoms": ["cannot_stand"]}),
        "locked_minutes": ("episode", {"locked_minutes": 61}),
    }
    assert [item.key for item in URGENT_ITEMS] == [key for key, _, _ in ticks]


@pytest.mark.parametrize(("country", "wording"), [
    ("GB", "an urgent GP appointment, or call 111 (in Northern Ireland, your GP or the GP out-of-hours service)"),
    ("DE", "a doctor today, or an urgent care service"),
    ("US", "a doctor today, or an urgent care service"),
])
def test_urgent_advice_is_in_the_wording_of_the_persons_country(app, client, seeded, country, wording):
    from tests.factories import WebSession

    WebSession(client).register(country=country)
    html = client.get("/sos").get_data(as_text=True)
    advice = re.search(r"<p data-urgent-advice-text>([^<]+)</p>", html).group(1)
    assert unescape(advice) == f"See a doctor today or within 48 hours: {wording}."
    # The copy kept for offline use carries every wording, so the phone can pick its own country's.
    table = json.loads(unescape(re.search(r"data-urgent-advice='([^']+)'", html).group(1)))
    assert table.get(country, table[""]).endswith(f"{wording}.")
    assert "111" not in table[""] and "GP" not in table[""]


def test_the_phone_knows_which_places_alone_give_a_tier(client, seeded):
    html = client.get("/sos").get_data(as_text=True)
    levels = json.loads(unescape(re.search(r"data-location-levels='([^']+)'", html).group(1)))
    assert {code: entry["level"] for code, entry in levels.items()} == {
        "chest": "emergency", "arm": "urgent", "hand": "urgent", "abdomen": "urgent", "jaw": "urgent"}

