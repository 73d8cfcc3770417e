"""Relief pages through the test client: SOS, emergency screen, player, library, tips, home, offline list."""
from __future__ import annotations

import json
import re
from html import unescape

import pytest
import yaml

from coach.account.forms import RISK_QUESTIONS
from coach.content import ContentError, medication_words_in
from coach.content.countries import emergency_number, emergency_numbers, parse_countries
from tests.factories import page_text

# --- SOS ---


# The safety check itself (the ten items, each "Yes", the urgent line): tests/web/test_safety_check.py.


def test_quick_log_has_a_labelled_body_map_front_and_back(client, seeded):
    html = client.get("/sos").get_data(as_text=True)
    # The map's regions, names and sides: tests/web/test_bodymap.py.
    assert 'data-bodymap="single"' in html and 'aria-label="Back of the body"' in html
    assert 'data-view="front" role="group" aria-label="Front of the body" hidden' in html
    assert '<span class="visually-hidden">Lower back, left</span>' in html
    assert html.count("data-value=") == 11  # severity 0-10
    assert 'data-trigger="lifting"' in html and 'data-trigger="accident"' not in html


# --- Emergency screen ---


@pytest.mark.parametrize(("country", "number"), [
    ("GB", "999"), ("US", "911"), ("CA", "911"), ("AU", "000"), ("NZ", "111"), ("DE", "112"), ("FR", "112"),
    ("IN", "112"), ("JP", "119"), ("CN", "120"), ("ZA", "10177"), ("BR", "192"), ("MX", "911"), ("CH", "144"),
    ("NO", "113"), ("IL", "101"), ("KR", "119"), ("XX", "112"), ("", "112"), (None, "112"), ("gb", "999"),
])
def test_emergency_numbers(country, number):
    assert emergency_number(country) == number


def test_every_eu_country_uses_112():
    eu = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
    _, numbers = emergency_numbers()
    assert {numbers[c] for c in eu} == {"112"}


@pytest.mark.parametrize(("doc", "field"), [
    ({"countries": {"GB": 999}}, "countries.GB"),
    ({"countries": {False: "113"}}, "countries.False"),
    ({"countries": {"gbr": "999"}}, "countries.gbr"),
    ({"fallback": "112", "countries": {"GB": "999"}}, "fallback"),
    ({"numbers": {"GB": "999"}}, "countries"),
])
def test_bad_emergency_number_files_name_the_field(doc, field):
    with pytest.raises(ContentError) as error:
        parse_countries(doc)
    assert error.value.origin == "countries.yaml" and error.value.path == field


def test_unquoted_norway_would_be_caught():
    with pytest.raises(ContentError, match="countries.False"):
        parse_countries(yaml.safe_load('countries:\n  NO: "113"\n'))


