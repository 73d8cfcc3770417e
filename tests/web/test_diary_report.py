"""The doctor report (HTML and a one-page PDF) for a seeded typical 90 days, and the CSV export."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from coach.domain.triage import RULE_TITLES
from coach.extensions import db
from coach.formats import short_day
from coach.models import Episode, RoutineSession, User
from tests.diary_seed import TYPICAL_90_DAYS, seed_typical


@pytest.fixture
def seeded(app, web):
    """A user with a birth year, one risk answer and a typical 90 days; returns the user id."""
    data = web.register(display_name="Sam Example", timezone="Europe/London")
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == data["email"]))
        user.birth_year, user.kidney_disease = 1978, True
        db.session.commit()
        seed_typical(user, datetime.now(UTC))
        return user.id


def _pdf_text(response) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(response.data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_report_page_covers_what_a_doctor_asks(client, seeded):
    response = client.get("/report")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sam Example, born 1978" in html and "(90 days)" in html and "Episodes logged: <strong>12</strong>" in html
    for heading in ("Onset", "Distribution", "Frequency", "Occurrence", "Severity (0-10", "Associated symptoms",
                    "Relief tried", "Current flags (rules 2026.2", "Profile"):
        assert f">{heading}" in html, heading
    assert "Lower back 10, Buttock 2" in html and "Left 8" in html
    assert "12 in 90 days: 0.9 a week, 4.1 a month" in html and "last 30 days 5, last 90 days 12" in html
    assert "Lifting 5" in html and "During exercise:</strong> yes 8, no 4<" in html
    assert "Deadlift x4 (100-120 kg)" in html
    assert "min 3, median 5.5, max 7" in html and "longest 12 min" in html
    assert "Pain, tingling or numbness down one leg, no weakness:" in html
    assert "heat 6" in html and "Gone 3, Getting better 3, No check-in 6" in html
    # Each flag under its plain title, the rule id in small print.
    assert f"<strong>{RULE_TITLES['P1']} (routine):</strong>" in html and '<small class="rule-id">rule P1</small>' in html
    assert f"<strong>{RULE_TITLES['P7']} (routine):</strong>" in html and "[11] NHS / nidirect, Leg cramps" in html
    assert "Ticked in the profile:</strong> kidney disease" in html and "Not ticked:</strong> history of cancer" in html
    assert "Medicines are a decision for your doctor." in html and "This content is a coaching aid, not a diagnosis." in html
    assert "css/diary.css" in html and "@media print" in client.get("/static/css/diary.css").get_data(as_text=True)


def _text(html: str) -> str:
    """What a reader sees: tags dropped, entities read, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _article(html: str) -> str:
    """The report itself, without the fixed footer copy (which speaks to the person by design)."""
    body = html[html.index('<article class="report'):html.index('<footer class="report-foot">')]
    return _text(body)


def _skipped_episode(app, user_id, days_ago=2):
    """An episode whose answers were all skipped (NULL in the database), as the quick log may save it."""
    with app.app_context():
        db.session.add(Episode(user_id=user_id, started_at=datetime.now(UTC) - timedelta(days=days_ago),
                               trigger=None, during_exercise=None, severity=None, locked_minutes=None,
                               eased_by_stretch=None, locations=[], side=None, symptoms=[]))
        db.session.commit()


def test_skipped_answers_read_not_recorded_and_stay_out_of_medians(app, client, seeded):
    _skipped_episode(app, seeded)
    html = client.get("/report").get_data(as_text=True)
    text = _article(html)
    assert "Episodes logged: 13" in text
    # Severity: the median and range of the 12 scores given (as before), the 13th counted apart.
    assert "Scored: 12 of 13 recorded; not recorded 1" in text and "min 3, median 5.5, max 7" in text
    assert "Triggers: Lifting 5," in text and "not recorded 1" in text.split("Triggers:")[1].split("Time of day")[0]
    assert "During exercise: yes 8, no 4, not recorded 1" in text  # not counted as "not exercising"
    assert "longest 12 min; over 10 min 1, over 60 min 0 (12 of 13 recorded)" in text  # not a 0-minute lock
    assert "Stretching eased it: yes 8, no 2, not recorded 3" in text
    assert "Where: Lower back 10, Buttock 2, Calf 1, Middle of the back 1, Thigh 1, not recorded 1" in text
    # The severity chart has a bar of its own for it.
    assert "<title>not recorded: 1</title>" in html
    pages, pdf = _pdf_text(client.get("/report.pdf"))
    pdf = " ".join(pdf.split())
    assert pages == 1 and "Scored: 12 of 13 recorded; not recorded 1" in pdf
    assert "During exercise: yes 8, no 4, not recorded 1" in pdf


