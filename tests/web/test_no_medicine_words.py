"""No medicine is named anywhere the app can show it (CONTENT.md section 0): every page rendered with a real diary
at each level and signed out, error and offline pages, every JS file's strings, the content files, the
notification texts the dispatcher sends, and the PDF's text. The scanner itself is tested on samples first, so a
passing walk means something."""
from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from coach.account.forms import RISK_QUESTIONS
from coach.content import MEDICINES_COPY, medication_words_in
from coach.domain import triage
from coach.extensions import db
from coach.models import Episode, Notification, Reminder, User
from coach.reminders.forms import PRESETS, preset_values
from coach.reminders.service import DEFAULT_BODIES
from coach.reminders.tip_texts import TIP_FOR_KIND, tip_body
from coach.seed import seed
from tests.diary_seed import seed_typical
from tests.reminder_helpers import Clock, FakeSender, add_device, dispatcher

ROOT = Path(__file__).resolve().parents[2]
# Sentences CONTENT.md itself gives, in which a generic word ("medicine") is the content's own: the fixed copy,
# why a pattern matters, the profile's question about a new prescription, and F4's "prescribed medicine".
CONTENT_SENTENCES = (MEDICINES_COPY, triage.WHY_IT_MATTERS, RISK_QUESTIONS["new_medicine_4_weeks"])
CONTENT_PHRASES = ("new prescribed medicine", "prescribed medicine")


