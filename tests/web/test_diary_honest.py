"""The diary says what is known and no more: "not recorded" for a skipped answer, the real time since a spasm,
one title and badge per flag everywhere, the `none` heading with its safety net in the person's country wording,
and the detailed log's error summary and length limits."""
from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coach.domain import codes, triage
from coach.extensions import db
from coach.formats import time_since
from coach.models import Episode, User
from tests.factories import make_episode, page_text

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def _uid(app, email) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def _sign_in(app, web, **overrides) -> int:
    data = web.register(**overrides)
    return _uid(app, data["email"])


def _check_in(app, uid: int, episode_id: int, at: datetime, status: str, severity: int) -> None:
    from coach.episodes.service import add_follow_up

    with app.app_context():
        add_follow_up(db.session.get(User, uid), episode_id, {"at": at, "status": status, "severity": severity}, at)


# ---------- The real time since a spasm ----------

@pytest.mark.parametrize(
    ("started", "now", "tz", "expected"),
    [
        (NOW - timedelta(seconds=20), NOW, "Europe/London", "just now"),
        (NOW - timedelta(minutes=1), NOW, "Europe/London", "1 minute ago"),
        (NOW - timedelta(minutes=45), NOW, "Europe/London", "45 minutes ago"),
        (NOW - timedelta(hours=5), NOW, "Europe/London", "5 hours ago"),
        (NOW - timedelta(hours=25), NOW, "Europe/London", "yesterday"),
        (NOW - timedelta(days=3), NOW, "Europe/London", "3 days ago"),
        (NOW - timedelta(days=14), NOW, "Europe/London", "14 days ago"),
        (NOW - timedelta(days=20), NOW, "Europe/London", "20 days ago"),
        (NOW - timedelta(days=21), NOW, "Europe/London", "3 weeks ago"),
        (NOW - timedelta(days=59), NOW, "Europe/London", "8 weeks ago"),
        (NOW - timedelta(days=95), NOW, "Europe/London", "3 months ago"),
        (NOW - timedelta(days=800), NOW, "Europe/London", "2 years ago"),
        # 36 hours: one calendar day back in London, two in Auckland (13 h ahead): the person's own days count.
        (datetime(2026, 3, 19, 0, 30, tzinfo=UTC), datetime(2026, 3, 20, 12, 30, tzinfo=UTC), "Europe/London", "yesterday"),
        (datetime(2026, 3, 18, 10, 30, tzinfo=UTC), datetime(2026, 3, 19, 22, 30, tzinfo=UTC), "Pacific/Auckland", "2 days ago"),
    ],
)
def test_time_since_a_spasm_in_plain_words_and_the_persons_days(started, now, tz, expected):
    assert time_since(started, now, tz) == expected


