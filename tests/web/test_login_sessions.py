"""Browser sessions kept server-side (coach/models/login_session.py): "Sign out" ends this phone's session only,
for good (a copy of its cookie no longer works); "Sign out everywhere" ends every phone and app; a password
change ends every other session; sessions unused too long, and cookies from before, are refused."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from coach.extensions import db
from coach.models import LoginSession, User
from tests.factories import PASSWORD, Api, WebSession, page_text


def _phone(app, email: str):
    """Another browser of the same person, signed in through the form."""
    client = app.test_client()
    assert WebSession(client).login(email).status_code == 302
    return client


def _copy_cookie(app, source, target) -> None:
    name = app.config["SESSION_COOKIE_NAME"]
    target.set_cookie(name, source.get_cookie(name).value)


def _sign_out(client, everywhere: bool = False):
    path = "/logout/everywhere" if everywhere else "/logout"
    return client.post(path, data={"csrf_token": WebSession(client).csrf("/me")})


def _signed_in(client) -> bool:
    return client.get("/me").status_code == 200


def _sessions(app, email: str) -> list[LoginSession]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)))


def test_signing_out_on_one_phone_leaves_the_other_signed_in(app, web, client):
    data = web.register()
    other = _phone(app, data["email"])
    assert len(_sessions(app, data["email"])) == 2
    response = _sign_out(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    # This phone's offline copies and storage go with its session.
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "You are signed out on this phone." in page_text(client.get("/login").get_data(as_text=True))
    assert not _signed_in(client)
    assert _signed_in(other)
    assert len(_sessions(app, data["email"])) == 1


def test_a_copy_of_the_cookie_stops_working_when_its_phone_signs_out(app, web, client):
    web.register()
    thief = app.test_client()
    _copy_cookie(app, client, thief)
    assert _signed_in(thief)  # a copied cookie is the session, until it ends
    _sign_out(client)
    assert not _signed_in(thief)


def test_sign_out_everywhere_ends_every_phone_and_every_app_token(app, web, client):
    data = web.register()
    other = _phone(app, data["email"])
    copy = app.test_client()
    _copy_cookie(app, other, copy)
    api = Api(app.test_client())
    token = api.post("/api/v1/auth/token", json={"email": data["email"], "password": PASSWORD}).get_json()["token"]
    assert api.get("/api/v1/me", token=token).status_code == 200
    response = _sign_out(client, everywhere=True)
    assert response.status_code == 302 and response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "You are signed out everywhere, on this phone too." in page_text(client.get("/login").get_data(as_text=True))
    assert not any(_signed_in(browser) for browser in (client, other, copy))
    assert api.get("/api/v1/me", token=token).status_code == 401
    assert _sessions(app, data["email"]) == []
    # Signing in again works as ever.
    assert web.login(data["email"]).status_code == 302 and _signed_in(client)


def test_a_password_change_keeps_this_phone_with_a_new_session_and_ends_the_others(app, web, client):
    data = web.register()
    other = _phone(app, data["email"])
    old_cookie = app.test_client()
    _copy_cookie(app, client, old_cookie)
    response = web.post("/me/password", {"current_password": PASSWORD, "new_password": "new phrase for me"})
    assert response.status_code == 302
    assert _signed_in(client)
    # The other phone, and this phone's cookie from before the change, are signed out.
    assert not _signed_in(other) and not _signed_in(old_cookie)
    assert len(_sessions(app, data["email"])) == 1


def test_deleting_the_account_ends_its_sessions(app, web, client):
    data = web.register()
    other = _phone(app, data["email"])
    assert web.post("/me/delete", {"password": PASSWORD}).status_code == 302
    assert not _signed_in(other)
    with app.app_context():
        assert db.session.scalar(select(LoginSession.id).limit(1)) is None


def test_only_a_hash_of_the_session_secret_is_stored(app, web, client):
    data = web.register()
    with client.session_transaction() as session:
        secret = session["_user_id"]
    [row] = _sessions(app, data["email"])
    assert len(secret) >= 43  # 32 random bytes, base64url
    assert row.id == hashlib.sha256(secret.encode()).hexdigest() and row.id != secret


def test_a_session_unused_for_longer_than_its_lifetime_is_refused(app_factory):
    app = app_factory(PERMANENT_SESSION_LIFETIME=timedelta(days=30))
    client = app.test_client()
    data = WebSession(client).register()
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=datetime.now(UTC) - timedelta(days=31)))
        db.session.commit()
    assert not _signed_in(client)
    assert _sessions(app, data["email"]) == []


def test_a_session_in_use_is_seen_at_most_hourly_and_kept(app, web, client):
    data = web.register()
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=two_hours_ago))
        db.session.commit()
    assert _signed_in(client)
    [row] = _sessions(app, data["email"])
    assert row.last_seen_at > two_hours_ago + timedelta(hours=1)


def test_a_cookie_from_before_login_sessions_signs_in_no_one(app, web, client):
    web.register()
    user_id = int(client.get("/api/v1/me").get_json()["id"])
    stale = app.test_client()
    with stale.session_transaction() as session:
        session["_user_id"] = f"{user_id}:1"  # "<user id>:<session version>", as cookies were made before
        session["_fresh"] = True
    assert not _signed_in(stale)


def test_the_me_page_offers_both_sign_outs_and_says_what_each_does(web, client):
    web.register()
    html = client.get("/me").get_data(as_text=True)
    text = page_text(html)
    assert '"Sign out" signs out this phone only.' in text
    assert "signs you out on every phone and computer and disconnects every app" in text
    here = html.index('action="/logout"')
    everywhere = html.index('action="/logout/everywhere"')
    # Both forms clear this phone first (app.js, data-logout); everywhere asks before it goes.
    assert html[here:here + 60].count("data-logout") == 1
    assert html[everywhere:everywhere + 60].count("data-logout") == 1
    assert "data-confirm=" in html[everywhere:html.index("</form>", everywhere)]