def _plain(text: str) -> str:
    """Text as read: HTML entities and JSON escapes (tojson writes ' as \\u0027) decoded, curly apostrophes straight."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), unescape(text))
    return text.replace("\u2019", "'")


def found(text: str) -> list[str]:
    """Medicine words in `text`, outside the sentences CONTENT.md gives."""
    plain = _plain(text)
    for allowed in (*CONTENT_SENTENCES, *CONTENT_PHRASES):
        plain = plain.replace(allowed, " ")
    return medication_words_in(plain)


# ---------- the scanner ----------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Ask about gabapentin or pregabalin", ["gabapentin", "pregabalin"]),
        ("an opioid, morphine, OXYCODONE", ["opioid", "morphine", "OXYCODONE"]),
        ("Co-codamol, co codamol", ["Co-codamol", "co codamol"]),
        ("celecoxib and meloxicam", ["celecoxib", "meloxicam"]),
        ("metaxalone; dantrolene; quinine", ["metaxalone", "dantrolene", "quinine"]),
        ("an analgesic or an anti-inflammatory", ["analgesic", "anti-inflammatory"]),
        ("Anti inflammatories", ["Anti inflammatories"]),
        ("a painkiller", ["painkiller"]),
        ("Lyrica, Neurontin or Soma", ["Lyrica", "Neurontin", "Soma"]),
        ("somatic symptoms, a sommelier, Somalia", []),  # "Soma" only as a word
        ("quininey, morphinelike", []),
        ("tonic water", []),
        ("See a doctor. Stretching is not a painkiller.", ["painkiller"]),
    ],
)
def test_the_scanner_finds_the_widened_list_as_whole_words(text, words):
    assert medication_words_in(text) == words


def test_the_scanner_allows_only_the_content_sentences():
    assert found(f"{MEDICINES_COPY} {triage.WHY_IT_MATTERS}") == []
    assert found("Take a medicine for it.") == ["medicine"]
    assert found(f"{triage.WHY_IT_MATTERS} Try Soma.") == ["Soma"]
    assert found("Medicines are a decision for your doctor. Don\u2019t start, stop or change them yourself.") == []
    assert found('{"advice": "Medicines are a decision for your doctor. Don\\u0027t start, stop or change them '
                 'yourself."}') == []


# ---------- static sources ----------


def _js_strings(source: str) -> list[str]:
    """The string and template literals of a script (comments dropped first)."""
    source = re.sub(r"/\*.*?\*/", " ", source, flags=re.S)
    source = re.sub(r"(?m)(^|[^:\\'\"`])//[^\n]*", r"\1", source)
    return [m.group(2) for m in re.finditer(r"(['\"`])((?:\\.|(?!\1).)*)\1", source, re.S)]


def test_js_strings_name_no_medicine():
    scripts = sorted((ROOT / "static" / "js").glob("*.js"))
    assert len(scripts) >= 5
    for script in scripts:
        for text in _js_strings(script.read_text(encoding="utf-8")):
            assert found(text) == [], (script.name, text[:120])


def test_the_js_string_reader_reads_strings():
    assert _js_strings("const a = 'x'; // 'ibuprofen'\nconst b = `y ${1}`; /* \"z\" */ f(\"w\")") == ["x", "y ${1}", "w"]
    assert found(" ".join(_js_strings("label = 'Take ibuprofen'"))) == ["ibuprofen"]


def test_content_files_name_no_medicine():
    files = sorted((ROOT / "coach" / "content").rglob("*.yaml"))
    assert any(f.name == "tips.yaml" for f in files) and any(f.parent.name == "routines" for f in files)
    for path in files:
        assert found(path.read_text(encoding="utf-8")) == [], path.name


def test_templates_name_no_medicine_in_their_source():
    # Copy that only shows in a branch the walk below does not reach is still read here.
    for path in sorted((ROOT / "templates").rglob("*.html")):
        assert found(path.read_text(encoding="utf-8")) == [], path.name


# ---------- everything rendered ----------

ALWAYS_SKIPPED = {"pwa.favicon", "reminders.calendar_feed"}  # an icon; the feed is read below with its token


def _visible(response) -> str:
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def _walk(app, client, args: dict[str, list]) -> dict[str, list[str]]:
    """GET every page the app serves (not the JSON API or static files), each parameter filled from `args`."""
    hits: dict[str, list[str]] = {}
    seen = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static/")) or rule.endpoint in ALWAYS_SKIPPED:
            continue
        missing = set(rule.arguments) - set(args)
        assert not missing, f"{rule.rule}: give the walk a value for {missing}"
        values = [{}]
        for name in rule.arguments:
            values = [{**v, name: a} for v in values for a in args[name]]
        for v in values:
            path = rule.rule
            for name, value in v.items():
                path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
            response = client.get(path, follow_redirects=True)
            assert response.status_code < 500, path
            seen += 1
            words = found(_visible(response))
            if words:
                hits[path] = words
    assert seen >= 30
    return hits


@pytest.fixture
def diary(app, web):
    """A signed-in person with a typical diary, a profile answer, reminders from every preset, inbox items and a
    calendar feed; returns (user id, feed token)."""
    with app.app_context():
        seed()
    data = web.register(display_name="Scan Person", timezone="Europe/London", country="GB")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == data["email"]))
        user.birth_year, user.new_medicine_4_weeks, user.diuretics = 1960, True, True
        db.session.commit()
        now = datetime.now(UTC)
        seed_typical(user, now)
        from coach.reminders.service import create_reminder

        for name in PRESETS:
            values = preset_values(name)
            values["title"] = values["title"] or "My own"
            if values["schedule"]["type"] == "once":
                values["schedule"]["at"] = (now + timedelta(hours=2)).isoformat()
            create_reminder(user, values, now)
        db.session.add(Notification(user_id=user.id, kind="posture", title="Change position", body=tip_body("posture"),
                                    url="/tips?category=posture", tag="scan-1", fire_at=now))
        db.session.commit()
        return user.id


def _levels(app, user_id):
    """Episodes that raise the assessment step by step: routine (the typical diary), urgent, emergency."""
    now = datetime.now(UTC)
    yield "routine"
    with app.app_context():
        db.session.add(Episode(user_id=user_id, started_at=now - timedelta(hours=5), severity=6, trigger="lifting",
                               during_exercise=True, locations=["calf"], locked_minutes=70, eased_by_stretch=False,
                               symptoms=["night_pain"], side="left"))
        db.session.commit()
    yield "urgent"
    with app.app_context():
        db.session.add(Episode(user_id=user_id, started_at=now - timedelta(hours=2), severity=None, trigger=None,
                               during_exercise=None, locations=["chest"], locked_minutes=None, symptoms=[]))
        db.session.commit()
    yield "emergency"


def _coach(app, client_id) -> dict[str, list]:
    """The person's trainer (linked, shared diary) with a routine of their own assigned to the person and an open
    invite: the values of the trainer pages' parameters."""
    from coach.trainer.assignments import create_assignments
    from coach.trainer.invites import create_invite
    from coach.trainer.routines import create_routine
    from tests.trainer_helpers import link, make_user

    now = datetime.now(UTC)
    with app.app_context():
        trainer_id = make_user("Coach", role="trainer")
        link(trainer_id, client_id, share=True)
        trainer = db.session.get(User, trainer_id)
        routine = create_routine(trainer, {"title": "Hip opener", "kind": "mobility", "summary": "Before squats.",
                                           "steps": [{"title": "Circles", "instruction": "Slow hip circles.",
                                                      "seconds": 30}]}, now)
        (assignment,) = create_assignments(trainer, [client_id], routine.slug,
                                           {"type": "daily", "times": ["07:30"]}, "Before Thursday.", now)
        code = create_invite(trainer, "Tuesday group", now).code
        return {"trainer_id": [trainer_id], "client_id": [client_id], "routine_id": [routine.id],
                "assignment_id": [assignment.id], "code": [code]}