def test_emergency_screen_signed_out_uses_the_param_then_the_language(client):
    html = client.get("/emergency?reason=Chest%20pain&country=au").get_data(as_text=True)
    assert 'href="tel:000"' in html and "Chest pain" in html and 'data-country-source="param"' in html
    html = client.get("/emergency", headers={"Accept-Language": "en-NZ,en;q=0.8"}).get_data(as_text=True)
    assert 'href="tel:111"' in html and 'data-country-source="language"' in html
    html = client.get("/emergency", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="tel:112"' in html and 'data-country-source="default"' in html and "warning sign" in html


def test_emergency_screen_uses_the_signed_in_country_and_offers_no_routine(client, web, seeded):
    web.register(country="US")
    html = client.get("/emergency?reason=saddle_numbness").get_data(as_text=True)
    assert 'href="tel:911"' in html
    assert "Numbness or tingling in the genitals, buttocks, inner thighs or around the anus." in html
    # A link cannot give them another country's number.
    assert 'href="tel:911"' in client.get("/emergency?country=GB").get_data(as_text=True)
    assert "I&#39;m safe now" in html or "I'm safe now" in html
    main = html[html.index('<main'):html.index('</main>')]
    assert "/routines" not in main and "/play" not in main
    assert "page-emergency" in html  # full screen: the stylesheet hides the bars


def test_emergency_reason_text_is_ignored_not_shown(client):
    html = client.get("/emergency?reason=" + "<script>x</script>" + "a" * 500).get_data(as_text=True)
    assert "<script>x</script>" not in html and "&lt;script&gt;" not in html and "aaaa" not in html
    reason = re.search(r'<p class="emergency-reason" data-reason[^>]*>([^<]*)</p>', html).group(1)
    assert reason == "You told us about a warning sign."


def test_emergency_numbers_reach_the_page_for_offline_use(client):
    html = client.get("/emergency").get_data(as_text=True)
    wording = json.loads(unescape(re.search(r'data-wording="([^"]+)"', html).group(1)))
    assert wording["GB"]["number"] == "999" and wording["NO"]["number"] == "113" and wording[""]["number"] == "112"


# --- Player ---


def test_player_renders_every_step_for_use_without_script(client, seeded):
    html = client.get("/routines/walk-it-off/play").get_data(as_text=True)
    steps = re.findall(r'data-position="(\d+)" data-seconds="(\d+)" data-optional="(true|false)"', html)
    assert steps == [("1", "30", "false"), ("2", "300", "false"), ("3", "300", "true")]
    for code in ("pain_below_knee", "one_leg_weakness", "new_numbness", "pain_up_2_points", "dizziness", "done_for_now",
                 "saddle_numbness", "difficulty_walking", "chest_pain", "palpitations_or_fainting"):
        assert f'data-stop-code="{code}"' in html
    assert 'data-speed="1.0"' in html and 'data-speed-param="true"' in html  # testing allows ?speed=
    assert client.get("/routines/nope/play").status_code == 404


def test_player_speed_comes_from_config(app_factory, seeded):
    app = app_factory(PLAYER_SPEED=40, TESTING=False)
    html = app.test_client().get("/routines/heat/play").get_data(as_text=True)
    assert 'data-speed="40.0"' in html and 'data-speed-param="false"' in html


# --- Library, routine pages, tips, home ---


def test_library_lists_every_routine_with_total_time(client, seeded):
    html = client.get("/routines").get_data(as_text=True)
    assert html.count('class="card routine-card') == 5
    assert "3 min 10 s" in html and "15 min 40 s" in html  # gym-floor-settle without its optional slow steps
    filtered = client.get("/routines?kind=mobility").get_data(as_text=True)
    hidden = re.findall(r'data-kind="(\w+)" hidden', filtered)
    assert sorted(hidden) == ["relief", "relief", "relief"]
    assert 'data-filter="mobility" aria-current="true"' in filtered


def test_routine_page_shows_evidence_sources_and_stop_rules(client, seeded):
    html = client.get("/routines/heat").get_data(as_text=True)
    text = page_text(html)
    assert "Superficial heat has moderate-quality evidence. [8, 17]" in text
    assert "Cochrane CD004750, Superficial heat or cold for low back pain" in text
    assert "University of Missouri Health Care, heating-pad burn prevention" in text
    assert "Pain spreads below the knee" in text and "Chest pain" in text
    assert 'href="/routines/floor-mobility"' in html and 'href="/routines/heat/play"' in html
    settle = page_text(client.get("/routines/gym-floor-settle").get_data(as_text=True))
    assert "Physiotherapy practice, not from a source." in settle
    assert client.get("/routines/nope").status_code == 404


def test_tips_by_category_each_with_its_source(client, seeded):
    html = client.get("/tips?category=hydration").get_data(as_text=True)
    shown = re.findall(r'<li class="card stack-sm" data-kind="(\w+)">', html)
    assert shown == ["hydration", "hydration"]
    assert "ACSM, Exercise and fluid replacement (2007)" in html and "CDC heat-related illness guidance" in html
    assert client.get("/tips").get_data(as_text=True).count('class="card stack-sm" data-kind=') == 15


def test_home_shows_the_tip_of_the_day_with_its_source(client, seeded):
    from datetime import UTC, datetime

    from coach.routines.service import tip_of_the_day

    with seeded.app_context():
        tip = tip_of_the_day(datetime.now(UTC).date())
        title = tip.title
    html = client.get("/").get_data(as_text=True)
    assert "Tip of the day" in html and title in page_text(html)
    assert 'href="/relief/' not in html and 'href="/sos"' in html


def test_tip_of_the_day_changes_daily_and_cycles(app, seeded):
    from datetime import date, timedelta

    from coach.routines.service import tip_of_the_day

    with app.app_context():
        start = date(2026, 3, 1)
        ids = [tip_of_the_day(start + timedelta(days=n)).id for n in range(15)]
        assert sorted(ids) == list(range(1, 16))
        assert tip_of_the_day(start).id == tip_of_the_day(start + timedelta(days=15)).id


def test_home_without_content_still_renders(client):
    assert client.get("/").status_code == 200  # not seeded: no tip card, no error


def test_no_medicine_named_on_any_relief_page(client, seeded):
    for path in ("/", "/sos", "/emergency", "/routines", "/routines/heat", "/routines/heat/play", "/tips"):
        text = page_text(client.get(path).get_data(as_text=True))
        assert medication_words_in(text) == [], path


def test_relief_pages_have_no_inline_script_or_style(client, seeded):
    for path in ("/sos", "/emergency", "/routines", "/routines/heat", "/routines/gym-floor-settle/play", "/tips", "/"):
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (path, tag)
        assert " style=" not in html and " onclick=" not in html, path


# --- Offline: precache list and the outbox's state endpoint ---


def test_service_worker_precaches_relief_pages_and_scripts(client, seeded):
    body = client.get("/sw.js").get_data(as_text=True)
    urls = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body).group(1))
    for page in ("/sos", "/emergency", "/routines", "/"):
        assert page in urls
    for slug in ("gym-floor-settle", "heat", "floor-mobility", "walk-it-off", "cat-cow-child"):
        assert f"/routines/{slug}" in urls and f"/routines/{slug}/play" in urls
    for asset in ("css/relief.css", "js/outbox.js", "js/relief.js", "js/sos.js", "js/player.js"):
        assert any(url.startswith(f"/static/{asset}?v=") for url in urls), asset
    assert "importScripts(OUTBOX_SCRIPT)" in body and "'sync'" in body


