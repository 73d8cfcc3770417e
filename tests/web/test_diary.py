"""Diary pages: the detailed log form, validation on the fields, edit, delete, ownership, follow-ups, assessment."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from coach.extensions import db
from coach.models import Episode, FollowUp, User
from tests.factories import WebSession, make_episode


def _user(app, email) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def _form_defaults(client, path="/log") -> dict:
    html = client.get(path).get_data(as_text=True)
    found = dict(re.findall(r'name="(started_date|started_time|client_id)"[^>]*value="([^"]*)"', html))
    return found


def _episode_form(client, **overrides) -> dict:
    data = {
        **_form_defaults(client),
        "severity": "6",
        "locations": ["lower_back", "buttock"],
        "side": "left",
        "trigger": "lifting",
        "during_exercise": "yes",
        "exercise": "deadlift",
        "load_kg": "100",
        "locked_minutes": "5",
        "eased_by_stretch": "yes",
        "symptoms": [],
        "relief_used": "heat",
        "notes": "felt a twinge",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _episodes(app, uid: int) -> list[Episode]:
    with app.app_context():
        rows = db.session.scalars(db.select(Episode).where(Episode.user_id == uid).order_by(Episode.id)).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def signed_in(app, web) -> int:
    """The signed-in user's id. No app context stays open: requests must not share g with the test."""
    data = web.register(timezone="Europe/London")
    with app.app_context():
        return _user(app, data["email"]).id


def test_log_tab_points_at_the_detailed_form(web, client, signed_in):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/log"' in html
    form = client.get("/log").get_data(as_text=True)
    assert 'aria-current="page"' in form and "Log a spasm" in form
    # 11 severity options, every body-map region and side, the symptom checklist in plain words
    assert len(re.findall(r'name="severity" type="radio"', form)) == 11
    for code in ("lower_back", "between_shoulder_blades", "calf", "jaw", "chest"):
        assert f'value="{code}"' in form
    assert "numbness or tingling in the genitals" in form.lower()
    assert 'inputmode="numeric"' in form and 'data-keep-draft="episode-new"' in form


def test_log_form_happy_path_saves_and_shows_the_assessment(app, web, client, signed_in):
    response = web.post("/log", _episode_form(client), page="/log")
    assert response.status_code == 302 and response.headers["Location"].startswith("/diary")
    (episode,) = _episodes(app, signed_in)
    assert episode.severity == 6 and episode.locations == ["lower_back", "buttock"] and episode.side == "left"
    assert episode.during_exercise is True and episode.load_kg == 100 and episode.exercise == "deadlift"
    assert episode.eased_by_stretch is True and episode.source == "form" and episode.client_id
    diary = client.get("/diary").get_data(as_text=True)
    assert "Episode saved." in diary and 'id="assessment"' in diary
    assert "None of the app&#39;s warning rules apply to what you logged" in diary and "No warning signs" not in diary
    assert "Lower back, Buttock" in diary and "6/10" in diary


def test_double_submit_of_one_form_saves_once(app, web, client, signed_in):
    data = _episode_form(client)
    web.post("/log", data, page="/log")
    web.post("/log", data, page="/log")
    assert len(_episodes(app, signed_in)) == 1


FUTURE = (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=2)).strftime("%Y-%m-%d")


