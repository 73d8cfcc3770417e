"""The safety check before relief (CONTENT.md section 0, 2026.2): the page, and what a "Yes" or a tick saves."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from uuid import uuid4

import pytest

from coach.domain import codes
from coach.relief.service import RETIRED_STOP_REASONS
from coach.relief.sos import SAFETY_HEADING, SAFETY_QUESTIONS, URGENT_ITEMS, URGENT_LINE
from coach.routines.service import stop_rules
from tests.factories import page_text

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


def _safety_stage(html: str) -> str:
    return html[html.index('data-stage="safety"'):html.index('data-stage="log"')]


def test_the_list_is_content_md_in_its_order_with_one_yes_each():
    assert [(q.code, q.question[0].lower() + q.question[1:]) for q in SAFETY_QUESTIONS] == CONTENT_LIST
    assert SAFETY_HEADING == "Since this spasm started, have you had any of these?"
    assert URGENT_LINE == LINE


def test_every_emergency_stop_rule_is_asked_about():
    """A stop during the routine and a "Yes" before it save the same emergency symptom: each emergency stop rule
    (stop_rules.yaml, 2026.2) is one item of the list by its own code, with the same sources; no retired code."""
    questions = {q.code: q for q in SAFETY_QUESTIONS}
    emergency_rules = stop_rules().emergency
    assert {rule.code for rule in emergency_rules} == {
        "saddle_numbness", "bladder_bowel_change", "both_legs", "difficulty_walking", "chest_pain",
        "jaw_or_swallowing", "palpitations_or_fainting"}
    for rule in emergency_rules:
        assert rule.code in questions, rule.code
        assert questions[rule.code].saved == {"symptoms": [rule.code]}
        assert tuple(rule.sources) == questions[rule.code].sources, rule.code
        assert codes.SYMPTOMS[rule.code][1] == "emergency", rule.code
    for question in SAFETY_QUESTIONS:
        assert question.code not in RETIRED_STOP_REASONS
        if question.code != "accident":
            assert codes.SYMPTOMS[question.code][1] == "emergency", question.code


def test_sos_page_asks_the_ten_items_and_each_yes_reaches_the_emergency_screen_without_script(client, seeded):
    response = client.get("/sos")  # signed out: SOS works for anyone
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'aria-current="page"' in html and "tab-sos" in html
    safety = _safety_stage(html)
    text = page_text(safety)
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
    assert LINE in page_text(safety)
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
    assert unescape(advice) == f"Book or call now: {wording}."
    # The copy kept for offline use carries every wording, so the phone can pick its own country's.
    table = json.loads(unescape(re.search(r"data-urgent-advice='([^']+)'", html).group(1)))
    assert table.get(country, table[""]).endswith(f"{wording}.")
    assert "111" not in table[""] and "GP" not in table[""]


def test_the_phone_knows_which_places_alone_give_a_tier(client, seeded):
    html = client.get("/sos").get_data(as_text=True)
    levels = json.loads(unescape(re.search(r"data-location-levels='([^']+)'", html).group(1)))
    assert {code: entry["level"] for code, entry in levels.items()} == {
        "chest": "emergency", "arm": "urgent", "hand": "urgent", "abdomen": "urgent", "jaw": "urgent"}



# --- What a "Yes" or a tick saves, through the endpoint the outbox replays to (contract 4) ---


def _page_bodies(client) -> tuple[dict, dict]:
    """The bodies the SOS page hands to the outbox, read from the page itself (data-saves)."""
    safety = _safety_stage(client.get("/sos").get_data(as_text=True))
    yes = {code: json.loads(unescape(body)) for code, body in re.findall(r'data-safety-yes="(\w+)" data-saves=\'([^\']+)\'', safety)}
    ticks = {key: (target, json.loads(unescape(body)))
             for key, target, body in re.findall(r'data-urgent-item="(\w+)"\s+data-target="(\w+)" data-saves=\'([^\']+)\'', safety)}
    return yes, ticks


def _signed_in(client) -> str:
    """A person signed in through the web form, and the CSRF token the outbox takes from /sync-state."""
    from tests.factories import WebSession

    WebSession(client).register(country="GB")
    state = client.get("/sync-state").get_json()
    assert state["signed_in"] is True
    return state["csrf_token"]


def _put(client, token, client_id, body, key=None):
    return client.put(f"/api/v1/episodes/by-client/{client_id}", json=body,
                      headers={"X-CSRFToken": token, "Idempotency-Key": key or str(uuid4())})


def _started() -> str:
    return (datetime.now(UTC) - timedelta(minutes=5)).isoformat()


@pytest.mark.parametrize("code", [code for code, _ in CONTENT_LIST])
def test_each_yes_is_saved_on_the_spasm_and_the_assessment_is_at_emergency(client, seeded, code):
    token = _signed_in(client)
    yes, _ = _page_bodies(client)
    response = _put(client, token, uuid4(), {"started_at": _started(), **yes[code]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    episode = body["episode"]
    if code == "accident":
        assert episode["trigger"] == "accident" and episode["symptoms"] == []
    else:
        assert episode["symptoms"] == [code] and episode["trigger"] is None
    assert episode["severity"] is None  # answered before any pain score: not recorded
    assert body["assessment"]["level"] == "emergency"
    rule = "E2" if code == "accident" else "E1"
    assert [f["rule"] for f in body["assessment"]["flags"] if f["level"] == "emergency"] == [rule]


def test_the_yes_and_the_quick_log_are_one_spasm_and_an_old_snapshot_undoes_nothing(client, seeded):
    token = _signed_in(client)
    yes, _ = _page_bodies(client)
    spasm, started = uuid4(), _started()
    first = _put(client, token, spasm, {"started_at": started, **yes["both_legs"]})
    log = {"started_at": started, "severity": 6, "locations": ["lower_back"], "side": "left", "trigger": "lifting"}
    second = _put(client, token, spasm, log)
    assert (first.status_code, second.status_code) == (201, 200)
    # A replay of the first step (the outbox retries after a lost reply) changes nothing.
    again = _put(client, token, spasm, {"started_at": started, **yes["both_legs"]})
    assert again.status_code == 200
    episode = again.get_json()["episode"]
    assert episode["id"] == first.get_json()["episode"]["id"]
    assert (episode["symptoms"], episode["severity"], episode["locations"], episode["trigger"]) == (
        ["both_legs"], 6, ["lower_back"], "lifting")
    assert len(client.get("/api/v1/episodes").get_json()["items"]) == 1


@pytest.mark.parametrize(("key", "rule"), [
    ("fever", "E1"), ("weight_loss", "E1"), ("cannot_stand", "E1"), ("locked_minutes", "E3"), ("cancer_history", "F1"),
])
def test_each_tick_is_saved_and_the_assessment_is_urgent(client, seeded, key, rule):
    token = _signed_in(client)
    _, ticks = _page_bodies(client)
    target, body = ticks[key]
    spasm = uuid4()
    if target == "profile":
        response = client.patch("/api/v1/me", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 200 and response.get_json()["cancer_history"] is True
        body = {}
    response = _put(client, token, spasm, {"started_at": _started(), **body})
    assert response.status_code == 201, response.get_json()
    assessment = response.get_json()["assessment"]
    assert assessment["level"] == "urgent"
    assert rule in [f["rule"] for f in assessment["flags"] if f["level"] == "urgent"]
    episode = response.get_json()["episode"]
    if key == "locked_minutes":
        assert episode["locked_minutes"] == 61  # more than an hour (E3)
    elif target == "episode":
        assert episode["symptoms"] == [key]


def test_without_the_csrf_token_nothing_is_saved_and_the_outbox_keeps_it(client, seeded):
    _signed_in(client)
    response = client.put(f"/api/v1/episodes/by-client/{uuid4()}", json={"started_at": _started(), "symptoms": ["chest_pain"]})
    assert response.status_code in (400, 403)
    assert response.get_json()["error"]["code"] == "csrf_failed"  # outbox.js retries this after a fresh token
    assert client.get("/api/v1/episodes").get_json()["items"] == []