def _fourteen_days_back(now: datetime, tz: str) -> datetime:
    """A start at least 14 days (and up to an hour more) before `now` that is 14 of the person's calendar days back:
    14 days and an hour ago is 15 calendar days back when `now` is in the first hour after midnight."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    for minutes in [*range(60, 0, -1), *range(61, 24 * 60)]:
        started = now - timedelta(days=14, minutes=minutes)
        if (today - started.astimezone(zone).date()).days == 14:
            return started
    raise AssertionError(f"no start 14 calendar days before {now} in {tz}")


def test_follow_up_page_and_episode_say_the_real_time_since_and_list_check_ins_newest_first(app, web, client):
    uid = _sign_in(app, web)  # Europe/London
    now = datetime.now(UTC)
    started = _fourteen_days_back(now, "Europe/London")
    episode = make_episode(app, uid, now=started + timedelta(minutes=5), started_at=started)
    _check_in(app, uid, episode, started + timedelta(days=1, hours=1), "same", 6)
    _check_in(app, uid, episode, started + timedelta(days=3, hours=1), "improving", 4)

    for path in (f"/episodes/{episode}/follow-up", f"/episodes/{episode}"):
        page = page_text(client.get(path).get_data(as_text=True))
        assert "14 days ago" in page, path
        assert "3 days ago" not in page and "2 weeks" not in page, path
        newer, older = page.index("Getting better, 4/10"), page.index("About the same, 6/10")
        assert newer < older, f"{path}: check-ins are listed newest first"

    # The diary's "how is it now?" prompt (the 14-day check-in is open) names the real time too.
    diary = page_text(client.get("/diary").get_data(as_text=True))
    assert "14 days ago" in diary and "3 days ago" not in diary


# ---------- One title and badge per flag, the country's wording ----------

BADGE = '<span class="badge badge-{level}">{word}</span> <strong class="flag-title">{title}</strong>'


def test_a_flag_has_one_title_and_badge_on_the_diary_home_and_episode_pages(app, web, client):
    uid = _sign_in(app, web)
    episode = make_episode(app, uid, locations=["lower_back", "arm"])  # E5: cramps beyond the back and legs, urgent
    badge = BADGE.format(level="urgent", word="Urgent", title=html_lib.escape(triage.RULE_TITLES["E5"]))
    for path in ("/diary", "/", f"/episodes/{episode}"):
        html = client.get(path).get_data(as_text=True)
        assert badge in html, path
        # the card's stylesheet comes with it, so the badge looks the same on the home page as in the diary
        assert re.search(r'href="/static/css/assessment\.css[^"]*"', html), path
    card = client.get("/diary").get_data(as_text=True)
    assert "E5 (Urgent): Cramps in the arm, hand or belly" in card


def test_why_it_matters_is_on_pattern_flags_only(app, web, client):
    uid = _sign_in(app, web)
    now = datetime.now(UTC)
    for days in (2, 9, 16):  # three spasms in 30 days: P1
        make_episode(app, uid, now=now, started_at=now - timedelta(days=days))
    card = client.get("/diary").get_data(as_text=True)
    why = html_lib.escape(triage.WHY_IT_MATTERS)
    assert BADGE.format(level="routine", word="Routine", title="Frequent spasms") in card
    assert card.count(why) == 1 and "<dt>Why it matters</dt>" in card and "[12, 13]" in card

    make_episode(app, uid, now=now, started_at=now - timedelta(hours=3), locations=["hand"])  # E5 joins: not a pattern rule
    card = client.get("/diary").get_data(as_text=True)
    assert card.count(why) == 1, "only P1's explanation carries the line"


@pytest.mark.parametrize(
    ("country", "doctor", "absent"),
    [("GB", "See a GP if your back pain", "See a doctor if"), ("FR", "See a doctor if your back pain", "See a GP if")],
)
def test_none_is_not_a_clean_bill_of_health(app, web, client, country, doctor, absent):
    _sign_in(app, web, country=country)
    html = client.get("/diary").get_data(as_text=True)
    page = page_text(html)
    assert "None of the app's warning rules apply to what you logged" in page
    assert "No warning signs" not in page
    assert doctor in page and absent not in page
    assert "or you're worried about it or struggling to cope. Go to the emergency screen if any warning sign appears." in page
    assert re.search(r'Go to <a href="/emergency">the emergency screen</a> if any warning sign appears', html)


@pytest.mark.parametrize(
    ("country", "present", "absent"),
    [
        ("GB", ["an urgent GP appointment, or call 111", "Northern Ireland"], ["urgent care service"]),
        ("FR", ["a doctor today, or an urgent care service"], ["111", "A&E", "GP"]),
    ],
)
def test_urgent_advice_is_in_the_persons_country_wording(app, web, client, country, present, absent):
    uid = _sign_in(app, web, country=country)
    make_episode(app, uid, locked_minutes=20, eased_by_stretch=False)  # E4, urgent
    card = page_text(client.get("/diary").get_data(as_text=True))
    advice = card[card.index("See a doctor today or within 48 hours"):card.index("Why am I seeing this?")]
    for words in present:
        assert words in advice, (country, advice)
    for words in absent:
        assert words not in advice, (country, advice)


def test_an_old_warning_sign_asks_and_links_the_plain_emergency_screen(app, web, client):
    uid = _sign_in(app, web)
    now = datetime.now(UTC)
    episode = make_episode(app, uid, now=now, started_at=now - timedelta(days=10), symptoms=["chest_pain"])
    html = client.get("/diary").get_data(as_text=True)
    assert BADGE.format(level="info", word="Info", title="Earlier warning sign") in html
    assert "Were you assessed by a doctor?" in page_text(html)
    info = html[html.index('class="flag flag-info"'):]
    info = info[:info.index("</li>")]
    assert '<a class="btn btn-secondary btn-block" href="/emergency">Open the emergency screen</a>' in info
    assert "reason=" not in info  # the current assessment is not at emergency: no reason to claim
    assert f'href="/episodes/{episode}"' in info


# ---------- Not recorded is not "no" ----------

def _form_defaults(client) -> dict:
    html = client.get("/log").get_data(as_text=True)
    return dict(re.findall(r'name="(started_date|started_time|client_id)"[^>]*value="([^"]*)"', html))


def _dd(page: str, term: str) -> str:
    """The text of the <dd> after the <dt> named `term` on the episode page."""
    match = re.search(rf"<dt>{term}</dt>\s*<dd>(.*?)</dd>", page, re.S)
    assert match, term
    return page_text(match.group(1)).strip()


def test_skipped_answers_read_not_recorded_on_the_diary_and_episode_page(app, web, client):
    uid = _sign_in(app, web)
    data = {**_form_defaults(client), "severity": "4", "trigger": "", "during_exercise": "", "side": "",
            "locked_minutes": "", "eased_by_stretch": ""}
    response = web.post("/log", data, page="/log")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        episode = db.session.scalar(db.select(Episode).where(Episode.user_id == uid))
        assert (episode.trigger, episode.during_exercise, episode.side, episode.locked_minutes, episode.eased_by_stretch) == \
            (None, None, None, None, None)
        ident = episode.id

    diary = client.get("/diary").get_data(as_text=True)
    row = page_text(diary[diary.index('<ul class="plain-list episode-list"'):])
    row = row[:row.index("Doctor report")]
    assert "Place not recorded · Activity not recorded" in row
    assert "At rest" not in row and "Not sure" not in row

    page = client.get(f"/episodes/{ident}").get_data(as_text=True)
    for term in ("Where", "Side", "Doing", "Exercising", "Locked hard", "Stretching eased it"):
        assert _dd(page, term) == "not recorded", term
    assert "0 min" not in page_text(page)


def test_answers_that_were_given_read_as_given_including_no_and_zero(app, web, client):
    uid = _sign_in(app, web)
    episode = make_episode(app, uid, trigger="at_rest", during_exercise=False, locked_minutes=0, eased_by_stretch=False, side="both")
    page = client.get(f"/episodes/{episode}").get_data(as_text=True)
    assert [_dd(page, t) for t in ("Side", "Doing", "Exercising", "Locked hard", "Stretching eased it")] == \
        ["Both sides", "At rest", "No", "0 min", "No"]


def test_a_spasm_saved_before_its_pain_score_reads_severity_not_recorded(app, web, client):
    from coach.episodes.service import upsert_episode

    uid = _sign_in(app, web)
    now = datetime.now(UTC)
    with app.app_context():  # the safety check's "Yes" saves the spasm before any pain score
        episode, _ = upsert_episode(db.session.get(User, uid), "0b7a3c52-8c1e-4a55-9a07-3f1d2c4b5a69",
                                    {"started_at": now - timedelta(minutes=30), "symptoms": ["night_pain"]}, now)
        ident = episode.id
    diary = client.get("/diary").get_data(as_text=True)
    assert '<span class="sev-chip sev-chip-unrecorded"><span class="visually-hidden">Severity </span>not recorded</span>' in diary
    assert "(1 without a severity recorded)" in page_text(diary)
    assert "None/10" not in diary and "0/10" not in diary
    page = client.get(f"/episodes/{ident}").get_data(as_text=True)
    assert _dd(page, "Severity") == "Severity not recorded"


# ---------- The detailed log: essentials first, the error summary, no text cut ----------

def test_the_log_puts_the_essentials_first_and_the_rest_under_more_details(app, web, client):
    _sign_in(app, web)
    html = client.get("/log").get_data(as_text=True)
    more = html.index('<details class="card more-details" id="more-details">')
    for name in ("started_date", "severity", "locations", "side", "trigger"):
        assert html.index(f'name="{name}"') < more, name
    for name in ("during_exercise", "exercise", "load_kg", "locked_minutes", "eased_by_stretch", "symptoms", "relief_used", "notes"):
        assert html.index(f'name="{name}"') > more, name
    assert "maxlength" not in html  # a maxlength cuts pasted text without a word
    assert 'data-error-summary hidden' in html
    # skippable questions start on "Skip": nothing is answered for the person
    for name in ("trigger", "during_exercise", "side"):
        skip = re.search(rf'<input checked id="({name}-\d+)" name="{name}" type="radio" value="">', html)
        assert skip, name
        assert re.search(rf'<label class="chip" for="{skip.group(1)}">.*?<span>Skip</span></label>', html), name
        assert len(re.findall(rf'<input checked [^>]*name="{name}"', html)) == 1, name


def test_side_has_skip_and_no_not_sure(app, web, client):
    """Side has no unknown code (CONTENT.md section 1): its blank choice is "Skip" (not recorded), never
    "Not sure", which means "unknown" everywhere else in the app."""
    _sign_in(app, web)
    html = client.get("/log").get_data(as_text=True)
    side = re.search(r'<fieldset class="field chip-field[^"]*" id="side".*?</fieldset>', html, re.S).group(0)
    assert re.findall(r"<span>([^<]*)</span></label>", side) == [*codes.SIDE_LABELS.values(), "Skip"]
    assert "Not sure" not in side


def test_the_error_summary_lists_and_links_every_field_in_error_with_the_same_words(app, web, client):
    _sign_in(app, web)
    data = {**_form_defaults(client), "locked_minutes": "5000", "load_kg": "lots", "notes": "n" * 2010}
    response = web.post("/log", data, page="/log")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary" id="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>', html, re.S)
    assert summary, "the summary is an alert at the top"
    assert html.index('id="error-summary"') < html.index('name="severity"')
    links = re.findall(r'<li><a href="#([a-z_]+)" data-field="\1">([^<]*)</a></li>', summary.group(1))
    assert [field for field, _ in links] == ["severity", "load_kg", "locked_minutes", "notes"], "in the order of the page"
    names = {"severity": "How bad was it at its worst", "load_kg": "Load in kg",
             "locked_minutes": "How many minutes did the muscle stay locked hard", "notes": "Notes"}
    for field, words in links:
        beside = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
        assert beside and words == f"{names[field]}: {beside.group(1)}", "each line names its field, then the words beside it"
        assert f'id="{field}"' in html, f"the link's target {field} exists"
    assert dict(links)["notes"] == "Notes: 2,010 characters; the limit is 2,000: shorten it by 10."
    assert "Shorten it by 10." in html.replace("shorten", "Shorten") and "n" * 2010 in html  # nothing was cut
    # errors inside "More details" open it
    assert '<details class="card more-details" id="more-details" open>' in html


@pytest.mark.parametrize(("field", "limit"), [("exercise", 80), ("relief_used", 200), ("notes", 2000)])
def test_over_long_text_is_kept_and_says_how_much_to_cut(app, web, client, field, limit):
    _sign_in(app, web)
    typed = "é" * (limit + 7)  # characters, not bytes
    data = {**_form_defaults(client), "severity": "3", field: typed}
    html = web.post("/log", data, page="/log").get_data(as_text=True)
    assert typed in html, "the text comes back whole"
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html).group(1)
    assert error == f"{limit + 7:,} characters; the limit is {limit:,}: shorten it by 7."
    counter = re.search(rf'<p class="hint counter" id="{field}-count" data-counter-for="{field}" data-limit="{limit}">([^<]*)</p>', html)
    assert counter and counter.group(1) == f"Up to {limit:,} characters."  # the limit without script
    assert re.search(rf'aria-describedby="[^"]*{field}-count', html)