def test_onset_says_not_recorded_for_a_skipped_first_episode(app, client, seeded):
    _skipped_episode(app, seeded, days_ago=200)
    text = _article(client.get("/report").get_data(as_text=True))
    assert ("Trigger: not recorded. During exercise: not recorded. Where: not recorded. Severity: not recorded."
            in text)
    assert "The first episode is before this report's period." in text


def test_frequency_and_severity_are_separate_charts(client, seeded):
    html = client.get("/report").get_data(as_text=True)
    figures = re.findall(r'<figure class="report-chart">(.*?)</figure>', html, re.S)
    assert len(figures) == 2
    frequency, severity = figures
    assert "Frequency: episodes per week" in frequency and "Severity: episodes at each score (0-10)" in severity
    # Frequency: one bar per week with episodes, adding up to the 12 episodes; no severity on this axis.
    weekly = [int(n) for n in re.findall(r"<title>[^<:]+: (\d+)</title>", frequency)]
    assert sum(weekly) == 12 and "severity" not in frequency
    # Severity: episodes per score (seeded scores 3 x1, 4 x2, 5 x3, 6 x4, 7 x2), no dates on this axis.
    bars = dict(re.findall(r"<title>(\d+): (\d+)</title>", severity))
    assert bars == {"3": "1", "4": "2", "5": "3", "6": "4", "7": "2"}
    assert "week starting" not in severity and "self-rated severity" in severity


def test_report_speaks_about_the_person_in_the_third_person(app, client, seeded):
    """Flags, symptoms and stop reasons are written to the person in the app; the report tells a clinician."""
    from coach.episodes.service import log_episode

    with app.app_context():
        user = db.session.get(User, seeded)
        user.cancer_history = user.iv_drug_use = user.new_medicine_4_weeks = True
        db.session.commit()
        now = datetime.now(UTC)
        log_episode(user, {"started_at": now - timedelta(days=1), "severity": 8, "trigger": "lifting",
                           "locations": ["between_shoulder_blades", "calf", "arm"], "locked_minutes": 70,
                           "symptoms": ["difficulty_walking", "night_pain"]}, now)
        log_episode(user, {"started_at": now - timedelta(days=60), "severity": 4, "locations": ["lower_back"],
                           "symptoms": ["saddle_numbness"]}, now)
    html = client.get("/report").get_data(as_text=True)
    text = _article(html)
    assert len(re.findall(r'<small class="rule-id">', html)) >= 6  # many flags, each with its id
    assert re.search(r"\bThey (?:logged|reported)\b", text) and "their profile" in text.lower()
    assert re.findall(r"\b(?:you|your|yours|yourself)\b", text, re.I) == []
    pages, pdf = _pdf_text(client.get("/report.pdf"))
    pdf = " ".join(pdf.split()).replace("Medicines are a decision for your doctor. Don't start, stop or change them "
                                        "yourself.", "")
    assert re.findall(r"\b(?:you|your|yours|yourself)\b", pdf, re.I) == []


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("You logged a spasm in the last 7 days, and your profile notes kidney disease.",
         "They logged a spasm in the last 7 days, and their profile notes kidney disease."),
        ("You are 62 and you told us about it.", "They are 62 and they told the app about it."),
        ("Your legs feel weak, or your legs won't do what you want when you walk.",
         "Their legs feel weak, or their legs won't do what they want when they walk."),
        ("The advice for you; the app asks you.", "The advice for them; the app asks them."),
        ("Young yoga, Yours.", "Young yoga, Theirs."),
    ],
)
def test_third_person(said, written):
    from coach.episodes.report_text import third_person

    assert third_person(said) == written


