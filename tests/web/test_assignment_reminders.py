"""A reminder that carries out a trainer's assignment follows the assignment: the client pauses, resumes or ends
it there (Assigned to me), never by editing, switching or deleting the reminder, so the two never disagree."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from coach.extensions import db
from coach.models import Reminder
from tests.assignment_helpers import link, register, trainer_routine
from tests.factories import WebSession, page_text

DAILY = {"type": "daily", "times": ["07:30"]}


@pytest.fixture
def assigned(app, api):
    trainer, t_token = register(api, "Coach Lee", role="trainer")
    client, c_token = register(api, "Ann Client")
    link(app, trainer, client)
    slug = trainer_routine(app, trainer)
    made = api.post("/api/v1/trainer/assignments", json={"client_id": client, "routine": slug, "schedule": DAILY},
                    token=t_token)
    assert made.status_code == 201, made.get_json()
    with app.app_context():
        reminder_id = db.session.scalar(select(Reminder.id).where(Reminder.assignment_id == made.get_json()["id"]))
    return {"client": client, "token": c_token, "reminder": reminder_id, "assignment": made.get_json()["id"]}


def test_the_api_refuses_to_change_switch_or_delete_it_and_says_where(api, assigned):
    token, rid = assigned["token"], assigned["reminder"]
    for response in (api.patch(f"/api/v1/reminders/{rid}", json={"enabled": False}, token=token),
                     api.patch(f"/api/v1/reminders/{rid}", json={"schedule": {"type": "daily", "times": ["09:00"]}},
                               token=token),
                     api.delete(f"/api/v1/reminders/{rid}", token=token)):
        assert response.status_code == 409
        assert "Assigned to me" in response.get_json()["error"]["message"]
    reminder = api.get(f"/api/v1/reminders/{rid}", token=token).get_json()
    assert reminder["enabled"] is True and reminder["schedule"]["times"] == ["07:30"]
    assert reminder["assignment_id"] == assigned["assignment"]
    # Pausing the assignment is the way, and the reminder follows it.
    assert api.patch(f"/api/v1/assignments/{assigned['assignment']}", json={"paused": True},
                     token=token).status_code == 200
    assert api.get(f"/api/v1/reminders/{rid}", token=token).get_json()["next_fire_at"] is None


def test_the_reminders_page_sends_it_to_assigned_to_me(app, assigned):
    web = WebSession(app.test_client())
    assert web.login("ann.client@example.com").status_code == 302
    rid = assigned["reminder"]
    page = web.client.get("/reminders").get_data(as_text=True)
    assert f'href="/assigned#assigned-{assigned["assignment"]}"' in page and "From your trainer: pause it under Assigned to me" in page_text(page)
    assert f"/reminders/{rid}/edit" not in page and f"/reminders/{rid}/toggle" not in page
    for path in (f"/reminders/{rid}/edit", f"/reminders/{rid}/delete"):
        response = web.client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            f"/assigned#assigned-{assigned['assignment']}")
    switched = web.post(f"/reminders/{rid}/toggle", {"enabled": "0"}, page="/reminders", follow=True)
    assert "Assigned to me" in page_text(switched.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Reminder, rid).enabled is True
