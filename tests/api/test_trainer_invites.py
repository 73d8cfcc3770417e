"""A trainer's invite codes through the API: make, list with states, revoke; roles and ownership."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.domain import limits
from coach.domain.invites import CODE_ALPHABET
from coach.errors import Conflict
from coach.extensions import db
from coach.models import Invite, User
from coach.trainer.invites import create_invite, list_invites, qr_svg

PATH = "/api/v1/trainer/invites"


def _iso(moment: datetime) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def test_a_trainer_makes_lists_and_revokes_an_invite(api):
    _, token = api.register(role="trainer")
    before = datetime.now(UTC)
    made = api.post(PATH, json={"note": "  Tuesday   group "}, token=token)
    assert made.status_code == 201
    invite = made.get_json()
    assert len(invite["code"]) == 8 and set(invite["code"]) <= set(CODE_ALPHABET)
    assert invite["url"] == f"http://localhost/join/{invite['code']}"
    assert invite["note"] == "Tuesday group" and invite["state"] == "open" and invite["expires_at"].endswith("Z")
    expires = _iso(invite["expires_at"])
    assert before + timedelta(days=7) <= expires <= datetime.now(UTC) + timedelta(days=7)

    second = api.post(PATH, token=token).get_json()
    assert second["note"] is None and second["code"] != invite["code"]
    listed = api.get(PATH, token=token).get_json()["items"]
    assert [i["id"] for i in listed] == [second["id"], invite["id"]]

    assert api.delete(f"{PATH}/{invite['id']}", token=token).status_code == 204
    assert api.delete(f"{PATH}/{invite['id']}", token=token).status_code == 204  # again: no change
    listed = api.get(PATH, token=token).get_json()["items"]
    assert [(i["id"], i["state"]) for i in listed] == [(second["id"], "open"), (invite["id"], "revoked")]


def test_a_revoked_code_cannot_be_accepted(api):
    _, trainer = api.register(role="trainer")
    _, athlete = api.register()
    invite = api.post(PATH, token=trainer).get_json()
    api.delete(f"{PATH}/{invite['id']}", token=trainer)
    refused = api.post("/api/v1/links", json={"code": invite["code"]}, token=athlete)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["message"] == "This code is not valid: ask your trainer for a new one."


def test_a_used_code_is_listed_as_used_and_cannot_be_revoked(api):
    _, trainer = api.register(role="trainer")
    _, athlete = api.register()
    invite = api.post(PATH, token=trainer).get_json()
    assert api.post("/api/v1/links", json={"code": invite["code"]}, token=athlete).status_code == 201
    listed = api.get(PATH, token=trainer).get_json()["items"]
    assert listed[0]["state"] == "used" and listed[0]["used_at"]
    refused = api.delete(f"{PATH}/{invite['id']}", token=trainer)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "conflict"


def test_athletes_get_403_and_signed_out_401(api):
    _, athlete = api.register()
    for method, path in (("POST", PATH), ("GET", PATH), ("DELETE", f"{PATH}/1")):
        assert api.call(method, path, token=athlete).status_code == 403, (method, path)
        assert api.call(method, path).status_code == 401, (method, path)


def test_another_trainers_invite_is_404(api):
    _, mine = api.register(role="trainer")
    _, other = api.register(role="trainer")
    invite = api.post(PATH, token=mine).get_json()
    assert api.delete(f"{PATH}/{invite['id']}", token=other).status_code == 404
    assert api.delete(f"{PATH}/{invite['id'] + 1000}", token=other).status_code == 404
    assert api.get(PATH, token=other).get_json()["items"] == []
    assert api.get(PATH, token=mine).get_json()["items"][0]["state"] == "open"


def test_a_note_over_the_limit_is_refused(api):
    _, token = api.register(role="trainer")
    refused = api.post(PATH, json={"note": "x" * (limits.INVITE_NOTE + 1)}, token=token)
    assert refused.status_code == 400 and "note" in refused.get_json()["error"]["fields"]
    assert api.post(PATH, json={"code": "ACEFHJKM"}, token=token).status_code == 400  # unknown field


def _trainer(app, api):
    user, _ = api.register(role="trainer")
    return db.session.get(User, user["id"])


def test_expiry_is_seven_days_from_a_fixed_time(app, api):
    with app.test_request_context():
        trainer = _trainer(app, api)
        made = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
        invite = create_invite(trainer, None, made)
        assert invite.expires_at == datetime(2026, 1, 17, 9, 0, tzinfo=UTC)
        assert invite.usable(made + timedelta(days=7) - timedelta(seconds=1))
        assert not invite.usable(made + timedelta(days=7))
        assert list_invites(trainer, made + timedelta(days=7))[0] is invite


def test_a_code_clash_draws_again(app, api):
    with app.test_request_context():
        trainer = _trainer(app, api)
        now = datetime.now(UTC)
        first = create_invite(trainer, None, now, choice=lambda alphabet: alphabet[0])
        draws = iter([CODE_ALPHABET[0]] * 8 + ["C"] * 8)  # the same code again, then another
        second = create_invite(trainer, None, now, choice=lambda alphabet: next(draws))
        assert first.code == CODE_ALPHABET[0] * 8 and second.code == "C" * 8
        assert db.session.query(Invite).count() == 2


def test_at_most_the_open_limit(app, api, monkeypatch):
    monkeypatch.setattr(limits, "INVITES_OPEN", 2)
    with app.test_request_context():
        trainer = _trainer(app, api)
        now = datetime.now(UTC)
        old = create_invite(trainer, None, now - timedelta(days=8))  # expired: not open
        create_invite(trainer, None, now)
        create_invite(trainer, None, now)
        with pytest.raises(Conflict, match="2 open invites"):
            create_invite(trainer, None, now)
        assert old.expires_at < now


def test_the_qr_code_is_an_accessible_inline_svg():
    svg = str(qr_svg("https://coach.example/join/ACEFHJKM", "QR code for invite ACEF HJKM"))
    assert svg.startswith('<svg role="img" aria-label="QR code for invite ACEF HJKM" ')
    assert 'viewBox="0 0 ' in svg and "width=" not in svg.split(">")[0] and 'fill="#fff"' in svg