def test_report_for_a_chosen_period(client, seeded):
    html = client.get("/report?days=30").get_data(as_text=True)
    assert "(30 days)" in html and "Episodes logged: <strong>5</strong>" in html
    end = (datetime.now(UTC) - timedelta(days=60)).date()
    older = client.get(f"/report?days=30&end={end.isoformat()}").get_data(as_text=True)
    assert "(30 days)" in older and f"days=30&amp;end={end.isoformat()}" in older
    assert client.get("/report?days=lots&end=never").status_code == 200  # falls back to 90 days to today


def test_pdf_is_one_page_for_a_typical_90_days(client, seeded):
    response = client.get("/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and response.headers["Cache-Control"] == "no-store"
    pages, text = _pdf_text(response)
    assert pages == 1
    for words in ("report for a doctor", "Sam Example", "Onset", "First episode", "Distribution", "Frequency",
                  "Occurrence", "Severity", "Associated symptoms", "Relief tried", "Current flags", RULE_TITLES["P1"],
                  "rule P1", "Profile", "kidney disease", "coaching aid, not a diagnosis",
                  "Frequency: episodes per week", "Severity: episodes at each score (0-10)"):
        assert words in text, words


def test_pdf_download_asks_for_an_attachment(client, seeded):
    response = client.get("/report.pdf?download=1&days=180")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="relief-coach-report-')
    assert _pdf_text(response)[0] == 1


def test_pdf_prints_names_and_notes_as_typed_in_latin_greek_and_cyrillic(app, client, seeded):
    from coach.episodes.service import log_episode

    with app.app_context():
        user = db.session.get(User, seeded)
        user.display_name = "Ayşe Yılmaz Łódź Ωμέγα Дмитрий"
        db.session.commit()
        now = datetime.now(UTC)
        log_episode(user, {"started_at": now - timedelta(hours=2), "severity": 4, "exercise": "Kniebeuge – 💪 深蹲",
                           "relief_used": "“heat”", "locations": ["neck"]}, now)
    pages, text = _pdf_text(client.get("/report.pdf"))
    text = " ".join(text.split())  # pypdf reads the embedded font's word gaps as extra spaces
    assert pages == 1
    assert "Ayşe Yılmaz Łódź Ωμέγα Дмитрий" in text
    # Letters no font of a small report has (Chinese, emoji) become "?"; the rest of the text is kept.
    assert "Kniebeuge – ? ??" in text and "“heat”" in text


def test_report_says_when_no_routine_was_done(client, seeded):
    html = client.get("/report").get_data(as_text=True)
    assert "No routine sessions recorded." in html and "Stopped a routine" not in html


def test_report_gives_pain_before_and_after_and_why_routines_were_stopped(app, client, seeded):
    now = datetime.now(UTC)
    three_days_ago = now - timedelta(days=3)

    def session(slug, title, before, after, stop_reason=None, started=three_days_ago):
        return RoutineSession(user_id=seeded, started_at=started, ended_at=started + timedelta(minutes=5),
                              routine_slug=slug, routine_title=title, steps_total=3, completed=stop_reason is None,
                              completed_steps=[1, 2, 3] if stop_reason is None else [1], pain_before=before,
                              pain_after=after, stop_reason=stop_reason)

    with app.app_context():
        db.session.add_all([
            session("heat", "Heat", 7, 4), session("heat", "Heat", 6, 2),
            session("walk-it-off", "Walk it off", 5, 7, "pain_below_knee"),
            session("walk-it-off", "Walk it off", 5, None, "done_for_now"),
            session("walk-it-off", "Walk it off", 5, 5, "new_numbness", started=now - timedelta(days=200)),  # outside
        ])
        db.session.commit()
    html = client.get("/report").get_data(as_text=True)
    assert "2 sessions, 2 completed; median pain 6.5 before, 3 after (median change -3.5)" in html
    assert "2 sessions, 0 completed" in html  # Walk it off: the stopped ones count, not completed
    when = short_day(three_days_ago.astimezone(ZoneInfo("Europe/London")).date())
    assert f"Pain spreads below the knee: {when}" in html
    # "Done for now" is no stop rule, and a stop outside the period is not shown.
    assert html.count("Stopped a routine") == 1 and "numbness or pins" not in html
    pages, text = _pdf_text(client.get("/report.pdf"))
    assert pages == 1 and "Pain spreads below the knee" in text


def test_csv_export_is_spreadsheet_safe_and_complete(app, client, seeded):
    from coach.episodes.service import log_episode

    with app.app_context():
        user = db.session.get(User, seeded)
        now = datetime.now(UTC)
        log_episode(user, {"started_at": now - timedelta(hours=1), "severity": 2, "exercise": "=HYPERLINK(\"http://x\")",
                           "relief_used": "+1 heat", "notes": "-minus\n@at", "locations": ["neck"]}, now)
    response = client.get("/episodes.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="relief-coach-episodes-')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == len(TYPICAL_90_DAYS) + 1
    last = rows[-1]
    assert last["exercise"] == "'=HYPERLINK(\"http://x\")" and last["relief_used"] == "'+1 heat"
    assert last["notes"] == "'-minus\n@at" and last["locations"] == "Neck" and last["severity"] == "2"
    first = rows[0]
    assert first["trigger"] == "Lifting" and first["during_exercise"] == "yes" and first["check_ins"] == "1"
    assert first["timezone"] == "Europe/London"


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+44 123", "'+44 123"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("heat", "heat"), ("", ""), (None, ""), (7, "7"), ("a=b", "a=b")],
)
def test_spreadsheet_safe(value, safe):
    from coach.episodes.reports import spreadsheet_safe

    assert spreadsheet_safe(value) == safe


def test_export_json_includes_episodes_and_follow_ups(client, seeded):
    body = client.get("/me/export").get_json()
    assert len(body["episodes"]) == len(TYPICAL_90_DAYS) and len(body["follow_ups"]) == 6


def test_empty_diary_report_and_pdf(web, client):
    web.register()
    html = client.get("/report").get_data(as_text=True)
    assert "No episodes logged." in html and "None reported in this period." in html
    assert "None of the app's warning rules apply to what was logged." in _text(html)
    pages, text = _pdf_text(client.get("/report.pdf"))
    assert pages == 1 and "No episodes logged." in text
    assert client.get("/episodes.csv").get_data(as_text=True).count("\r\n") == 1  # the header only


def test_report_text_keeps_long_histories_short():
    from datetime import date

    from coach.episodes.report_text import date_list

    few = [date(2026, 3, d) for d in (1, 2, 3)]
    assert date_list(few) == "1 Mar, 2 Mar, 3 Mar"
    many = [date(2026, 1, d) for d in range(1, 11)]
    assert date_list(many) == "10 dates: first 1 Jan 2026; latest 5 Jan, 6 Jan, 7 Jan, 8 Jan, 9 Jan, 10 Jan"


def test_a_year_of_daily_logs_with_every_symptom_still_renders(app, web, client):
    """Far from typical (a spasm a day, every red flag many times): the PDF may spill onto a second page, no more."""
    from bench.triage import make_history
    from coach.models import Episode

    data = web.register()
    now = datetime.now(UTC)
    episodes, _ = make_history(400)
    shift = now - max(e.started_at for e in episodes)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == data["email"]))
        db.session.add_all(Episode(user_id=user.id, started_at=e.started_at + shift, trigger=e.trigger,
                                   during_exercise=e.during_exercise, locations=list(e.locations), side=e.side,
                                   severity=e.severity, locked_minutes=e.locked_minutes,
                                   eased_by_stretch=e.eased_by_stretch, symptoms=list(e.symptoms)) for e in episodes)
        db.session.commit()
    pages, text = _pdf_text(client.get("/report.pdf?days=365"))
    assert pages <= 2 and "365 days" in text and "Current flags" in text


