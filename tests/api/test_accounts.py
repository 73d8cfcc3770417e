"""Accounts API: register, tokens, profile, password, export, deletion, authorization."""
from __future__ import annotations

from datetime import UTC

import pytest

from tests.factories import PASSWORD, user_data


def test_register_returns_user_and_working_token(api):
    data = user_data(role="trainer", timezone="America/New_York", country="US")
    response = api.post("/api/v1/auth/register", json=data)
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"]["email"] == data["email"]
    assert body["user"]["role"] == "trainer"
    assert body["user"]["timezone"] == "America/New_York"
    assert body["token"].startswith("rc_")
    me = api.get("/api/v1/me", token=body["token"])
    assert me.status_code == 200
    assert me.get_json()["id"] == body["user"]["id"]


def test_register_normalises_email_and_refuses_duplicates(api):
    api.post("/api/v1/auth/register", json=user_data(email="Sam@Example.COM"))
    again = api.post("/api/v1/auth/register", json=user_data(email="sam@example.com"))
    assert again.status_code == 409
    assert again.get_json()["error"]["fields"]["email"].startswith("already registered")


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 8"), ("password123", "too common"), ("aaaaaaaaaaaa", "too common")],
)
def test_register_refuses_weak_passwords(api, password, message):
    response = api.post("/api/v1/auth/register", json=user_data(password=password))
    assert response.status_code == 400
    assert message in response.get_json()["error"]["fields"]["password"]


def test_long_passphrase_without_symbols_is_fine(api):
    response = api.post("/api/v1/auth/register", json=user_data(password="my back hurts on mondays"))
    assert response.status_code == 201


def test_token_login_and_revoke(api):
    user, _ = api.register()
    response = api.post("/api/v1/auth/token", json={"email": user["email"], "password": PASSWORD})
    assert response.status_code == 200
    token = response.get_json()["token"]
    assert response.get_json()["expires_at"].endswith("Z")
    assert api.get("/api/v1/me", token=token).status_code == 200
    assert api.delete("/api/v1/auth/token", token=token).status_code == 204
    revoked = api.get("/api/v1/me", token=token)
    assert revoked.status_code == 401
    assert revoked.get_json()["error"]["code"] == "invalid_token"


