"""Not recorded is not "no": skipped answers are null everywhere (API, export, CSV, rules); implausible dates and
over-long text are refused with what to fix."""
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

SKIPPABLE = ("trigger", "during_exercise", "locked_minutes", "eased_by_stretch")


def _ago(**delta) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def _log(api, token, **body):
    return api.post("/api/v1/episodes", json={"started_at": _ago(hours=1), "severity": 5, **body}, token=token)


# ---------- null in, null out ----------

def test_a_log_with_only_time_and_score_keeps_the_rest_not_recorded(api):
    _, token = api.register()
    created = _log(api, token)
    assert created.status_code == 201
    episode = created.get_json()["episode"]
    assert {name: episode[name] for name in SKIPPABLE} == dict.fromkeys(SKIPPABLE)
    shown = api.get(f"/api/v1/episodes/{episode['id']}", token=token).get_json()
    listed = api.get("/api/v1/episodes", token=token).get_json()["items"][0]
    exported = api.get("/api/v1/me/export", token=token).get_json()["episodes"][0]
    for body in (shown, listed, exported):
        assert {name: body[name] for name in SKIPPABLE} == dict.fromkeys(SKIPPABLE)


def test_explicit_nulls_are_stored_as_not_recorded_and_not_sure_as_unknown(api):
    _, token = api.register()
    skipped = _log(api, token, trigger=None, during_exercise=None, locked_minutes=None, eased_by_stretch=None)
    assert skipped.status_code == 201
    assert {n: skipped.get_json()["episode"][n] for n in SKIPPABLE} == dict.fromkeys(SKIPPABLE)
    unsure = _log(api, token, trigger="unknown", during_exercise=False, locked_minutes=0, eased_by_stretch=False)
    assert [unsure.get_json()["episode"][n] for n in SKIPPABLE] == ["unknown", False, 0, False]


def test_a_patch_can_clear_an_answer_back_to_not_recorded(api):
    _, token = api.register()
    episode = _log(api, token, trigger="lifting", during_exercise=True, locked_minutes=20).get_json()["episode"]
    patched = api.patch(f"/api/v1/episodes/{episode['id']}", json={"during_exercise": None, "locked_minutes": None},
                        token=token)
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["during_exercise"] is None and body["locked_minutes"] is None and body["trigger"] == "lifting"


def test_not_recorded_never_counts_as_not_exercising(api):
    """P4 needs two rest-time spasms with "not exercising" said explicitly; skipped answers are neither."""
    _, token = api.register()
    for hours in (30, 60):
        _log(api, token, started_at=_ago(hours=hours), trigger="sleeping", locations=["calf"])
    rules = {f["rule"] for f in api.get("/api/v1/assessment", token=token).get_json()["flags"]}
    assert "P4" not in rules
    for hours in (90, 120):
        _log(api, token, started_at=_ago(hours=hours), trigger="sleeping", during_exercise=False, locations=["calf"])
    flags = api.get("/api/v1/assessment", token=token).get_json()["flags"]
    assert "P4" in {f["rule"] for f in flags}


def test_a_long_lock_with_stretch_not_recorded_is_not_taken_as_eased(api):
    _, token = api.register()
    flags = _log(api, token, locked_minutes=20).get_json()["assessment"]["flags"]
    assert "E4" in {f["rule"] for f in flags}  # "eased_by_stretch is not true": not recorded is not true
    _, other = api.register()
    quiet = _log(api, other).get_json()["assessment"]["flags"]
    assert not {"E3", "E4"} & {f["rule"] for f in quiet}  # a skipped lock time is not a lock


# ---------- dates ----------

def test_a_spasm_before_the_birth_year_is_refused(api):
    _, token = api.register()
    assert api.patch("/api/v1/me", json={"birth_year": 1990}, token=token).status_code == 200
    early = _log(api, token, started_at="1989-12-31T23:00:00+00:00")
    assert early.status_code == 400
    assert early.get_json()["error"]["fields"] == {"started_at": "can't be before your birth year (1990)"}
    assert _log(api, token, started_at="1990-01-01T09:00:00+00:00").status_code == 201


def test_a_spasm_more_than_100_years_ago_is_refused(api):
    _, token = api.register()
    response = _log(api, token, started_at=_ago(days=365 * 100 + 30))
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"started_at": "can't be more than 100 years ago"}
    assert _log(api, token, started_at=_ago(days=365 * 99)).status_code == 201


def test_a_spasm_more_than_ten_minutes_ahead_is_refused(api):
    _, token = api.register()
    ahead = (datetime.now(UTC) + timedelta(minutes=11)).isoformat()
    response = _log(api, token, started_at=ahead)
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"started_at": "can't be more than 10 minutes in the future"}
    fast_clock = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert _log(api, token, started_at=fast_clock).status_code == 201
    assert api.get("/api/v1/episodes", token=token).get_json()["items"][0]["started_at"]


