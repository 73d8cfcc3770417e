"""Accounts through the web forms: register, sign in and out, profile, password, export, delete."""
from __future__ import annotations

import json

import pytest

from tests.factories import PASSWORD, user_data


def test_register_signs_in_and_lands_home(web, client):
    data = web.register(display_name="Robin", timezone="Pacific/Auckland", country="NZ")
    home = client.get("/")
    assert "Hi, Robin" in home.get_data(as_text=True)
    profile = client.get("/me").get_data(as_text=True)
    assert data["email"] in profile and "Pacific/Auckland" in profile and "New Zealand" in profile


def test_a_double_tap_on_register_gets_a_clear_answer_not_a_server_error(app, web):
    """Two taps race: the other request stores the same email between this one's check and its commit."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from coach.extensions import db
    from coach.models import User

    data, fired = user_data(), []

    def other_tap_commits_first(session, flush_context, instances):
        if fired or not any(isinstance(obj, User) for obj in session.new):
            return
        fired.append(True)
        with db.engine.begin() as connection:
            connection.execute(User.__table__.insert().values(
                email=data["email"], password_hash="x", role="athlete", display_name="Other tap", timezone="UTC",
                country="GB"))

    event.listen(Session, "before_flush", other_tap_commits_first)
    try:
        response = web.post("/register", data)
    finally:
        event.remove(Session, "before_flush", other_tap_commits_first)
    assert fired and response.status_code in (400, 409)
    assert "Already registered; sign in instead." in response.get_data(as_text=True)


def test_register_shows_field_errors_and_keeps_what_was_typed(web):
    response = web.post("/register", user_data(display_name="Kim", timezone="Nowhere/Land", password="123"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Unknown time zone" in html
    assert "Use at least 8 characters" in html
    assert 'value="Kim"' in html and 'value="Nowhere/Land"' in html


def test_register_guesses_country_from_browser_language(client):
    html = client.get("/register", headers={"Accept-Language": "de-AT,de;q=0.9"}).get_data(as_text=True)
    assert '<option selected value="AT">' in html or 'value="AT" selected' in html


def test_login_logout_and_session_end(web, client):
    data = web.register()
    client.post("/logout", data={"csrf_token": web.csrf("/me")})
    assert client.get("/me").status_code == 302
    bad = web.login(data["email"], "wrong password!")
    assert bad.status_code == 401 and "Wrong email or password" in bad.get_data(as_text=True)
    good = web.login(data["email"])
    assert good.status_code == 302 and good.headers["Location"] == "/"
    assert client.get("/me").status_code == 200


def test_session_cookie_is_replaced_on_login(web, client):
    data = web.register()
    client.post("/logout", data={"csrf_token": web.csrf("/me")})
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    web.login(data["email"])
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/me", "/me"),
        ("/me?tab=1", "/me?tab=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_redirects_only_to_safe_next(web, client, next_url, expected):
    data = web.register()
    client.post("/logout", data={"csrf_token": web.csrf("/me")})
    response = web.login(data["email"], next=next_url)
    assert response.headers["Location"] == expected


def test_protected_page_sends_to_login_with_next(client):
    response = client.get("/me/edit")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/me/edit")


def test_profile_update(web, client):
    web.register()
    form = {
        "display_name": "Alex",
        "timezone": "Australia/Lord_Howe",
        "country": "AU",
        "birth_year": "1968",
        "osteoporosis": "y",
        "diuretics": "y",
    }
    response = web.post("/me/edit", form)
    assert response.status_code == 302
    html = client.get("/me").get_data(as_text=True)
    assert "Alex" in html and "Australia/Lord_Howe" in html and "1968" in html
    assert "I have osteoporosis (thin or fragile bones): <strong>Yes</strong>" in html
    assert "I have had cancer: <strong>No</strong>" in html


def test_profile_update_rejects_bad_year_and_zone(web):
    web.register()
    response = web.post("/me/edit", {"display_name": "Alex", "timezone": "Moon/Base", "country": "AU", "birth_year": "1700"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a year like 1990" in html


def test_password_change_keeps_this_device_and_ends_others(app, web, client):
    from tests.factories import WebSession

    data = web.register()
    other = app.test_client()
    WebSession(other).login(data["email"])
    response = web.post("/me/password", {"current_password": PASSWORD, "new_password": "new phrase for me"})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200
    assert other.get("/me").status_code == 302
    client.post("/logout", data={"csrf_token": web.csrf("/me")})
    assert web.login(data["email"]).status_code == 401
    assert web.login(data["email"], "new phrase for me").status_code == 302


def test_password_change_refuses_wrong_current_password(web):
    web.register()
    response = web.post("/me/password", {"current_password": "not my password", "new_password": "new phrase for me"})
    assert response.status_code == 400
    assert "This is not your current password" in response.get_data(as_text=True)


def test_export_downloads_json(web, client):
    data = web.register()
    response = client.get("/me/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="relief-coach-export-')
    body = json.loads(response.get_data(as_text=True))
    assert body["profile"]["email"] == data["email"]


def test_delete_account(app, web, client):
    data = web.register()
    refused = web.post("/me/delete", {"password": "wrong password"})
    assert refused.status_code == 400
    response = web.post("/me/delete", {"password": PASSWORD})
    assert response.status_code == 302
    assert web.login(data["email"]).status_code == 401
    from coach.extensions import db
    from coach.models import User

    with app.app_context():
        assert db.session.query(User).filter_by(email=data["email"]).count() == 0


def test_form_post_without_csrf_token_is_refused(web, client):
    data = user_data()
    response = client.post("/register", data=data)
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert web.login(data["email"]).status_code == 401  # nothing was created


def test_session_api_call_needs_csrf_header_but_bearer_does_not(web, client):
    web.register()
    no_header = client.patch("/api/v1/me", json={"display_name": "X"})
    assert no_header.status_code == 400
    assert no_header.get_json()["error"]["code"] == "csrf_failed"
    token = web.csrf("/me")
    with_header = client.patch("/api/v1/me", json={"display_name": "Via session"}, headers={"X-CSRFToken": token})
    assert with_header.status_code == 200 and with_header.get_json()["display_name"] == "Via session"
    # Reading needs no token.
    assert client.get("/api/v1/me").status_code == 200
    fresh = client.application.test_client()
    from tests.factories import Api

    _, bearer = Api(fresh).register()
    assert fresh.patch("/api/v1/me", json={"display_name": "B"}, headers={"Authorization": f"Bearer {bearer}"}).status_code == 200


def test_repeated_bad_logins_get_429_with_retry_after(web, client, api):
    data = web.register()
    client.post("/logout", data={"csrf_token": web.csrf("/me")})
    statuses = [web.login(data["email"], f"wrong guess {i}").status_code for i in range(8)]
    assert statuses[0] == 401 and statuses[-1] == 429
    limited = web.login(data["email"], "wrong again")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "Please wait a moment" in limited.get_data(as_text=True)
    api_limited = api.post("/api/v1/auth/token", json={"email": data["email"], "password": "x" * 9})
    assert api_limited.status_code == 429
    assert api_limited.get_json()["error"]["code"] == "rate_limited" and "Retry-After" in api_limited.headers


def test_rate_limit_can_be_turned_off_by_flask_prefixed_env(monkeypatch, app_factory):
    monkeypatch.setenv("FLASK_RATELIMIT_ENABLED", "false")
    app = app_factory()
    assert app.config["RATELIMIT_ENABLED"] is False
    client = app.test_client()
    statuses = {client.post("/api/v1/auth/token", json={"email": "a@example.com", "password": "x" * 9}).status_code for _ in range(12)}
    assert statuses == {401}


def test_guessing_the_current_password_is_rate_limited_per_account(web, client):
    """A stolen session must not be a way to guess the password: changing it and deleting the account share one
    budget of failed checks per account (RATELIMIT_PASSWORD_CHECK, 5 a minute)."""
    web.register()
    guesses = [web.post("/me/password", {"current_password": f"guess {i}", "new_password": "a new long passphrase"},
                        page="/me/password").status_code for i in range(5)]
    assert guesses == [400] * 5
    limited = web.post("/me/password", {"current_password": "guess 6", "new_password": "a new long passphrase"},
                       page="/me/password")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "Please wait a moment" in limited.get_data(as_text=True)
    assert web.post("/me/delete", {"password": "another guess"}, page="/me/delete").status_code == 429
    assert client.get("/me").status_code == 200  # still signed in; the account is untouched


def test_api_password_checks_are_limited_per_account_and_successes_do_not_count(api):
    user, token = api.register()
    other_user, other_token = api.register(email="other-person@example.com")

    def change(current, bearer=token, new="a brand new passphrase"):
        return api.post("/api/v1/me/password", json={"current_password": current, "new_password": new}, token=bearer)

    assert [change(f"wrong {i}").status_code for i in range(4)] == [400] * 4
    assert change(user["password"], new="the next passphrase").status_code == 204  # right: not counted
    assert change("wrong 5").status_code == 400
    limited = api.delete("/api/v1/me", json={"password": "wrong 6"}, token=token)
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    # Another account keeps its own budget.
    assert change("not it", bearer=other_token).status_code == 400
    assert api.delete("/api/v1/me", json={"password": other_user["password"]}, token=other_token).status_code == 204


# --- Sign-up: the birth year and the intended use ---

INTENDED_USE = (
    "Relief Coach helps adults who exercise look after sudden back muscle spasms: movement, breathing and heat "
    "routines, a diary, and rules that tell you when to see a doctor. It does not diagnose, and it is not a "
    "substitute for medical care. If you are worried, contact a doctor."
)


def test_register_page_states_the_intended_use_and_asks_the_birth_year_with_why(client):
    html = client.get("/register").get_data(as_text=True)
    assert INTENDED_USE in html
    assert 'name="birth_year"' in html and "Birth year (optional)" in html
    assert "Some of the app&#39;s warning rules depend on your age. The year is enough." in html
    assert 'href="/about"' in html


def test_register_with_a_birth_year_keeps_it_and_without_one_leaves_it_unset(app, web, client):
    from coach.extensions import db
    from coach.models import User

    with_year = web.register(birth_year="1958")
    assert "1958" in client.get("/me").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": web.csrf("/me")})
    without = web.register(birth_year="  ")
    with app.app_context():
        years = dict(db.session.execute(db.select(User.email, User.birth_year)).all())
    assert years[with_year["email"]] == 1958 and years[without["email"]] is None


@pytest.mark.parametrize("typed", ["2999", "1850", "nineteen", "19 84", "１９８４", "19845"])
def test_register_refuses_an_impossible_birth_year_and_keeps_what_was_typed(web, typed):
    from datetime import UTC, datetime

    response = web.post("/register", user_data(display_name="Sam", birth_year=typed))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Enter a year from 1900 to {datetime.now(UTC).year}." in html
    assert f'value="{typed}"' in html and 'value="Sam"' in html


def test_api_register_takes_an_optional_birth_year(api):
    user, _ = api.register(birth_year=1990)
    assert user["birth_year"] == 1990
    user, _ = api.register()
    assert user["birth_year"] is None
    for bad in (1899, 3000, "1990"):
        response = api.post("/api/v1/auth/register", json=user_data(birth_year=bad))
        assert response.status_code == 400 and "birth_year" in response.get_json()["error"]["fields"], bad


def test_about_page_states_the_intended_use_and_is_linked_from_me(web, client):
    html = client.get("/about").get_data(as_text=True)
    assert INTENDED_USE in html
    assert "Medicines are a decision for your doctor. Don't start, stop or change them yourself." in html.replace("&#39;", "'")
    web.register()
    assert 'href="/about"' in client.get("/me").get_data(as_text=True)
