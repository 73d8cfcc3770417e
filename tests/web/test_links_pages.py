"""Invite and link pages: a trainer's /trainer/invites, a client's /trainers ("My trainers") and /join/<code>."""
from __future__ import annotations

import re

from sqlalchemy import select

from coach.extensions import db
from coach.models import Invite, TrainerLink
from tests.factories import WebSession, page_text, user_data

NOT_VALID = "This code is not valid: ask your trainer for a new one."


def _session(app, **overrides) -> tuple[WebSession, dict]:
    web = WebSession(app.test_client())
    return web, web.register(**overrides)


def _code(web) -> str:
    response = web.post("/trainer/invites", {"note": "Tuesday group"}, follow=True)
    assert response.status_code == 200
    match = re.search(r'id="invite-url" type="text" readonly value="http://localhost/join/([A-Z0-9]{8})"',
                      response.get_data(as_text=True))
    assert match, "the new code's link is on the page"
    return match.group(1)


def test_a_trainer_makes_an_invite_and_sees_code_link_and_qr(app):
    web, _ = _session(app, role="trainer")
    page = web.client.get("/trainer/invites").get_data(as_text=True)
    assert "Make an invite code" in page and "Waiting to be used" not in page
    code = _code(web)
    page = web.client.get("/trainer/invites").get_data(as_text=True)
    text = page_text(page)
    assert f"{code[:4]} {code[4:]}" in text and "Tuesday group" in text and "Waiting to be used (1)" in text
    assert '<svg role="img" aria-label="QR code for invite' in page and 'data-copy="#invite-url"' in page
    assert "/static/js/app.js?v=" in page and "<script>" not in page  # app.js copies the link (data-copy)


def test_revoke_needs_csrf_and_moves_the_code_to_the_past(app):
    web, _ = _session(app, role="trainer")
    code = _code(web)
    with app.app_context():
        invite_id = db.session.scalar(select(Invite.id).where(Invite.code == code))
    refused = web.client.post(f"/trainer/invites/{invite_id}/revoke")
    assert refused.status_code in (302, 400)
    with app.app_context():
        assert db.session.get(Invite, invite_id).revoked_at is None
    page = web.post(f"/trainer/invites/{invite_id}/revoke", {}, page="/trainer/invites", follow=True)
    text = page_text(page.get_data(as_text=True))
    assert "revoked: it no longer works" in text and "Used, expired and revoked" in text and "Revoked" in text
    with app.app_context():
        assert db.session.get(Invite, invite_id).revoked_at is not None


def test_another_trainers_invite_cannot_be_revoked_and_athletes_get_403(app):
    web, _ = _session(app, role="trainer")
    code = _code(web)
    other, _ = _session(app, role="trainer")
    with app.app_context():
        invite_id = db.session.scalar(select(Invite.id).where(Invite.code == code))
    assert other.post(f"/trainer/invites/{invite_id}/revoke", {}, page="/trainer/invites").status_code == 404
    athlete, _ = _session(app)
    assert athlete.client.get("/trainer/invites").status_code == 403
    assert WebSession(app.test_client()).client.get("/trainer/invites").status_code == 302  # sign in first


def test_a_client_enters_a_code_loosely_then_shares_and_ends_the_link(app):
    trainer, trainer_data = _session(app, role="trainer", display_name="Coach Kim")
    code = _code(trainer)
    client, _ = _session(app)
    page = client.client.get("/trainers").get_data(as_text=True)
    assert "No trainer yet" in page_text(page)
    linked = client.post("/trainers", {"code": f"{code[:4].lower()} - {code[4:].lower()}"}, follow=True)
    text = page_text(linked.get_data(as_text=True))
    assert "You are linked with Coach Kim" in text
    # The plain words come before the switch, with what the trainer sees either way.
    assert text.index("Coach Kim always sees") < text.index("Only if you share:") < text.index("Share my log with")
    assert "turn it off any time" in text and 'aria-checked="false"' in linked.get_data(as_text=True)

    with app.app_context():
        trainer_id = db.session.scalar(select(TrainerLink.trainer_id))
    assert client.client.post(f"/trainers/{trainer_id}/sharing", data={"share": "1"}).status_code in (302, 400)
    with app.app_context():
        assert db.session.scalar(select(TrainerLink.share_episodes)) is False  # no CSRF token: nothing changed
    on = client.post(f"/trainers/{trainer_id}/sharing", {"share": "1"}, page="/trainers", follow=True)
    assert "Sharing with Coach Kim is on" in page_text(on.get_data(as_text=True))
    assert 'aria-checked="true"' in on.get_data(as_text=True)

    confirm = page_text(client.client.get(f"/trainers/{trainer_id}/end").get_data(as_text=True))
    assert "can no longer see anything of yours" in confirm and "assigned you stop" in confirm
    assert "sessions and your log stay yours" in confirm
    ended = client.post(f"/trainers/{trainer_id}/end", {}, page=f"/trainers/{trainer_id}/end", follow=True)
    assert "Link with Coach Kim ended" in page_text(ended.get_data(as_text=True))
    with app.app_context():
        link = db.session.scalar(select(TrainerLink))
        assert link.ended_by == "client" and link.share_episodes is False
    assert client.client.get(f"/trainers/{trainer_id}/end").status_code == 404