@pytest.mark.parametrize(
    ("overrides", "field", "message", "kept"),
    [
        ({"severity": None}, "severity", "Choose a number from 0 to 10.", None),
        ({"severity": "11"}, "severity", "Must be an integer from 0 to 10.", None),
        ({"started_date": FUTURE}, "started_date", "Can't be more than 10 minutes in the future.", f'value="{FUTURE}"'),
        ({"started_date": "1899-12-31"}, "started_date", "Can't be more than 100 years ago.", 'value="1899-12-31"'),
        ({"started_date": "yesterday"}, "started_date", "Not a valid date value.", 'value="yesterday"'),
        ({"started_time": "25:99"}, "started_time", "Not a valid time value.", 'value="25:99"'),
        ({"locked_minutes": "1441"}, "locked_minutes", "Must be a whole number of minutes from 0 to 1440.", 'value="1441"'),
        ({"locked_minutes": "a while"}, "locked_minutes", "Must be a whole number of minutes from 0 to 1440.", 'value="a while"'),
        ({"load_kg": "heavy"}, "load_kg", "Must be a number from 0 to 1000.", 'value="heavy"'),
        ({"load_kg": "1200"}, "load_kg", "Must be a number from 0 to 1000.", 'value="1200"'),
        ({"notes": "x" * 2001}, "notes", "2,001 characters; the limit is 2,000: shorten it by 1.", "x" * 2001),
        ({"exercise": "y" * 81}, "exercise", "81 characters; the limit is 80: shorten it by 1.", "y" * 81),
        ({"relief_used": "z" * 201}, "relief_used", "201 characters; the limit is 200: shorten it by 1.", "z" * 201),
        ({"trigger": "juggling"}, "trigger", "Unknown code 'juggling'.", None),
        ({"locations": ["tail"]}, "locations", "Unknown code 'tail'.", None),
        ({"side": "up"}, "side", "Unknown code 'up'.", None),
        ({"symptoms": ["hiccups"]}, "symptoms", "Unknown code 'hiccups'.", None),
        ({"during_exercise": "maybe"}, "during_exercise", "Must be true, false or null.", None),
        ({"eased_by_stretch": "perhaps"}, "eased_by_stretch", "Must be true, false or null.", None),
    ],
)
def test_every_validation_error_is_shown_on_its_field_with_what_was_typed(app, web, client, signed_in, overrides, field, message, kept):
    data = _episode_form(client, **{"exercise": "bench press", **overrides})
    if overrides.get("severity", "") is None:
        data.pop("severity", None)
    response = web.post("/log", data, page="/log")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert error, (field, html[:200])
    assert error.group(1).replace("&#39;", "'") == message
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error"', html), "the error is linked to its field"
    assert 'value="bench press"' in html or field == "exercise"  # the other answers stay
    if kept:
        assert kept in html
    assert _episodes(app, signed_in) == []


def test_several_errors_are_shown_at_once(web, client, signed_in):
    data = _episode_form(client, locked_minutes="9999", load_kg="lots", started_date="1800-01-01")
    html = web.post("/log", data, page="/log").get_data(as_text=True)
    for field in ("locked_minutes", "load_kg", "started_date"):
        assert f'id="{field}-error"' in html


def test_ticked_choices_are_kept_after_an_error(web, client, signed_in):
    data = _episode_form(client, locked_minutes="-1", symptoms=["night_pain"])
    html = web.post("/log", data, page="/log").get_data(as_text=True)
    assert re.search(r'<input checked id="locations-0" name="locations" type="checkbox" value="neck"', html) is None
    assert re.search(r'checked[^>]*value="lower_back"|value="lower_back"[^>]*checked', html)
    assert re.search(r'checked[^>]*value="night_pain"|value="night_pain"[^>]*checked', html)
    assert re.search(r'checked[^>]*name="severity"[^>]*value="6"', html)


def test_notes_with_html_are_shown_as_text(app, web, client, signed_in):
    episode = make_episode(app, signed_in, notes='<script>alert("x")</script><b>bold</b>')
    html = client.get(f"/episodes/{episode}").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html


def test_line_breaks_in_notes_count_once_as_the_counter_shows(app, web, client, signed_in):
    """Browsers send a textarea's line breaks as CR LF: 1,800 characters on screen must not be refused as 2,400."""
    notes = "ok\r\n" * 600  # 2,400 characters sent, 1,800 on screen
    response = web.post("/log", _episode_form(client, notes=notes))
    assert response.status_code == 302
    (episode,) = _episodes(app, signed_in)
    assert episode.notes == ("ok\n" * 600).strip() and "\r" not in episode.notes
    too_long = web.post("/log", _episode_form(client, notes="x\r\n" * 1001))  # 2,001 on screen once trimmed
    assert too_long.status_code == 400 and "2,001 characters; the limit is 2,000: shorten it by 1." in too_long.get_data(as_text=True)


def test_edit_prefills_and_saves(app, web, client, signed_in):
    make_episode(app, signed_in, severity=4, exercise="squat", load_kg=80.5, eased_by_stretch=None)
    (episode,) = _episodes(app, signed_in)
    page = client.get(f"/episodes/{episode.id}/edit").get_data(as_text=True)
    assert 'value="squat"' in page and 'value="80.5"' in page
    local = episode.started_at.astimezone(ZoneInfo("Europe/London"))
    data = _episode_form(client, started_date=f"{local:%Y-%m-%d}", started_time=f"{local:%H:%M}", severity="8",
                         locations=["mid_back"], exercise="front squat", eased_by_stretch="")
    data.pop("client_id", None)
    response = web.post(f"/episodes/{episode.id}/edit", data, page=f"/episodes/{episode.id}/edit")
    assert response.status_code == 302
    (episode,) = _episodes(app, signed_in)
    assert episode.severity == 8 and episode.locations == ["mid_back"] and episode.exercise == "front squat"
    assert episode.eased_by_stretch is None


