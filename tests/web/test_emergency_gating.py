"""No routine at emergency, the advice first at urgent, and the emergency screen's own wording (CONTENT.md section 0).

The level comes from real logged spasms (the API, with the session cookie and CSRF header as the PWA sends them).
"""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from coach.content.countries import country_table, local_services
from coach.relief.screen import reason_lines
from tests.factories import page_text

EMERGENCY_LOCATION = "/emergency?reason=assessment"
ROUTINE_PAGES = ("/", "/routines", "/routines/heat", "/routines/heat/play")
DEFAULT_LINE = "You told us about a warning sign."


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def log_spasm(client, web, **fields) -> dict:
    """A spasm an hour ago, logged through the API the way the PWA does (session cookie + X-CSRFToken)."""
    body = {
        "started_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "severity": 5, "trigger": "lifting", "during_exercise": True, "locations": ["lower_back"],
    }
    body.update(fields)
    response = client.post("/api/v1/episodes", json=body, headers={"X-CSRFToken": web.csrf("/sos")})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _reason(html: str) -> str:
    return unescape(re.search(r'<p class="emergency-reason"[^>]*>([^<]*)</p>', html).group(1))


# --- Emergency: every page a routine starts from leads to the emergency screen ---


@pytest.mark.parametrize("path", ROUTINE_PAGES + ("/routines?kind=relief", "/routines/heat/play?from=sos&pain=6"))
def test_at_emergency_routine_pages_redirect_to_the_emergency_screen(client, web, seeded, path):
    web.register(country="GB")
    assert log_spasm(client, web, symptoms=["saddle_numbness"])["assessment"]["level"] == "emergency"
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(EMERGENCY_LOCATION)


