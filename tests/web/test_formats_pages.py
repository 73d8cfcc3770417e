"""A person in Pacific/Auckland reads their own local times and dates on /reminders and /diary (the named
formats take the zone from the signed-in person, not from the server or UTC)."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from coach.extensions import db
from coach.formats import moment, when
from coach.models import Reminder, User
from tests.factories import make_episode, page_text

AUCKLAND = "Pacific/Auckland"


def _signed_in(app, web) -> int:
    data = web.register(timezone=AUCKLAND)
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == data["email"]))


def test_reminders_show_auckland_times(app, web, client):
    uid = _signed_in(app, web)
    now = datetime.now(UTC)
    # A one-off at 07:30 on a day five weeks ahead, Auckland time: 18:30 or 19:30 the day before in UTC.
    local = (now + timedelta(days=35)).astimezone(ZoneInfo(AUCKLAND)).replace(hour=7, minute=30, second=0, microsecond=0)
    form = {"title": "Walk", "kind": "custom", "routine": "", "body": "", "schedule_type": "once",
            "times-0": "", "times-1": "", "times-2": "", "every_minutes": "120", "start": "09:00", "end": "17:00",
            "weekdays": ["1"], "once_at": local.strftime("%Y-%m-%dT%H:%M"), "enabled": "y"}
    assert web.post("/reminders/new", form, page="/reminders/new?preset=custom").status_code == 302
    # A spasm logged 22:15 UTC two days ago: its check-ins say the Auckland day it happened.
    started = (now - timedelta(days=2)).replace(hour=22, minute=15, second=0, microsecond=0)
    make_episode(app, uid, now, started_at=started)
    with app.app_context():
        rid, at = db.session.execute(select(Reminder.id, Reminder.next_fire_at)
                                     .where(Reminder.user_id == uid, Reminder.kind == "custom")).one()
    assert at.astimezone(UTC).hour in (18, 19)  # stored in UTC

    html = client.get("/reminders").get_data(as_text=True)
    text = page_text(html)
    assert f"Once, {moment(at, AUCKLAND)}" in text and ", 07:30" in text  # with its weekday, as Next: says it
    assert f"Next: {when(at, AUCKLAND, datetime.now(UTC))}" in text
    # Never the UTC time on this reminder's card. (Only the card: from April to September Auckland is UTC+12, the
    # one-off is 19:30 UTC, and the stock evening reminder rightly says 19:30, Auckland time.)
    card = page_text(re.search(rf'<li [^>]*id="reminder-{rid}">(.*?)</li>', html, re.S).group(1))
    assert "07:30" in card and f"{at.astimezone(UTC):%H:%M}" not in card
    spasm_day = started.astimezone(ZoneInfo(AUCKLAND))
    assert f"About your spasm of {spasm_day:%a} {spasm_day.day} " in text  # the next day in Auckland (%a is C's)
    assert spasm_day.date() != started.date()


def test_diary_shows_auckland_times(app, web, client):
    uid = _signed_in(app, web)
    now = datetime.now(UTC)
    started = (now - timedelta(days=3)).replace(hour=22, minute=15, second=0, microsecond=0)  # 10:15 or 11:15 next day
    make_episode(app, uid, now, started_at=started)
    local = started.astimezone(ZoneInfo(AUCKLAND))

    text = page_text(client.get("/diary").get_data(as_text=True))
    assert moment(started, AUCKLAND) in text
    assert f" {local.day} " in text and f", {local:%H:%M}" in text  # the next day, 10:15 or 11:15
    assert moment(started, "UTC") not in text and ", 22:15" not in text