def _args(app, user_id, coach_args) -> dict[str, list]:
    with app.app_context():
        from coach.routines.service import list_routines

        episodes = db.session.scalars(select(Episode.id).where(Episode.user_id == user_id)).all()
        reminders = db.session.scalars(select(Reminder.id).where(Reminder.user_id == user_id)).all()
        notes = db.session.scalars(select(Notification.id).where(Notification.user_id == user_id)).all()
        slugs = [r.slug for r in list_routines(None)]
    return {"episode_id": episodes[-3:], "reminder_id": reminders, "notification_id": notes[:1], "slug": slugs,
            **coach_args}


def test_every_page_at_every_level_and_signed_out_names_no_medicine(app, client, web, diary):
    from tests.factories import WebSession

    coach_args = _coach(app, diary)
    coach = WebSession(app.test_client())
    assert coach.login("coach@example.com").status_code == 302
    for page in ("/trainer", f"/trainer/clients/{diary}", f"/trainer/clients/{diary}/report",
                 f"/trainer/routines/{coach_args['routine_id'][0]}"):
        assert coach.client.get(page).status_code == 200, page  # the walk reads the trainer's real pages
    for level in _levels(app, diary):
        from coach.episodes.service import assess_user

        with app.app_context():
            assert assess_user(db.session.get(User, diary), datetime.now(UTC)).level == level
        args = _args(app, diary, coach_args)
        assert _walk(app, client, args) == {}, level
        # The trainer's pages, the client's shared diary, report and PDF among them.
        assert _walk(app, coach.client, args) == {}, level
    client.post("/logout", data={"csrf_token": web.csrf("/diary")})
    client.delete_cookie("session")
    assert client.get("/diary").status_code == 302  # signed out: the walk below sees the signed-out pages
    assert _walk(app, client, {**args, "episode_id": [1], "reminder_id": [1], "notification_id": [1]}) == {}


def test_error_and_offline_pages_name_no_medicine(app, client):
    from coach.errors import render_error_page

    with app.test_request_context("/"):
        for status in (400, 403, 404, 429, 500):
            assert found(render_error_page(status, "Something").get_data(as_text=True)) == [], status
    assert client.get("/no-such-page").status_code == 404
    assert found(client.get("/no-such-page").get_data(as_text=True)) == []
    offline = client.get("/offline")
    assert offline.status_code == 200 and found(offline.get_data(as_text=True)) == []


def test_notification_texts_name_no_medicine(app, diary):
    """What the dispatcher pushes (title and body of every reminder that fires) and the texts it is made from."""
    for text in [*DEFAULT_BODIES.values(), *(tip_body(kind) for kind in TIP_FOR_KIND)]:
        assert found(text) == [], text
    for preset in PRESETS.values():
        assert found(json.dumps(preset)) == [], preset
    with app.app_context():
        user = db.session.get(User, diary)
        sender = FakeSender()
        add_device(app, user, {"endpoint": "https://fcm.googleapis.com/fcm/send/scan", "keys": {
            "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
            "auth": "tBHItJI5svbpez7KI4CCXg"}})
        due = db.session.execute(select(Reminder.kind, Reminder.next_fire_at).where(
            Reminder.user_id == diary, Reminder.next_fire_at.is_not(None))).all()
        first = {}
        for kind, moment in sorted(due, key=lambda row: row[1]):
            first.setdefault(kind, moment)
        # Tick when each kind of reminder is next due, so every kind sends its text at least once.
        for moment in sorted(first.values()):
            dispatcher(sender, Clock(moment + timedelta(seconds=5))).tick()
    payloads = [json.loads(call["payload"]) for call in sender.calls]
    bodies = {p["body"] for p in payloads}
    assert {tip_body("posture"), tip_body("hydration")} <= bodies and len(payloads) >= len(first)
    for payload in payloads:
        assert found(f"{payload['title']} {payload['body']}") == [], payload


