"""Why a session stopped can be a symptom (a stop rule such as chest pain): a trainer sees it only while the
client shares their diary, in the client detail and by the session's id alike."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.extensions import db
from coach.models import TrainerLink


@pytest.fixture
def stopped(app, api, seeded):
    trainer, t = api.register(display_name="Coach Lee", role="trainer", email="lee@example.com")
    client, c = api.register(display_name="Ann", email="ann@example.com")
    with app.app_context():
        db.session.add(TrainerLink(trainer_id=trainer["id"], client_id=client["id"], share_episodes=False))
        db.session.commit()
    started = datetime.now(UTC) - timedelta(minutes=10)
    session = api.post("/api/v1/sessions", json={
        "routine": "gym-floor-settle", "started_at": started.isoformat(), "ended_at": datetime.now(UTC).isoformat(),
        "completed": False, "completed_steps": [1], "stop_reason": "chest_pain", "pain_before": 8, "pain_after": 9,
    }, token=c)
    assert session.status_code == 201, session.get_json()
    return {"t": t, "c": c, "client": client["id"], "session": session.get_json()["id"], "trainer": trainer["id"]}


def _seen(api, s):
    detail = api.get(f"/api/v1/trainer/clients/{s['client']}", token=s["t"]).get_json()
    by_id = api.get(f"/api/v1/sessions/{s['session']}", token=s["t"]).get_json()
    return [row["stop_reason"] for row in detail["sessions"]], by_id["stop_reason"]


def test_a_stop_rule_reaches_the_trainer_only_while_shared(app, api, stopped):
    s = stopped
    assert _seen(api, s) == ([None], None)
    assert "chest_pain" not in str(api.get(f"/api/v1/trainer/clients/{s['client']}", token=s["t"]).get_json())
    assert api.patch(f"/api/v1/links/{s['trainer']}", json={"share_episodes": True}, token=s["c"]).status_code == 200
    assert _seen(api, s) == (["chest_pain"], "chest_pain")
    # The client always sees her own.
    assert api.get(f"/api/v1/sessions/{s['session']}", token=s["c"]).get_json()["stop_reason"] == "chest_pain"