def test_report_names_a_routine_stopped_for_a_2026_1_reason(app, client, seeded):
    """Phones with older pages may still send the retired stop codes; the report keeps their words."""
    started = datetime.now(UTC) - timedelta(days=2)
    with app.app_context():
        db.session.add(RoutineSession(
            user_id=seeded, started_at=started, ended_at=started + timedelta(minutes=2), routine_slug="heat",
            routine_title="Heat", steps_total=3, completed=False, completed_steps=[1], pain_before=5, pain_after=6,
            stop_reason="leg_weakness"))
        db.session.commit()
    html = client.get("/report").get_data(as_text=True)
    when = short_day(started.astimezone(ZoneInfo("Europe/London")).date())
    assert f"New leg weakness: {when}" in html and html.count("Stopped a routine") == 1


def _user_id(app, email) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def test_profile_never_answered_is_not_listed_as_unticked(app, web, client):
    """Nine unticked boxes nobody answered would read as nine "no"s to a clinician."""
    data = web.register()
    _skipped_episode(app, _user_id(app, data["email"]))
    text = _article(client.get("/report").get_data(as_text=True))
    assert "Profile questions not answered." in text
    assert "Not ticked" not in text and "Ticked in the profile" not in text and "history of cancer" not in text
    _, pdf = _pdf_text(client.get("/report.pdf"))
    assert "Profile questions not answered." in pdf and "Not ticked" not in pdf


