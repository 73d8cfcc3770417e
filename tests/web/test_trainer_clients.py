"""The trainer's client list and client page: who needs attention first and why, in words; flags only from
clients who share; the private note stays the trainer's; the report of a client only while they share."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from coach.account.service import export_user
from coach.extensions import db
from coach.models import TrainerLink, User
from coach.trainer.clients import client_list
from tests import client_seed as seed
from tests.factories import PASSWORD, WebSession, page_text

FIXED = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)  # 13:00 in London (BST)
EMERGENCY = ["bladder_bowel_change"]


def _ordered_world(now: datetime):
    """Ann shares an emergency; Bob hides one; Eve stopped a week ago; Fay stopped too but shares a spasm 3 days
    ago; Gus has not played for 16 days; Cy plays every morning."""
    trainer = seed.person("Coach Kim", role="trainer", password=PASSWORD)
    routine = seed.routine_of(trainer)
    people = {name: seed.person(name) for name in ("Ann", "Bob", "Cy", "Eve", "Fay", "Gus")}
    for name, client in people.items():
        seed.link(trainer, client, now - timedelta(days=60), share=name in ("Ann", "Fay"))
    seed.spasm(people["Ann"], now - timedelta(hours=2), symptoms=EMERGENCY)
    seed.spasm(people["Bob"], now - timedelta(hours=2), symptoms=EMERGENCY)
    db.session.add(seed.played(people["Bob"], now - timedelta(days=1)))
    morning = now.replace(hour=7, minute=0)  # 08:00 in London: inside 07:30's reach
    for name in ("Cy", "Eve", "Fay"):
        assignment = seed.assign(trainer, people[name], routine, now - timedelta(days=45))
        recent = 0 if name == "Cy" else 7  # Eve and Fay stopped a week ago
        seed.every_morning(people[name], assignment, morning - timedelta(days=37), 38 - recent)
    seed.spasm(people["Fay"], now - timedelta(days=3), resolved_at=None)
    db.session.add(seed.played(people["Gus"], now - timedelta(days=16)))
    db.session.commit()
    return trainer, people


def test_needs_attention_first_with_the_reason_in_words(seeded):
    with seeded.app_context():
        trainer, _ = _ordered_world(FIXED)
        rows = client_list(trainer, FIXED)
        assert [(r.display_name, r.attention.rank, r.attention.reason) for r in rows] == [
            ("Ann", 0, "Emergency flag in their diary: check in with them"),
            ("Eve", 1, "Adherence down 100 points this week"),
            ("Fay", 1, "Adherence down 100 points this week (recovering from a spasm for 4 days)"),
            ("Gus", 2, "No session for 16 days"),
            ("Bob", 3, None),
            ("Cy", 3, None),
        ]
        by_name = {r.display_name: r for r in rows}
        assert by_name["Bob"].flag_level is None  # his emergency is not shared with the trainer
        assert by_name["Cy"].adherence_7d == 100 and by_name["Cy"].adherence_30d == 100
        assert by_name["Fay"].week.due == 3  # 7 days less the 4 recovering
        assert by_name["Gus"].adherence_7d is None  # nothing assigned: no schedule, not 0 %


def _signed_in(app, now=None):
    with app.app_context():
        trainer, people = _ordered_world(now or datetime.now(UTC))
        ids = {name: user.id for name, user in people.items()}
        email = trainer.email
    web = WebSession(app.test_client())
    assert web.login(email).status_code == 302
    return web, ids


def test_the_list_page_shows_reasons_and_flags_only_when_shared(seeded):
    web, _ = _signed_in(seeded)
    html = web.client.get("/trainer").get_data(as_text=True)
    text = page_text(html)
    assert "Needs attention" in text and "Emergency flag in their diary: check in with them" in text
    assert text.index("Ann") < text.index("Gus") < text.index("Bob")
    assert html.count("badge-emergency") == 1  # Ann's; Bob's diary is his own
    assert "Invite a client" in text or "Invites waiting" in text


def test_the_client_page_with_and_without_sharing(seeded):
    web, ids = _signed_in(seeded)
    bob = page_text(web.client.get(f"/trainer/clients/{ids['Bob']}").get_data(as_text=True))
    assert "Bob does not share their diary with you." in bob
    assert "Emergency" not in bob and "Pain 6/10" not in bob
    ann = page_text(web.client.get(f"/trainer/clients/{ids['Ann']}").get_data(as_text=True))
    assert "Emergency" in ann and "Pain 6/10" in ann and "Report for a doctor" in ann
    cy = page_text(web.client.get(f"/trainer/clients/{ids['Cy']}").get_data(as_text=True))
    assert "Last 7 days" in cy and "100%" in cy and "Warm-up" in cy


@pytest.mark.parametrize("suffix", ["report", "report.pdf", "report.csv"])
def test_report_routes_only_while_the_client_shares(seeded, suffix):
    web, ids = _signed_in(seeded)
    assert web.client.get(f"/trainer/clients/{ids['Bob']}/{suffix}").status_code == 404
    assert web.client.get(f"/trainer/clients/{ids['Ann']}/{suffix}").status_code == 200
    assert web.client.get(f"/trainer/clients/{ids['Ann'] + 1000}/{suffix}").status_code == 404


def test_the_report_page_links_back_to_the_trainers_pages(seeded):
    web, ids = _signed_in(seeded)
    html = web.client.get(f"/trainer/clients/{ids['Ann']}/report").get_data(as_text=True)
    assert f"/trainer/clients/{ids['Ann']}/report.pdf" in html and "/episodes/report" not in html


def test_athletes_get_403_and_strangers_to_the_login(seeded):
    with seeded.app_context():
        seed.person("Ath Lete", password=PASSWORD)
        db.session.commit()
    anonymous = seeded.test_client().get("/trainer")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    web = WebSession(seeded.test_client())
    web.login("ath.lete@example.com")
    assert web.client.get("/trainer").status_code == 403
    assert web.client.get("/trainer/clients/1").status_code == 403


def test_the_note_is_private(seeded):
    web, ids = _signed_in(seeded)
    page = f"/trainer/clients/{ids['Bob']}"
    response = web.post(f"{page}/note", {"text": "Sore knee since May"}, page=page)
    assert response.status_code == 302
    assert "Sore knee since May" in web.client.get(page).get_data(as_text=True)
    too_long = web.post(f"{page}/note", {"text": "y" * 2001}, page=page)
    assert too_long.status_code == 400 and "shorten it by 1" in page_text(too_long.get_data(as_text=True))
    assert "y" * 2001 in too_long.get_data(as_text=True)  # what was typed is kept
    with seeded.app_context():
        bob = db.session.get(User, ids["Bob"])
        other = seed.person("Coach Lee", role="trainer", password=PASSWORD)
        seed.link(other, bob, datetime.now(UTC))
        db.session.commit()
        exported = json.dumps(export_user(bob, datetime.now(UTC)).model_dump(mode="json"))
        assert "Sore knee" not in exported
    lee = WebSession(seeded.test_client())
    lee.login("coach.lee@example.com")
    assert "Sore knee" not in lee.client.get(page).get_data(as_text=True)


def test_ending_the_link_from_the_client_page(seeded):
    web, ids = _signed_in(seeded)
    page = f"/trainer/clients/{ids['Cy']}"
    assert "Stop coaching Cy" in web.client.get(page).get_data(as_text=True)
    response = web.post(f"{page}/end", {}, page=page)
    assert response.status_code == 302
    assert web.client.get(page).status_code == 404
    with seeded.app_context():
        link = db.session.query(TrainerLink).filter_by(client_id=ids["Cy"]).one()
        assert link.ended_by == "trainer"