def test_a_check_in_before_its_spasm_or_in_the_future_is_refused(api):
    _, token = api.register()
    episode = _log(api, token, started_at=_ago(hours=5)).get_json()["episode"]
    url = f"/api/v1/episodes/{episode['id']}/follow-ups"
    before = api.post(url, json={"status": "same", "at": _ago(hours=6)}, token=token)
    assert before.status_code == 400
    assert before.get_json()["error"]["fields"] == {"at": "can't be before the spasm started"}
    ahead = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    later = api.post(url, json={"status": "same", "at": ahead}, token=token)
    assert later.status_code == 400 and later.get_json()["error"]["fields"] == {
        "at": "can't be more than 10 minutes in the future"}
    assert api.post(url, json={"status": "improving", "at": _ago(hours=1)}, token=token).status_code == 201


def test_the_form_names_the_birth_year(web, client):
    web.register(timezone="Europe/London")
    token = client.get("/sync-state").get_json()["csrf_token"]
    assert client.patch("/api/v1/me", json={"birth_year": 1995}, headers={"X-CSRFToken": token}).status_code == 200
    html = client.get("/log").get_data(as_text=True)
    found = dict(re.findall(r'name="(client_id)"[^>]*value="([^"]*)"', html))
    data = {**found, "started_date": "1994-06-01", "started_time": "10:00", "severity": "4"}
    response = web.post("/log", data, page="/log")
    assert response.status_code == 400
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert "Can't be before your birth year (1995)." in page and 'value="1994-06-01"' in page


# ---------- long text ----------

@pytest.mark.parametrize(("field", "limit"), [("notes", 2000), ("exercise", 80), ("relief_used", 200)])
def test_over_long_text_is_a_400_naming_the_field_and_nothing_is_saved(api, field, limit):
    _, token = api.register()
    response = _log(api, token, **{field: "a" * (limit + 1)})
    assert response.status_code == 400
    # The words the log form uses (coach/domain/limits.py too_long), with the API's plain digits.
    expected = f"{limit + 1} characters; the limit is {limit}: shorten it by 1"
    assert response.get_json()["error"]["fields"] == {field: expected}
    assert api.get("/api/v1/episodes", token=token).get_json()["items"] == []
    exact = _log(api, token, **{field: "a" * limit})
    assert exact.status_code == 201 and exact.get_json()["episode"][field] == "a" * limit


def test_over_long_text_in_a_check_in_is_refused_not_cut(api):
    _, token = api.register()
    episode = _log(api, token).get_json()["episode"]
    response = api.post(f"/api/v1/episodes/{episode['id']}/follow-ups", json={"status": "same", "notes": "n" * 2001},
                        token=token)
    assert response.status_code == 400 and "notes" in response.get_json()["error"]["fields"]


# ---------- the detailed form ----------

def test_the_form_stores_skipped_questions_as_not_recorded(app, web, client):
    data = web.register(timezone="Europe/London")
    html = client.get("/log").get_data(as_text=True)
    found = dict(re.findall(r'name="(started_date|started_time|client_id)"[^>]*value="([^"]*)"', html))
    # Nothing is pre-answered: the skip choices are the checked ones.
    assert not re.search(r'checked[^>]*name="trigger"[^>]*value="unknown"|value="unknown"[^>]*checked', html)
    assert not re.search(r'checked[^>]*name="during_exercise"[^>]*value="no"', html)
    response = web.post("/log", {**found, "severity": "3", "trigger": "", "during_exercise": "", "locked_minutes": "",
                                 "eased_by_stretch": ""}, page="/log")
    assert response.status_code == 302
    from coach.extensions import db
    from coach.models import Episode, User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == data["email"]))
        episode = db.session.scalar(db.select(Episode).where(Episode.user_id == user.id))
        assert (episode.trigger, episode.during_exercise, episode.locked_minutes, episode.eased_by_stretch) == (None,) * 4
        episode_id = episode.id
    # Editing it shows the questions unanswered, never "None", "No" or 0.
    edit = client.get(f"/episodes/{episode_id}/edit").get_data(as_text=True)
    assert 'value="None"' not in edit
    assert not re.search(r'name="locked_minutes"[^>]*value="0"', edit)
    assert not re.search(r'checked[^>]*name="during_exercise"[^>]*value="no"', edit)


# ---------- CSV ----------

def test_csv_says_not_recorded_for_skipped_answers(api, web, client):
    web.register(timezone="Europe/London")
    token = client.get("/sync-state").get_json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    skipped = client.put(f"/api/v1/episodes/by-client/{uuid.uuid4()}", json={"started_at": _ago(hours=3),
                         "symptoms": ["chest_pain"]}, headers=headers)
    answered = client.post("/api/v1/episodes", json={
        "started_at": _ago(hours=2), "severity": 0, "trigger": "unknown", "during_exercise": False, "side": "left",
        "locked_minutes": 0, "eased_by_stretch": False, "notes": "=1+1"}, headers=headers)
    assert skipped.status_code == 201 and answered.status_code == 201
    text = client.get("/episodes.csv").get_data(as_text=True).lstrip("\ufeff")
    first, second = list(csv.DictReader(io.StringIO(text)))
    for column in ("severity", "side", "trigger", "during_exercise", "locked_minutes", "eased_by_stretch"):
        assert first[column] == "not recorded", column
    assert (second["severity"], second["trigger"], second["during_exercise"]) == ("0", "Not sure", "no")
    assert (second["locked_minutes"], second["eased_by_stretch"], second["side"]) == ("0", "no", "Left")
    assert second["notes"] == "'=1+1"  # still spreadsheet-safe