def test_wrong_password_gets_401_without_saying_which_part_was_wrong(api):
    user, _ = api.register()
    wrong = api.post("/api/v1/auth/token", json={"email": user["email"], "password": "not my password"})
    unknown = api.post("/api/v1/auth/token", json={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_expired_token_is_refused(app, api):
    from datetime import datetime, timedelta

    from coach.auth.service import issue_token
    from coach.extensions import db
    from coach.models import User

    user, _ = api.register()
    with app.app_context():
        long_ago = datetime.now(UTC) - timedelta(days=40)
        raw, _ = issue_token(db.session.get(User, user["id"]), long_ago, ttl_days=30)
    assert api.get("/api/v1/me", token=raw).status_code == 401


def test_tokens_are_stored_hashed(app, api):
    from coach.extensions import db
    from coach.models import ApiToken

    _, token = api.register()
    with app.app_context():
        hashes = [t.token_hash for t in db.session.query(ApiToken)]
    assert token not in hashes and len(hashes) == 1 and len(hashes[0]) == 64


def test_patch_profile_changes_only_given_fields(api):
    user, token = api.register()
    response = api.patch(
        "/api/v1/me",
        json={"birth_year": 1970, "osteoporosis": True, "timezone": "Asia/Kolkata", "country": "in"},
        token=token,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["birth_year"] == 1970 and body["osteoporosis"] is True
    assert body["timezone"] == "Asia/Kolkata" and body["country"] == "IN"
    assert body["display_name"] == user["display_name"] and body["cancer_history"] is False
    cleared = api.patch("/api/v1/me", json={"birth_year": None}, token=token).get_json()
    assert cleared["birth_year"] is None and cleared["osteoporosis"] is True


def test_password_change_keeps_this_token_and_revokes_others(api):
    user, token = api.register()
    other = api.post("/api/v1/auth/token", json={"email": user["email"], "password": PASSWORD}).get_json()["token"]
    response = api.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "a brand new phrase"}, token=token
    )
    assert response.status_code == 204
    assert api.get("/api/v1/me", token=token).status_code == 200
    assert api.get("/api/v1/me", token=other).status_code == 401
    old = api.post("/api/v1/auth/token", json={"email": user["email"], "password": PASSWORD})
    assert old.status_code == 401
    new = api.post("/api/v1/auth/token", json={"email": user["email"], "password": "a brand new phrase"})
    assert new.status_code == 200


def test_password_change_needs_the_current_password(api):
    _, token = api.register()
    response = api.post(
        "/api/v1/me/password", json={"current_password": "wrong one!", "new_password": "a brand new phrase"}, token=token
    )
    assert response.status_code == 400
    assert "current_password" in response.get_json()["error"]["fields"]


def test_export_contains_profile_and_token_metadata_but_no_secrets(api):
    user, token = api.register()
    response = api.get("/api/v1/me/export", token=token)
    assert response.status_code == 200
    body = response.get_json()
    assert body["format"] == "relief-coach-export/1"
    assert body["profile"]["email"] == user["email"]
    assert len(body["api_tokens"]) == 1
    text = response.get_data(as_text=True)
    assert token not in text and "password" not in text


def test_export_lists_my_own_routines_and_whether_a_calendar_link_exists(app, api):
    from datetime import UTC, datetime

    from coach.extensions import db
    from coach.models import User
    from coach.reminders.calendar import create_feed
    from tests.factories import add_own_routine

    user, token = api.register(role="trainer")
    assert api.get("/api/v1/me/export", token=token).get_json()["calendar_feed"] is None
    slug = add_own_routine(app, user["id"])
    with app.app_context():
        secret = create_feed(db.session.get(User, user["id"]), datetime.now(UTC))
    response = api.get("/api/v1/me/export", token=token)
    body = response.get_json()
    assert [r["slug"] for r in body["routines"]] == [slug] and body["routines"][0]["steps"][0]["title"] == "March"
    assert body["calendar_feed"]["created_at"].endswith("Z") and body["calendar_feed"]["last_used_at"] is None
    assert secret not in response.get_data(as_text=True)


def test_delete_account_needs_password_and_removes_everything(app, api):
    from coach.extensions import db
    from coach.models import ApiToken, User

    user, token = api.register()
    refused = api.delete("/api/v1/me", json={"password": "not it at all"}, token=token)
    assert refused.status_code == 400
    assert api.delete("/api/v1/me", json={"password": PASSWORD}, token=token).status_code == 204
    assert api.get("/api/v1/me", token=token).status_code == 401
    with app.app_context():
        assert db.session.get(User, user["id"]) is None
        assert db.session.query(ApiToken).count() == 0


def test_token_of_one_user_never_touches_another(api):
    alice, alice_token = api.register()
    bob, bob_token = api.register()
    assert api.get("/api/v1/me", token=alice_token).get_json()["id"] == alice["id"]
    api.patch("/api/v1/me", json={"display_name": "Changed by Alice"}, token=alice_token)
    assert api.get("/api/v1/me", token=bob_token).get_json()["display_name"] == bob["display_name"]
    # Alice cannot delete Bob's account even knowing Bob's password: the token decides whose account it is.
    api.delete("/api/v1/me", json={"password": PASSWORD}, token=alice_token)
    assert api.get("/api/v1/me", token=bob_token).status_code == 200
    export = api.get("/api/v1/me/export", token=bob_token).get_json()
    assert export["profile"]["email"] == bob["email"] and alice["email"] not in str(export)
    # There is no route that takes a user id: another user's resource is simply not addressable.
    assert api.get(f"/api/v1/users/{bob['id']}", token=alice_token).status_code == 404


def test_me_needs_credentials(api):
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer ", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer rc_" + "x" * 43])
def test_bad_authorization_headers_get_401(api, header):
    response = api.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"
