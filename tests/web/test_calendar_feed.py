"""The calendar feed as a calendar app reads it (parsed back by icalendar), and its secret kept out of cookies."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from coach.reminders.calendar import MAX_EVENTS, render_ical, upcoming
from tests.reminder_helpers import add_reminder, make_user

# Europe/London moves its clocks forward at 01:00 UTC on Sunday 29 March 2026.
BEFORE_DST = datetime(2026, 3, 22, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def _feed(user, now) -> Calendar:
    body = render_ical(upcoming(user, now), now, "https://coach.example/", "coach.example")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))  # folded as RFC 5545 asks
    return Calendar.from_ical(body)


def test_a_calendar_app_sees_the_wall_clock_time_on_both_sides_of_a_clock_change(app):
    with app.app_context():
        user = make_user("Europe/London")
        body = "Knees, hips; then rest: a back\\slash, é ü 漢字 and" + " long" * 25  # escaped, then folded
        add_reminder(user, {"type": "daily", "times": ["07:30"]}, BEFORE_DST, title="Floor mobility", body=body)
        feed = _feed(user, BEFORE_DST)
        events = feed.events
        assert len(events) == 14  # two weeks, one a day
        starts = [event.start for event in events]
        assert [start.astimezone(LONDON).strftime("%a %d %b %H:%M") for start in starts[5:9]] == [
            "Sat 28 Mar 07:30", "Sun 29 Mar 07:30", "Mon 30 Mar 07:30", "Tue 31 Mar 07:30"]
        assert {start.utcoffset() for start in starts} == {timedelta(0)}  # written in UTC
        assert (starts[6] - starts[5]) == timedelta(hours=23)  # the short night
        event = events[0]
        assert str(event["SUMMARY"]) == "Floor mobility"
        assert str(event["DESCRIPTION"]) == body
        assert event.end - event.start == timedelta(minutes=10)
        assert str(event["URL"]) == "https://coach.example/tips?category=posture"
        assert event.DTSTAMP == BEFORE_DST
        assert len({str(e["UID"]) for e in events}) == 14
        assert str(feed["X-WR-CALNAME"]) == "Relief Coach reminders" and "UID" not in feed
        assert str(feed["REFRESH-INTERVAL"].params["VALUE"]) == "DURATION"


def test_event_ids_stay_the_same_when_the_feed_is_read_again_later(app):
    with app.app_context():
        user = make_user("Europe/Berlin")
        add_reminder(user, {"type": "daily", "times": ["09:00"]}, BEFORE_DST)
        first = {str(e["UID"]): e.start for e in _feed(user, BEFORE_DST).events}
        later = {str(e["UID"]): e.start for e in _feed(user, BEFORE_DST + timedelta(days=3)).events}
        shared = first.keys() & later.keys()
        assert len(shared) == 11 and all(first[uid] == later[uid] for uid in shared)
        assert all(re.fullmatch(r"r\d+-\d{12}@coach\.example", uid) for uid in first)


def test_quiet_hours_move_an_event_to_their_end(app):
    with app.app_context():
        user = make_user("Europe/London", quiet=("22:00", "07:00"))
        add_reminder(user, {"type": "daily", "times": ["06:00"]}, BEFORE_DST)
        starts = {e.start.astimezone(LONDON).strftime("%H:%M") for e in _feed(user, BEFORE_DST).events}
        assert starts == {"07:00"}


def test_the_feed_stops_at_its_cap(app):
    with app.app_context():
        user = make_user("Europe/Berlin")
        add_reminder(user, {"type": "interval", "every_minutes": 15, "start": "00:00", "end": "23:45"}, BEFORE_DST)
        events = _feed(user, BEFORE_DST).events
        assert len(events) == MAX_EVENTS
        assert [e.start for e in events] == sorted(e.start for e in events)


def _cookie_texts(app, response) -> list[str]:
    """Every cookie the response sets, raw and (for the session) decoded: what anyone holding it could read."""
    serializer = app.session_interface.get_signing_serializer(app)
    texts = []
    for header in response.headers.getlist("Set-Cookie"):
        value = header.split(";", 1)[0].split("=", 1)[1]
        texts.append(header)
        if header.startswith(app.config["SESSION_COOKIE_NAME"] + "="):
            texts.append(repr(serializer.loads(value)))
    return texts


def test_a_new_link_is_shown_in_the_answer_and_never_put_in_a_cookie(app, web, client):
    web.register(timezone="Europe/Berlin")
    response = web.post("/reminders/calendar", {}, page="/reminders/calendar")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', html).group(1)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token.startswith("rcal_") and html.count(token) == 2  # the address and its webcal:// twin
    assert "Copy it now" in html
    assert all(token not in text for text in _cookie_texts(app, response))
    kept = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value  # what the browser now holds
    assert token not in kept and token not in repr(app.session_interface.get_signing_serializer(app).loads(kept))
    again = client.get("/reminders/calendar")
    assert token not in again.get_data(as_text=True) and "Your calendar link is on" in again.get_data(as_text=True)
    assert all(token not in text for text in _cookie_texts(app, again))
    assert app.test_client().get(f"/reminders/feed/{token}.ics").status_code == 200
