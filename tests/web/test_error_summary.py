"""Every server-rendered form sent back with errors opens with the same error summary (_macros.html
error_summary): an alert at the top of the form that takes the focus (app.js), each error a link to its field
that starts with the field's label and then says what is said beside the field."""
from __future__ import annotations

import re
from html import unescape

import pytest

from tests.factories import make_episode

SUMMARY_RE = re.compile(
    r'<div class="error-summary" id="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title"'
    r' data-error-summary>\s*<h2 id="error-summary-title">Some answers need another look</h2>(.*?)</div>', re.S)


def summary_lines(html: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The summary's links as (field id, words) and its lines of no one field, or fail when there is none."""
    match = SUMMARY_RE.search(html)
    assert match, "an error summary (an alert) is on the page"
    body = match.group(1)
    links = [(field, unescape(words)) for field, words in re.findall(r'<li><a href="#([\w-]+)" data-field="\1">([^<]*)</a></li>', body)]
    general = [unescape(words) for words in re.findall(r'<li class="error-summary-general">([^<]*)</li>', body)]
    return links, general


def beside(html: str) -> list[tuple[str, str]]:
    """The errors beside the fields, in page order, as (field id, words)."""
    return [(field, unescape(words)) for field, words in re.findall(r'<p class="field-error" id="([\w-]+)-error">([^<]*)</p>', html)]


def assert_summary_names_each_field(html: str, names: dict[str, str]) -> None:
    """One link per field in error, in page order, reading "<label>: <the words beside the field>", to a field that exists,
    and the summary is above the form's first field."""
    links, _ = summary_lines(html)
    errors = beside(html)
    assert [field for field, _ in links] == [field for field, _ in errors] == list(names), "every field error, in page order"
    for (field, words), (_, next_to_field) in zip(links, errors, strict=True):
        assert words == f"{names[field]}: {next_to_field}", field
        assert re.search(rf'\bid="{field}"', html), f"the link's target {field} exists"
    first_field = re.search(r'<(?:div|fieldset) class="field[ "]', html)
    assert html.index('id="error-summary"') < first_field.start(), "the summary comes before the first field"


def _sign_up(web, **overrides) -> dict:
    return web.register(email="summary@example.com", **overrides)


def test_register_with_bad_answers_opens_with_a_summary_naming_each_field(web, client):
    """The phone test: email "bad", password "x", birth year 3000 sent the page back with the first error below
    the fold and nothing at the top to say so."""
    data = {"display_name": "Sam", "email": "bad", "password": "x", "role": "athlete", "timezone": "Europe/London",
            "country": "GB", "birth_year": "3000"}
    response = web.post("/register", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert_summary_names_each_field(html, {"email": "Email", "password": "Password", "birth_year": "Birth year (optional)"})
    assert 'value="bad"' in html and 'value="3000"' in html  # what was typed stays


def test_sign_in_with_a_wrong_password_says_so_at_the_top(web, client):
    _sign_up(web)
    client.post("/logout", data={"csrf_token": web.csrf("/me")})
    response = web.login("summary@example.com", "not the password")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    links, general = summary_lines(html)
    assert links == [] and general == ["Wrong email or password."]
    empty = web.post("/login", {"email": "", "password": ""}).get_data(as_text=True)
    assert_summary_names_each_field(empty, {"email": "Email", "password": "Password"})


@pytest.mark.parametrize(
    ("path", "data", "names"),
    [
        ("/me/edit", {"display_name": "", "timezone": "Europe/London", "country": "GB", "birth_year": "3000"},
         {"display_name": "Your name", "birth_year": "Birth year"}),
        ("/me/password", {"current_password": "wrong one", "new_password": "x"},
         {"current_password": "Current password", "new_password": "New password"}),
        ("/me/delete", {"password": "wrong one"}, {"password": "Your password"}),
        ("/me/about-you", {"birth_year": "3000", "save": "1"}, {"birth_year": "Birth year (optional)"}),
        ("/reminders/new", {"title": "", "kind": "custom", "schedule_type": "daily", "times-0": "", "every_minutes": "120",
                            "enabled": "y"}, {"title": "Title"}),
    ],
)
def test_account_and_reminder_forms_open_with_the_summary(web, client, path, data, names):
    _sign_up(web)
    response = web.post(path, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:300]
    assert_summary_names_each_field(html, names)


def test_the_log_and_the_check_in_open_with_the_summary(app, web, client):
    _sign_up(web)
    html = client.get("/log").get_data(as_text=True)
    defaults = dict(re.findall(r'name="(started_date|started_time|client_id)"[^>]*value="([^"]*)"', html))
    response = web.post("/log", {**defaults, "exercise": "e" * 539, "load_kg": "lots"}, page="/log")
    assert response.status_code == 400
    assert_summary_names_each_field(response.get_data(as_text=True), {
        "severity": "How bad was it at its worst", "exercise": "Which exercise", "load_kg": "Load in kg"})
    links, _ = summary_lines(response.get_data(as_text=True))
    assert dict(links)["exercise"] == "Which exercise: 539 characters; the limit is 80: shorten it by 459."

    from coach.models import User
    with app.app_context():
        uid = User.query.filter_by(email="summary@example.com").one().id
    episode = make_episode(app, uid)
    response = web.post(f"/episodes/{episode}/follow-up", {"notes": "n" * 2001}, page=f"/episodes/{episode}/follow-up")
    assert response.status_code == 400
    assert_summary_names_each_field(response.get_data(as_text=True), {"status": "How is it now", "notes": "Notes"})


def test_a_form_without_errors_has_no_summary(web, client):
    assert 'id="error-summary"' not in client.get("/register").get_data(as_text=True)
    assert 'id="error-summary"' not in client.get("/login").get_data(as_text=True)
    _sign_up(web)
    assert 'id="error-summary"' not in client.get("/me/edit").get_data(as_text=True)
    assert 'data-error-summary hidden' in client.get("/log").get_data(as_text=True)  # kept for the offline check