def test_posture_and_hydration_presets_quote_their_tip_with_its_source(app, web, client):
    """CONTENT.md section 4: tip 13 ("change position regularly") and tip 14, each with its source; hydration
    around a training session, not an all-day drinking schedule."""
    with app.app_context():
        seed()
    web.register()
    posture = unescape(client.get("/reminders/new?preset=posture").get_data(as_text=True))
    assert "There is no single ideal sitting posture: change position regularly." in posture
    assert "Source: Northumbria Healthcare NHS FT, Self-care: lower back pain." in posture
    assert not re.search(r"sit up straight|stand tall", posture, re.I)
    hydration = unescape(client.get("/reminders/new?preset=hydration").get_data(as_text=True))
    assert "Drink enough to keep body-mass loss under 2% in training" in hydration
    assert "Source: ACSM, Exercise and fluid replacement (2007)." in hydration
    values = preset_values("hydration")
    assert values["schedule"]["type"] == "daily" and len(values["schedule"]["times"]) == 2  # before and after
    assert len(values["schedule"]["weekdays"]) < 7
    picker = unescape(client.get("/reminders/new").get_data(as_text=True))
    assert "Before and after a session" in picker and "Every 90 minutes" not in picker
    # Saved without a message of its own, a posture reminder still quotes the tip.
    from coach.reminders.service import create_reminder

    with app.app_context():
        user = db.session.scalar(select(User))
        reminder, _ = create_reminder(user, {**preset_values("posture"), "body": None}, datetime.now(UTC))
        assert reminder.body == tip_body("posture") and "change position regularly" in reminder.body


# ---------- claims of safety, a diagnosis or "drug-free" ----------

CLAIMS = re.compile(r"\bdrug[\s-]*free\b|\bsafe(?:ly)?\b|\b(?:diagnoses|diagnosed|will diagnose)\b", re.I)
# The emergency screen's way out is the person's own words about themselves, not the app's claim.
PERSON_SAYS = ("I'm safe now",)


def claims_in(text: str) -> list[str]:
    text = re.sub(r"\bdata-[\w-]+", " ", _plain(text))  # attribute names and selectors ([data-safe]) are code
    for said in PERSON_SAYS:
        text = text.replace(said, " ")
    return [m.group(0) for m in CLAIMS.finditer(text)]


def _template_copy(source: str) -> str:
    """A template's words without Jinja comments, statements and expressions ({{ safe_url }} is code, not copy)."""
    source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    return source


def test_the_claims_scanner():
    assert claims_in("Guided, drug-free relief") == ["drug-free"]
    assert claims_in("It is safe to stretch. Get up safely.") == ["safe", "safely"]
    assert claims_in("A quick safety check; a coaching aid, not a diagnosis. I'm safe now") == []
    assert claims_in(_template_copy('<a href="{{ safe_url }}" data-safe>Back</a>{# safe #}')) == []
    assert claims_in("el.querySelector('[data-safe]')") == []
    assert claims_in(_template_copy("<p>Stretching is safe.</p>")) == ["safe"]


def test_copy_describes_instead_of_claiming_safety_a_diagnosis_or_drug_free():
    visible = [(p.name, _template_copy(p.read_text(encoding="utf-8"))) for p in (ROOT / "templates").rglob("*.html")]
    visible += [(p.name, " ".join(_js_strings(p.read_text(encoding="utf-8"))))
                for p in (ROOT / "static" / "js").glob("*.js")]
    visible += [(p.name, p.read_text(encoding="utf-8")) for p in (ROOT / "coach" / "content").rglob("*.yaml")]
    visible.append(("README.md", (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ")[0]))
    for name, text in visible:
        assert claims_in(text) == [], name
