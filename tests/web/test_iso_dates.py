"""The API and the pages read a date the same way (coach/domain/isodates.py): a day the API refuses with a 400 is a
day the diary and the report ignore, and a day the API takes narrows the diary too."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coach.extensions import db
from coach.models import User

from ..factories import make_episode, page_text

RANGE = "must be a date from 1900-01-01 to 2999-12-31"

# (diary parameter, API parameter, day, taken): every episode is in 2026, so a bound that is taken hides it.
BOUNDS = [
    ("end", "to", "1899-12-31", False),
    ("end", "to", "1900-01-01", True),
    ("start", "from", "2999-12-31", True),
    ("start", "from", "3000-01-01", False),
]


@pytest.mark.parametrize(("page_name", "api_name", "day", "taken"), BOUNDS)
def test_a_day_outside_the_range_is_a_400_in_the_api_and_ignored_by_the_diary(
        app, api, web, client, page_name, api_name, day, taken):
    _, token = api.register()
    started = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    assert api.post("/api/v1/episodes", json={"started_at": started, "severity": 4}, token=token).status_code == 201
    answer = api.get("/api/v1/episodes", token=token, query_string={api_name: day})
    if taken:
        assert answer.status_code == 200 and answer.get_json()["items"] == []
    else:
        assert answer.status_code == 400 and RANGE in answer.get_json()["error"]["fields"][api_name]

    email = web.register(timezone="Europe/London")["email"]
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == email))
    make_episode(app, uid)
    html = client.get(f"/diary?{page_name}={day}").get_data(as_text=True)
    assert html.count('class="episode-row"') == (0 if taken else 1)
    assert ("Choose a date from 1900 on." in page_text(html)) is not taken


def test_a_date_that_is_not_a_date_is_ignored_by_the_report_and_refused_by_the_api(api, web, client):
    _, token = api.register()
    answer = api.get("/api/v1/episodes", token=token, query_string={"from": "2026-02-30"})
    assert answer.status_code == 400
    assert "must be a date such as 2026-11-25" in answer.get_json()["error"]["fields"]["from"]
    web.register()
    report = page_text(client.get("/report?days=30&end=2026-02-30").get_data(as_text=True))
    assert "Not a valid date value." in report and "(30 days)" in report