def test_profile_answered_in_the_prompt_lists_ticked_and_not_ticked(app, web, client):
    data = web.register()
    _skipped_episode(app, _user_id(app, data["email"]))
    # The profile prompt after the first spasm, answered with nothing ticked.
    assert web.post("/me/about-you", {"back": "home", "birth_year": "1980"}, page="/me/about-you").status_code == 302
    text = _article(client.get("/report").get_data(as_text=True))
    assert "Ticked in the profile: none" in text and "Not ticked: history of cancer; osteoporosis;" in text
    assert "Profile questions not answered" not in text
    _, pdf = _pdf_text(client.get("/report.pdf"))
    assert "Not ticked: history of cancer" in pdf


def test_counts_and_nouns_agree_on_the_page_and_in_the_pdf(app, web, client):
    data = web.register()
    user_id = _user_id(app, data["email"])
    _skipped_episode(app, user_id, days_ago=0)
    # Today in the person's zone (Europe/London), whatever the hour: "?days=1" is today. Half an hour ago is
    # yesterday in the first half hour after midnight.
    now = datetime.now(UTC)
    london = ZoneInfo("Europe/London")
    since_midnight = now - datetime.combine(now.astimezone(london).date(), time(0), london)
    started = now - min(timedelta(minutes=30), since_midnight / 2)
    with app.app_context():
        db.session.add(RoutineSession(user_id=user_id, started_at=started, ended_at=started + (now - started) / 2,
                                      routine_slug="heat", routine_title="Heat", steps_total=3, completed=True,
                                      completed_steps=[1, 2, 3], pain_before=6, pain_after=4))
        db.session.commit()
    text = _article(client.get("/report?days=1").get_data(as_text=True))
    assert "1 episode in 1 week;" in text and "Episodes logged: 1 in 1 day:" in text
    assert "Routine Heat: 1 session, 1 completed; median pain 6 before, 4 after (median change -2)" in text
    _, pdf = _pdf_text(client.get("/report.pdf?days=1"))
    pdf = " ".join(pdf.split())
    assert "1 in 1 day:" in pdf and "1 session, 1 completed" in pdf
    for wrong in ("1 episodes", "1 weeks", "1 days", "1 sessions"):
        assert wrong not in text and wrong not in pdf, wrong
    text = _article(client.get("/report").get_data(as_text=True))
    assert re.search(r"\b1 episode in 1[34] weeks;", text) and "in 90 days:" in text


def test_months_read_as_words_and_say_where_the_period_cuts_them(client, seeded):
    text = _article(client.get("/report?days=90&end=2026-03-31").get_data(as_text=True))
    assert "By month: 0 in Jan 2026, 0 in Feb 2026, 0 in Mar 2026" in text  # 1 Jan .. 31 Mar: whole months
    text = _article(client.get("/report?days=30&end=2026-03-20").get_data(as_text=True))
    assert "By month: 0 in Feb 2026 (from 19 Feb), 0 in Mar 2026 (to 20 Mar)" in text
