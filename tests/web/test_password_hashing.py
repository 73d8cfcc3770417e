"""Passwords are stored as production stores them (scrypt), not with the suite's cheap hash: sign-up, sign-in, a
wrong password, a password change and an unknown email all go through the real parameters here."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from coach.auth import service as auth_service
from coach.extensions import db
from coach.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.real_password_hash


def _stored_hash(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.email == email))


def test_a_password_is_stored_with_scrypt_and_signs_in_only_with_itself(app, web, client):
    data = web.register()
    stored = _stored_hash(app, data["email"])
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    client.post("/logout", data={"csrf_token": web.csrf("/me")})
    assert web.login(data["email"], "not my password").status_code == 401
    assert web.login(data["email"]).status_code == 302


def test_a_changed_password_is_stored_with_scrypt_too(app, web):
    data = web.register()
    before = _stored_hash(app, data["email"])
    response = web.post("/me/password", {"current_password": PASSWORD, "new_password": "new phrase for me"})
    assert response.status_code == 302
    after = _stored_hash(app, data["email"])
    assert after.startswith("scrypt:") and after != before


def test_an_unknown_email_is_checked_against_a_scrypt_hash_so_it_costs_what_a_known_one_does(web):
    assert auth_service._DUMMY_HASH.startswith("scrypt:")
    assert web.login("nobody@example.com").status_code == 401