def test_the_emergency_screen_names_the_top_flag_and_offers_no_routine(client, web, seeded):
    web.register(country="GB")
    flag = log_spasm(client, web, symptoms=["saddle_numbness"])["assessment"]["flags"][0]
    response = client.get("/routines/heat/play", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.request.path == "/emergency"
    assert _reason(html) == flag["reason"] and "numbness or tingling in the genitals" in flag["reason"]
    main = _main(html)
    assert "/routines" not in main and "/play" not in main and "Start relief" not in main
    assert 'href="tel:999"' in main
    # "I'm safe now" cannot lead home (it would come straight back here): the diary, where the log is.
    assert re.search(r'href="/diary" data-safe>I(&#39;|\')m safe now', main)


def test_at_emergency_the_page_tells_the_phone_its_level(client, web, seeded):
    web.register(country="GB", display_name="Robin")
    log_spasm(client, web, symptoms=["saddle_numbness"])
    html = client.get("/diary").get_data(as_text=True)
    meta = re.search(r'<meta name="coach-level" content="(\w+)" data-evaluated-at="([^"]+)"\s+data-flags="([^"]+)"', html)
    assert meta and meta.group(1) == "emergency"
    flags = json.loads(unescape(meta.group(3)))
    assert [f["rule"] for f in flags] == ["E1"] and flags[0]["level"] == "emergency"
    # One shape: the page's flags are the API's flags at this level, key for key.
    assessment = client.get("/api/v1/assessment").get_json()
    assert flags == [f for f in assessment["flags"] if f["level"] == "emergency"]
    assert 'data-name="Robin"' in html
    # level.js runs before every other script, not deferred, so a routine page is left before it shows.
    head = html[:html.index("</head>")]
    assert re.search(r'<script src="/static/js/level\.js\?v=\w+"></script>', head)
    assert head.index("js/level.js") < head.index("js/outbox.js")


def test_signed_out_pages_are_not_gated_and_carry_no_level(client, seeded):
    for path in ROUTINE_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert 'name="coach-level"' not in html and "data-level-advice" not in html, path


def test_with_no_warning_the_routines_open_and_no_advice_stands_above_them(client, web, seeded):
    web.register(country="GB")
    log_spasm(client, web)
    for path in ROUTINE_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "data-level-advice" not in response.get_data(as_text=True), path
    assert 'name="coach-level" content="none"' in client.get("/").get_data(as_text=True)


def test_a_later_spasm_without_the_sign_still_gates_for_seven_days(client, web, seeded):
    web.register(country="GB")
    log_spasm(client, web, symptoms=["chest_pain"])
    log_spasm(client, web, started_at=(datetime.now(UTC) - timedelta(minutes=5)).isoformat())
    assert client.get("/routines").status_code == 303


# --- Urgent: the advice first, the routine below it ---


def _start_index(path: str, html: str) -> int:
    if path == "/":
        return html.index('href="/sos"', html.index("<main"))
    if path == "/routines/heat/play":
        return html.index("data-start")
    return html.index('/play"')


@pytest.mark.parametrize("path", ROUTINE_PAGES)
def test_at_urgent_the_advice_stands_above_the_routine(client, web, seeded, path):
    web.register(country="GB")
    assert log_spasm(client, web, symptoms=["weight_loss"])["assessment"]["level"] == "urgent"
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    advice = html.find("an urgent GP appointment, or call 111")
    assert advice != -1 and advice < _start_index(path, html)
    assert "losing weight without trying" in page_text(_main(html))


def test_urgent_advice_follows_the_country(client, web, seeded):
    web.register(country="US")
    log_spasm(client, web, symptoms=["weight_loss"])
    for path in ("/routines", "/routines/heat", "/routines/heat/play"):
        text = page_text(_main(client.get(path).get_data(as_text=True)))
        assert "Book or call now: a doctor today, or an urgent care service." in text, path
        assert "111" not in text and "GP" not in text and "A&E" not in text, path


# --- The emergency screen's reasons: a fixed list of codes ---


@pytest.mark.parametrize("code", [
    "saddle_numbness", "bladder_bowel_change", "sexual_dysfunction_new", "both_legs", "difficulty_walking",
    "chest_pain", "jaw_or_swallowing", "whole_body_spasms", "palpitations_or_fainting", "accident",
])
def test_each_reason_code_shows_its_line(client, code):
    with client.application.app_context():
        line = reason_lines()[code]
    html = client.get(f"/emergency?reason={code}").get_data(as_text=True)
    assert _reason(html) == line and line != DEFAULT_LINE


def test_reason_lines_use_the_apps_words():
    lines = reason_lines()
    assert lines["chest_pain"] == "Chest pain or a spasm in the chest."
    assert lines["accident"] == "A serious accident, fall from height or direct blow."
    assert lines["sexual_dysfunction_new"] == "New loss of sexual function."


@pytest.mark.parametrize("crafted", [
    "Call 0900-123456 now", "chest_pain ", "CHEST_PAIN", "Chest pain.", "<b>x</b>", "assessment2", "",
])
def test_any_other_reason_text_is_ignored(client, crafted):
    html = client.get("/emergency", query_string={"reason": crafted}).get_data(as_text=True)
    assert _reason(html) == DEFAULT_LINE
    assert "0900" not in html and "<b>x</b>" not in html and "&lt;b&gt;" not in html


def test_assessment_reason_without_an_emergency_shows_the_default_line(client, web, seeded):
    assert _reason(client.get(EMERGENCY_LOCATION).get_data(as_text=True)) == DEFAULT_LINE  # signed out
    web.register(country="GB")
    log_spasm(client, web, symptoms=["weight_loss"])  # urgent, not emergency
    html = client.get(EMERGENCY_LOCATION).get_data(as_text=True)
    assert _reason(html) == DEFAULT_LINE
    assert 'href="/" data-safe' in html  # not at emergency: "I'm safe now" goes home


# --- Country wording (CONTENT.md section 0) ---


def _screen(client, country: str) -> str:
    return page_text(_main(client.get(f"/emergency?country={country}", headers={"Accept-Language": "en"}).get_data(as_text=True)))


def test_gb_says_999_and_a_and_e(client):
    text = _screen(client, "GB")
    assert "Call 999" in text and "999 or A&E" in text and "Emergency number for United Kingdom." in text
    assert "international emergency number" not in text.lower() and "doesn't connect" not in text


@pytest.mark.parametrize(("country", "number", "name"), [
    ("US", "911", "United States"), ("DE", "112", "Germany"), ("NZ", "111", "New Zealand"), ("AU", "000", "Australia"),
])
def test_other_listed_countries_say_the_emergency_department(client, country, number, name):
    text = _screen(client, country)
    assert f"Call {number}" in text
    assert f"Call emergency services on {number} or go to the emergency department now." in text
    assert f"Emergency number for {name}." in text
    assert "A&E" not in text and "NHS" not in text and "GP" not in text
    # 112 is Germany's own number: neither labelled the international one nor given the fallback note.
    assert "international emergency number" not in text.lower() and "doesn't connect" not in text


def test_a_country_missing_from_the_table_gets_112_labelled_with_its_note(client):
    missing = "MN"
    assert missing not in country_table() and local_services(missing).is_fallback
    text = _screen(client, missing)
    assert "Call 112" in text and "(international emergency number)" in text
    assert "International emergency number." in text
    assert "If 112 doesn't connect, call your local emergency number." in text
    assert "Mongolia" not in text and "for MN" not in text and "A&E" not in text


def test_signed_in_country_wins_and_the_offline_table_covers_every_country(client, web):
    web.register(country="NZ")
    html = client.get("/emergency?country=GB").get_data(as_text=True)
    assert 'href="tel:111"' in html and "A&amp;E" not in _main(html)
    wording = json.loads(unescape(re.search(r'data-wording="([^"]+)"', html).group(1)))
    assert set(wording) == set(country_table()) | {""}
    assert wording["GB"]["todo"].endswith("999 or A&E.") and wording[""]["note"].startswith("If 112 doesn't connect")
    assert wording["AU"] == {"number": "000", "todo": "Call emergency services on 000 or go to the emergency department now.",
                             "label": "Emergency number for Australia.", "note": ""}
    reasons = json.loads(unescape(re.search(r'data-reasons="([^"]+)"', html).group(1)))
    assert reasons["accident"] == "A serious accident, fall from height or direct blow."


# --- Offline: the worker keeps what the phone needs to decide ---


def test_service_worker_precaches_the_level_and_emergency_scripts(client):
    body = client.get("/sw.js").get_data(as_text=True)
    urls = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body).group(1))
    for asset in ("js/level.js", "js/emergency.js"):
        assert any(url.startswith(f"/static/{asset}?v=") for url in urls), asset
    assert "/emergency" in urls and "/" in urls and "/routines" in urls
