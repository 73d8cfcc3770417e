"""OWASP ASVS 5.0 level 1 requirements that no feature's own tests showed (docs/SECURITY.md names each test):
the cookie's prefix, escaping what people type, passwords taken exactly as typed and fit for password managers,
no CORS, no files outside static/, no state change on GET, a charset on every text answer."""
from __future__ import annotations

import re
import secrets

import pytest

from coach import create_app
from coach.config import Config
from tests.factories import PASSWORD, WebSession


def test_in_production_the_session_cookie_is_host_prefixed_secure_httponly_and_lax(monkeypatch, database_url):
    # ASVS 3.3.1
    monkeypatch.setenv("COACH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app(Config())
    client = app.test_client()
    # The cookie is Secure, so the test client must ask over https to be given it back.
    response = client.get("/login", base_url="https://relief.example")
    [cookie] = [value for name, value in response.headers.items() if name == "Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite", "path"} <= attributes and "domain" not in attributes
    assert "SameSite=Lax" in cookie and "Path=/" in cookie


def test_what_a_person_types_is_shown_as_text_never_as_markup(web, client):
    # ASVS 1.2.1, 3.2.2: Jinja escapes every value; no template marks typed text safe.
    web.register(display_name='<img src=x onerror="alert(1)">')
    html = client.get("/me").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_a_password_is_checked_exactly_as_typed(app):
    # ASVS 6.2.8: no trimming, no case folding.
    web = WebSession(app.test_client())
    spaced = "  Mixed Case phrase  "
    data = web.register(password=spaced)
    for near in (spaced.strip(), spaced.lower(), spaced.upper()):
        assert WebSession(app.test_client()).login(data["email"], near).status_code == 401
    assert WebSession(app.test_client()).login(data["email"], spaced).status_code == 302


@pytest.mark.parametrize(("path", "names"), [
    ("/login", ("password",)),
    ("/register", ("password",)),
    ("/me/password", ("current_password", "new_password")),
    ("/me/delete", ("password",)),
])
def test_password_fields_are_masked_and_open_to_password_managers(web, client, path, names):
    # ASVS 6.2.6, 6.2.7: type=password, an autocomplete hint or none, never autocomplete=off, nothing blocks paste.
    if path.startswith("/me"):
        web.register()
    html = client.get(path).get_data(as_text=True)
    for name in names:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="password"' in tag
        assert 'autocomplete="off"' not in tag and "onpaste" not in tag


def test_no_other_origin_is_let_in_by_cors(web, client):
    # ASVS 3.4.2: the app sends no CORS headers, so browsers keep other sites' scripts out of its answers.
    web.register()
    for path in ("/api/v1/me", "/api/v1/push/public-key", "/me"):
        response = client.get(path, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/api/v1/me", headers={"Origin": "https://evil.example",
                                                      "Access-Control-Request-Method": "PATCH"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


@pytest.mark.parametrize("path", ["/.git/config", "/static/../.git/config", "/static/%2e%2e/.git/config",
                                  "/static/../coach/config.py", "/.env", "/migrations/env.py"])
def test_nothing_outside_static_is_served(client, path):
    # ASVS 13.4.1, 5.3.2: files come only from static/ by name (safe_join), never the repository.
    assert client.get(path).status_code == 404


def test_signing_out_and_changes_need_post(web, client):
    # ASVS 3.5.3: nothing changes on a GET (a link or an image on another site cannot sign anyone out).
    web.register()
    for path in ("/logout", "/logout/everywhere"):
        assert client.get(path).status_code == 405
    assert client.get("/me").status_code == 200


def test_every_text_answer_names_its_charset(web, client):
    # ASVS 4.1.1
    web.register()
    for path in ("/", "/me", "/static/css/app.css", "/sw.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype.startswith(("text/", "application/javascript")), path
        assert "charset=utf-8" in response.headers["Content-Type"].lower(), path


def test_the_app_ships_no_account_not_even_after_seeding(seeded):
    # ASVS 6.3.2: `flask seed` loads content only; the first person is whoever signs up (or `flask create-user`).
    from coach.extensions import db
    from coach.models import User

    with seeded.app_context():
        assert db.session.query(User).count() == 0
    for email in ("admin@example.com", "root@localhost"):
        assert WebSession(seeded.test_client()).login(email, PASSWORD).status_code == 401


def test_the_session_cookie_is_signed_with_hmac_sha256(app, web, client):
    # ASVS 11.4.1 (Appendix C lists HMAC-SHA-1, Flask's default, as legacy).
    import hashlib

    from itsdangerous import BadSignature, URLSafeTimedSerializer

    web.register()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    def loads(digest):
        signer = {"key_derivation": "hmac", "digest_method": digest}
        return URLSafeTimedSerializer(app.secret_key, salt="cookie-session", signer_kwargs=signer).loads(cookie)

    assert "_user_id" in loads(hashlib.sha256)
    with pytest.raises(BadSignature):
        loads(hashlib.sha1)


def test_a_tampered_or_outlived_session_cookie_signs_in_no_one(app, web, client, monkeypatch):
    # ASVS 9.1.1, 9.2.1: the cookie's MAC is checked before its content is read, and its signed time too.
    import time

    web.register()
    name = app.config["SESSION_COOKIE_NAME"]
    good = client.get_cookie(name).value
    with client.session_transaction() as session:
        content = dict(session)
    serializer = app.session_interface.get_signing_serializer(app)
    outlived = time.time() - app.permanent_session_lifetime.total_seconds() - 60
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: outlived)
        old = serializer.dumps(content)
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    for value in (forged, old):
        other = app.test_client()
        other.set_cookie(name, value)
        assert other.get("/me").status_code == 302
    fresh = app.test_client()
    fresh.set_cookie(name, serializer.dumps(content))
    assert fresh.get("/me").status_code == 200  # the same content, signed now, is the session