def test_precache_lists_only_seeded_routines(client):
    body = client.get("/sw.js").get_data(as_text=True)
    assert "/routines/heat" not in body  # an empty database must not make the worker's install fail


def test_sync_state_tells_who_is_signed_in_with_a_fresh_token(client, web):
    state = client.get("/sync-state")
    assert state.headers["Cache-Control"] == "no-store"
    assert state.get_json()["signed_in"] is False and state.get_json()["user_id"] is None
    assert state.get_json()["csrf_token"]
    web.register(country="NZ")
    body = client.get("/sync-state").get_json()
    assert body["signed_in"] is True and isinstance(body["user_id"], int) and body["country"] == "NZ"


def test_signed_in_pages_carry_the_identity_the_outbox_needs(client, web, seeded):
    assert "data-user-id" not in client.get("/sos").get_data(as_text=True)
    web.register(country="GB")
    html = client.get("/sos").get_data(as_text=True)
    assert re.search(r'data-identity data-user-id="\d+" data-country="GB"', html)
    assert client.get("/sos").headers["Cache-Control"] == "no-store"


def test_no_medicine_named_on_account_and_diary_pages(client, web, seeded):
    """Outside the fixed copy, no page names or recommends a medicine (CONTENT.md section 0)."""
    for path in ("/register", "/login"):
        assert medication_words_in(page_text(client.get(path).get_data(as_text=True))) == [], path
    web.register()
    for path in ("/", "/log", "/diary", "/report", "/reminders"):
        assert medication_words_in(page_text(client.get(path).get_data(as_text=True))) == [], path
    # The profile asks CONTENT.md's question about a new prescribed medicine; asking is not recommending, and the
    # fixed copy stands beside it. Nothing else there names a medicine.
    for path in ("/me", "/me/edit"):
        text = page_text(client.get(path).get_data(as_text=True))
        assert "Medicines are a decision for your doctor. Don't start, stop or change them yourself." in text, path
        assert medication_words_in(text.replace(RISK_QUESTIONS["new_medicine_4_weeks"], " ")) == [], path