def test_a_wrong_code_keeps_what_was_typed_and_says_the_one_message(app):
    client, _ = _session(app)
    response = client.post("/trainers", {"code": "acef hjkx"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and NOT_VALID in page_text(html) and 'value="acef hjkx"' in html


def test_a_trainer_on_my_trainers_is_told_it_is_for_clients(app):
    trainer, _ = _session(app, role="trainer")
    response = trainer.client.get("/trainers")
    assert response.status_code == 403 and "for client accounts" in page_text(response.get_data(as_text=True))


def test_join_signed_out_offers_sign_in_and_comes_back(app):
    trainer, _ = _session(app, role="trainer", display_name="Zed Smith")
    code = _code(trainer)
    visitor = WebSession(app.test_client())
    page = visitor.client.get(f"/join/{code}").get_data(as_text=True)
    assert f'href="/login?next=/join/{code}"' in page and "Create an account" in page
    assert "Zed" not in page_text(page)  # who invited is not told before sign-in
    assert f"Your code: {code[:4]} {code[4:]}" in page_text(page)
    user = WebSession(app.test_client())
    data = user.register()
    user.client.post("/logout", data={"csrf_token": user.csrf("/me")})
    back = user.login(data["email"], next=f"/join/{code}")
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/join/{code}")


def test_join_signed_in_confirms_with_the_trainers_name_then_links(app):
    trainer, _ = _session(app, role="trainer", display_name="Coach Kim")
    code = _code(trainer)
    client, _ = _session(app)
    page = client.client.get(f"/join/{code.lower()}")
    assert page.status_code == 200 and "Link with Coach Kim?" in page_text(page.get_data(as_text=True))
    assert client.client.post(f"/join/{code}").status_code == 400  # no CSRF token
    done = client.post(f"/join/{code}", {}, page=f"/join/{code}", follow=True)
    assert "You are linked with Coach Kim" in page_text(done.get_data(as_text=True))
    used = client.client.get(f"/join/{code}")
    assert used.status_code == 400 and NOT_VALID in page_text(used.get_data(as_text=True))


def test_join_as_a_trainer_explains_it_is_for_clients(app):
    trainer, _ = _session(app, role="trainer")
    code = _code(trainer)
    response = trainer.client.get(f"/join/{code}")
    assert response.status_code == 403 and "Invite links and codes are for clients" in page_text(
        response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(Invite.used_at)) is None


def test_the_me_page_links_athletes_to_my_trainers(app):
    client, _ = _session(app)
    assert 'href="/trainers"' in client.client.get("/me").get_data(as_text=True)


def test_join_signed_out_create_an_account_comes_back_to_the_invite(app):
    trainer, _ = _session(app, role="trainer", display_name="Zed Smith")
    code = _code(trainer)
    visitor = WebSession(app.test_client())
    page = visitor.client.get(f"/join/{code}").get_data(as_text=True)
    assert f'href="/register?next=/join/{code}"' in page
    form = visitor.client.get(f"/register?next=/join/{code}").get_data(as_text=True)
    assert f'name="next" type="hidden" value="/join/{code}"' in form
    data = {"csrf_token": visitor.csrf(f"/register?next=/join/{code}"), "next": f"/join/{code}",
            **user_data()}
    signed_up = visitor.client.post("/register", data=data)
    assert signed_up.status_code == 302 and signed_up.headers["Location"].endswith(f"/join/{code}")
    assert "Zed Smith" in page_text(visitor.client.get(f"/join/{code}").get_data(as_text=True))
    # Somewhere else is never a place to go after signing up.
    other = WebSession(app.test_client())
    data = {"csrf_token": other.csrf("/register"), "next": "https://evil.example/", **user_data()}
    away = other.client.post("/register", data=data)
    assert away.status_code == 302 and "evil" not in away.headers["Location"]