def test_edit_shows_errors_on_fields(app, web, client, signed_in):
    episode = make_episode(app, signed_in)
    data = _episode_form(client, severity="12")
    response = web.post(f"/episodes/{episode}/edit", data, page=f"/episodes/{episode}/edit")
    assert response.status_code == 400 and 'id="severity-error"' in response.get_data(as_text=True)
    assert _episodes(app, signed_in)[0].severity == 5


def test_delete_asks_first_needs_csrf_and_deletes(app, web, client, signed_in):
    episode = make_episode(app, signed_in)
    ask = client.get(f"/episodes/{episode}/delete").get_data(as_text=True)
    assert "Delete this episode?" in ask and "Yes, delete it" in ask
    show = client.get(f"/episodes/{episode}").get_data(as_text=True)
    assert "data-confirm=" in show
    no_token = client.post(f"/episodes/{episode}/delete")
    assert no_token.status_code == 400 and len(_episodes(app, signed_in)) == 1
    response = web.post(f"/episodes/{episode}/delete", {}, page=f"/episodes/{episode}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/diary"
    assert _episodes(app, signed_in) == []


def test_another_users_episode_is_404_on_every_page(app, web, client, signed_in):
    mine = make_episode(app, signed_in, exercise="secret-lift-of-mine")
    other_client = app.test_client()
    other = WebSession(other_client)
    other.register()
    for path in (f"/episodes/{mine}", f"/episodes/{mine}/edit", f"/episodes/{mine}/delete",
                 f"/episodes/{mine}/follow-up", "/episodes/999999"):
        assert other_client.get(path).status_code == 404, path
    token = other.csrf("/log")
    for path in (f"/episodes/{mine}/edit", f"/episodes/{mine}/delete", f"/episodes/{mine}/follow-up"):
        assert other_client.post(path, data={"csrf_token": token, "severity": "1", "status": "same"}).status_code == 404, path
    assert len(_episodes(app, signed_in)) == 1
    # their diary, report and CSV show nothing of mine
    for path in ("/diary", "/report", "/episodes.csv"):
        body = other_client.get(path).get_data(as_text=True)
        assert f'/episodes/{mine}"' not in body and "secret-lift-of-mine" not in body, path


@pytest.mark.parametrize("path", ["/log", "/diary", "/episodes/1", "/episodes/1/edit", "/episodes/1/follow-up",
                                  "/episodes/latest/edit", "/report", "/report.pdf", "/episodes.csv"])
def test_pages_need_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_latest_edit_opens_the_symptoms_of_my_last_days_episode(app, client, signed_in):
    """The player's "Add it to my log" after a stop-and-log reason."""
    now = datetime.now(UTC)
    # Nothing in the last day (an older episode does not count): a new log, with a word why.
    make_episode(app, signed_in, started_at=now - timedelta(days=1, minutes=5))
    response = client.get("/episodes/latest/edit")
    assert response.status_code == 302 and response.headers["Location"] == "/log"
    assert "No spasm logged in the last day" in client.get("/log").get_data(as_text=True)
    earlier = make_episode(app, signed_in, started_at=now - timedelta(hours=5))
    latest = make_episode(app, signed_in, started_at=now - timedelta(minutes=20), locations=["calf"])
    make_episode(app, signed_in, started_at=now - timedelta(hours=2))  # logged later, but started earlier
    response = client.get("/episodes/latest/edit")
    assert response.headers["Location"] == f"/episodes/{latest}/edit#symptoms-card" and earlier != latest
    assert 'id="symptoms-card"' in client.get(f"/episodes/{latest}/edit").get_data(as_text=True)
    # Someone else's latest episode is never theirs to open.
    other_client = app.test_client()
    WebSession(other_client).register()
    assert other_client.get("/episodes/latest/edit").headers["Location"] == "/log"


def test_follow_up_prompt_appears_at_24_hours_and_not_before(app, client, signed_in):
    now = datetime.now(UTC)
    young = make_episode(app, signed_in, started_at=now - timedelta(hours=23, minutes=55), now=now)
    assert "How is it now?" not in client.get("/diary").get_data(as_text=True)
    assert "How is it now?" not in client.get("/").get_data(as_text=True)
    old = make_episode(app, signed_in, started_at=now - timedelta(hours=24, minutes=5), locations=["calf"], now=now)
    for page in ("/diary", "/"):
        html = client.get(page).get_data(as_text=True)
        assert "How is it now?" in html and f"/episodes/{old}/follow-up" in html, page
        assert f"/episodes/{young}/follow-up" not in html


def test_due_prompts_with_fixed_times(app, signed_in):
    from coach.episodes.diary import due_prompts

    start = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    episode = make_episode(app, signed_in, started_at=start, now=start + timedelta(minutes=5))
    with app.app_context():
        _check_prompts(db.session.get(User, signed_in), episode, start, due_prompts)


def _check_prompts(signed_in, episode, start, due_prompts):
    assert due_prompts(signed_in, start + timedelta(hours=23, minutes=59)) == []
    assert [p.due.label for p in due_prompts(signed_in, start + timedelta(hours=24))] == ["1 day"]
    from coach.episodes.service import add_follow_up

    add_follow_up(signed_in, episode, {"status": "improving", "at": start + timedelta(hours=25)}, start + timedelta(hours=25))
    assert due_prompts(signed_in, start + timedelta(hours=26)) == []
    assert [p.due.label for p in due_prompts(signed_in, start + timedelta(days=3))] == ["3 days"]
    assert [p.due.label for p in due_prompts(signed_in, start + timedelta(days=28))] == ["4 weeks"]
    assert due_prompts(signed_in, start + timedelta(days=35)) == []


def test_follow_up_form_saves_and_shows_on_the_episode(app, web, client, signed_in):
    episode = make_episode(app, signed_in, started_at=datetime.now(UTC) - timedelta(days=2))
    page = client.get(f"/episodes/{episode}/follow-up").get_data(as_text=True)
    assert "How is it now?" in page and "Getting better" in page
    missing = web.post(f"/episodes/{episode}/follow-up", {"severity": "3"}, page=f"/episodes/{episode}/follow-up")
    assert missing.status_code == 400 and "Choose how it is now." in missing.get_data(as_text=True)
    assert "now.." not in missing.get_data(as_text=True)  # one full stop
    response = web.post(f"/episodes/{episode}/follow-up", {"status": "improving", "severity": "3", "notes": "<i>ok</i>"},
                        page=f"/episodes/{episode}/follow-up")
    assert response.status_code == 302 and response.headers["Location"].startswith("/diary")
    with app.app_context():
        follow_up = db.session.scalar(db.select(FollowUp).where(FollowUp.episode_id == episode))
        assert follow_up.status == "improving" and follow_up.severity == 3
    show = client.get(f"/episodes/{episode}").get_data(as_text=True)
    assert "Getting better, 3/10" in show and "&lt;i&gt;ok&lt;/i&gt;" in show


def test_emergency_symptom_redirects_to_the_emergency_screen(web, client, signed_in):
    response = web.post("/log", _episode_form(client, symptoms=["saddle_numbness"]), page="/log")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/emergency"
    # A reason code (contracts: never free text); the screen names the current assessment's reason.
    assert parse_qs(target.query) == {"reason": ["assessment"]}


def test_emergency_in_a_follow_up_redirects_too(app, web, client, signed_in):
    episode = make_episode(app, signed_in, started_at=datetime.now(UTC) - timedelta(days=1, hours=1))
    response = web.post(f"/episodes/{episode}/follow-up", {"status": "worse", "symptoms": ["both_legs"]},
                        page=f"/episodes/{episode}/follow-up")
    assert urlsplit(response.headers["Location"]).path == "/emergency"


def test_urgent_assessment_card_with_why_rule_episodes_sources_and_fixed_copy(app, web, client, signed_in):
    response = web.post("/log", _episode_form(client, locked_minutes="20", eased_by_stretch="no"), page="/log")
    assert response.status_code == 302 and response.headers["Location"].startswith("/diary")
    (episode,) = _episodes(app, signed_in)
    for page in ("/diary", "/"):
        html = client.get(page).get_data(as_text=True)
        assert "See a doctor today or within 48 hours" in html, page
        assert "See a doctor today or within 48 hours" in html
        assert "<summary>Why am I seeing this?</summary>" in html
        assert "E4 (Urgent)" in html and "locked for 20 minutes" in html
        assert f'href="/episodes/{episode.id}"' in html
        assert "[11] NHS / nidirect, Leg cramps" in html
        assert "Medicines are a decision for your doctor. Don&#39;t start, stop or change them yourself." in html
        assert "This content is a coaching aid, not a diagnosis." in html


def test_routine_card_lists_every_episode_behind_the_flag(app, client, signed_in):
    now = datetime.now(UTC)
    ids = [make_episode(app, signed_in, started_at=now - timedelta(days=d), now=now) for d in (2, 9, 16)]
    html = client.get("/diary").get_data(as_text=True)
    assert "Book a check-up" in html and "P1 (Routine)" in html and "3 spasms in the last 30 days" in html
    for ident in ids:
        assert f'href="/episodes/{ident}"' in html


def test_home_page_shows_no_card_without_flags(app, client, signed_in):
    html = client.get("/").get_data(as_text=True)
    assert 'id="assessment"' not in html
    assert 'id="assessment"' in client.get("/diary").get_data(as_text=True)


def test_home_page_puts_urgent_advice_above_relief_and_routine_flags_below(app, client, signed_in):
    """CONTENT.md section 0: at urgent, routines are offered only below the advice."""
    now = datetime.now(UTC)
    for days in (1, 5, 9):  # three spasms in 30 days: P1, routine
        make_episode(app, signed_in, started_at=now - timedelta(days=days), now=now)
    html = client.get("/").get_data(as_text=True)
    assert html.index("Start relief now") < html.index('id="assessment"')
    make_episode(app, signed_in, started_at=now - timedelta(hours=2), locations=["arm"], now=now)  # E5, urgent
    html = client.get("/").get_data(as_text=True)
    assert "E5 (Urgent)" in html and html.index('id="assessment"') < html.index("Start relief now")
    assert html.count('id="assessment"') == 1


@pytest.mark.parametrize("path", [
    "/diary?start=0001-01-01", "/diary?start=9999-12-31&end=9999-12-31", "/report?end=0001-01-05",
    "/report.pdf?end=0001-01-05", "/report?end=9999-12-31&days=365",
])
def test_a_mistyped_year_in_a_filter_or_period_is_ignored_not_a_server_error(client, signed_in, path):
    assert client.get(path).status_code == 200


def test_diary_groups_by_week_filters_and_pages(app, client, signed_in):
    now = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)  # a Wednesday
    make_episode(app, signed_in, started_at=now - timedelta(days=1), severity=8, locations=["calf"], trigger="running", now=now)
    make_episode(app, signed_in, started_at=now - timedelta(days=2), severity=3, now=now)
    make_episode(app, signed_in, started_at=now - timedelta(days=9), severity=5, now=now)
    html = client.get("/diary").get_data(as_text=True)
    assert "Week of Mon 16 Mar 2026" in html and "Week of Mon 9 Mar 2026" in html
    assert "sev-chip-severe" in html and "sev-chip-mild" in html and "8/10" in html
    calf = client.get("/diary?location=calf").get_data(as_text=True)
    assert calf.count('class="episode-row"') == 1 and "Filter (on)" in calf
    assert client.get("/diary?min_severity=5").get_data(as_text=True).count('class="episode-row"') == 2
    assert client.get("/diary?min_severity=8").get_data(as_text=True).count('class="episode-row"') == 1
    # Only the form's choices, 1 to 10, filter: anything else is ignored like any bad filter (all three shown).
    for ignored in ("0", "11", "-1", "5.5", "x"):
        assert client.get(f"/diary?min_severity={ignored}").get_data(as_text=True).count('class="episode-row"') == 3
    assert client.get("/diary?trigger=running&start=2026-03-17&end=2026-03-17").get_data(as_text=True).count('class="episode-row"') == 1
    assert client.get("/diary?start=nonsense&location=tail").status_code == 200  # bad filters are ignored


def test_diary_chart_data_and_table_alternative(app, client, signed_in):
    now = datetime.now(UTC)
    make_episode(app, signed_in, started_at=now - timedelta(days=3), severity=7, now=now)
    html = client.get("/diary").get_data(as_text=True)
    # Both charts are drawn by the server as SVG (no chart script to download): one severity point, one week's bar.
    assert html.count("data-chart-svg") == 2 and "<title>7/10</title>" in html and html.count('<rect class="report-bar"') == 1
    assert "Episodes per week" in html and "<summary>Show as a table</summary>" in html and "<th scope=\"col\">Week of</th>" in html
    # The table's weeks read as dates ("7 Sept 2026"), not ISO.
    assert re.search(r"<tr><td>\d{1,2} [A-Z][a-z]{2,3} \d{4}</td><td>1</td></tr>", html)
    assert not re.search(r"<td>\d{4}-\d\d-\d\d</td>", html)
    assert "1 episode, severity 7 to 7 out of 10." in html
