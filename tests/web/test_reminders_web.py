"""The reminder pages: list, presets, form, switch, delete, inbox and its badge, calendar feed, quiet hours."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from coach.domain.schedule import next_fire_time, parse_schedule
from coach.extensions import db
from coach.formats import when
from coach.models import CalendarFeed, Notification, Reminder, User


def _form(**overrides) -> dict:
    data = {"title": "Floor mobility", "kind": "custom", "routine": "", "body": "", "schedule_type": "daily",
            "times-0": "07:30", "times-1": "", "times-2": "", "every_minutes": "120", "start": "09:00",
            "end": "17:00", "weekdays": ["1", "2", "3", "4", "5"], "once_at": "", "enabled": "y"}
    data.update(overrides)
    return data


def _user(app, email) -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_the_tab_needs_sign_in_and_links_from_the_nav(web, client):
    assert client.get("/reminders").status_code == 302
    web.register()
    html = client.get("/").get_data(as_text=True)
    assert 'href="/reminders"' in html
    page = client.get("/reminders").get_data(as_text=True)
    assert "Notifications on this phone" in page and "Add a reminder" in page and 'data-push-card' in page
    assert "/static/js/push.js?v=" in page and "/static/css/reminders.css?v=" in page


def test_presets_are_one_tap_away_and_fill_the_form(web, client):
    web.register()
    page = client.get("/reminders").get_data(as_text=True)
    for preset in ("routine", "posture", "once", "hydration", "custom"):
        assert f'href="/reminders/new?preset={preset}"' in page
    posture = client.get("/reminders/new?preset=posture").get_data(as_text=True)
    assert 'value="Change position"' in posture
    assert re.search(r'<input checked [^>]*name="schedule_type" type="radio" value="interval">', posture)
    assert re.search(r'<option selected value="120">|value="120" selected', posture)
    assert client.get("/reminders/new").status_code == 200  # the preset picker


def test_a_presets_hint_says_its_schedule_in_the_words_of_the_card_it_makes(web, client):
    web.register()
    picker = client.get("/reminders/new").get_data(as_text=True)
    assert "Every 2\u00a0hours, 09:00–\u206017:00, weekdays (quotes tip 13)" in picker
    assert "Floor mobility, 07:30, weekdays" in picker
    assert "Before and after a session: 17:30 and 19:30, Mon, Wed, Fri (quotes tip 14)" in picker
    web.post("/reminders/new", _form(title="Change position", kind="posture", schedule_type="interval"),
             page="/reminders/new?preset=posture")
    web.post("/reminders/new", _form(title="Drink", kind="hydration", **{"times-0": "17:30", "times-1": "19:30"},
                                     weekdays=["1", "3", "5"]), page="/reminders/new?preset=hydration")
    page = client.get("/reminders").get_data(as_text=True)
    assert '<p class="reminder-when">Every 2\u00a0hours, 09:00–\u206017:00, weekdays</p>' in page
    assert '<p class="reminder-when">17:30 and 19:30, Mon, Wed, Fri</p>' in page


def test_create_a_daily_reminder_and_see_its_next_time_in_my_zone(app, web, client):
    data = web.register(timezone="Australia/Lord_Howe")
    before = datetime.now(UTC)
    response = web.post("/reminders/new", _form(), page="/reminders/new?preset=custom")
    assert response.status_code == 302 and response.headers["Location"].startswith("/reminders#reminder-")
    user = _user(app, data["email"])
    with app.app_context():
        reminder = db.session.scalar(select(Reminder).where(Reminder.user_id == user.id))
        expected = next_fire_time(parse_schedule({"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5]}),
                                  before, "Australia/Lord_Howe")
        assert reminder.next_fire_at == expected and reminder.kind == "custom"
    page = client.get("/reminders").get_data(as_text=True)
    assert "Floor mobility" in page and '<p class="reminder-when">07:30, weekdays</p>' in page
    assert f"Next: <time datetime=\"{expected.isoformat()}\">{when(expected, 'Australia/Lord_Howe', datetime.now(UTC))}</time>" in page


def test_form_errors_are_shown_and_keep_what_was_typed(web, client):
    web.register()
    response = web.post("/reminders/new", _form(**{"times-0": "", "title": "Stretch"}), page="/reminders/new?preset=custom")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Give 1 to 24 different times" in html and 'value="Stretch"' in html
    response = web.post("/reminders/new", _form(schedule_type="once", once_at="2020-01-01T10:00"),
                        page="/reminders/new?preset=once")
    assert response.status_code == 400 and "Must be in the future" in response.get_data(as_text=True)
    response = web.post("/reminders/new", _form(weekdays=[]), page="/reminders/new?preset=custom")
    assert "Pick at least one weekday" in response.get_data(as_text=True)
    # Plain words, not the API's formats and slugs.
    response = web.post("/reminders/new", _form(schedule_type="once", once_at=""), page="/reminders/new?preset=once")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose the date and time." in html and "ISO 8601" not in html
    response = web.post("/reminders/new", _form(kind="routine", routine=""), page="/reminders/new?preset=routine")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose which routine." in html and "slug" not in html


def test_a_one_off_is_read_in_my_zone(app, web):
    data = web.register(timezone="Asia/Kolkata")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone().strftime("%Y-%m-%d")
    response = web.post("/reminders/new", _form(schedule_type="once", once_at=f"{tomorrow}T15:00", title="Walk it off"),
                        page="/reminders/new?preset=once")
    assert response.status_code == 302
    with app.app_context():
        reminder = db.session.scalar(select(Reminder).where(Reminder.user_id == _user(app, data["email"]).id))
        assert reminder.schedule == {"type": "once", "at": f"{tomorrow}T09:30:00Z"}  # 15:00 IST is 09:30 UTC


def test_a_one_off_in_another_year_says_its_time_and_its_next_time_alike(web, client):
    """Its schedule and its Next: name the same moment the same way ('Mon 10 Jan 2028, 00:47' twice)."""
    web.register(timezone="Europe/London")
    at = (datetime.now(UTC) + timedelta(days=400)).replace(hour=0, minute=47, second=0, microsecond=0)
    response = web.post("/reminders/new", _form(schedule_type="once", once_at=f"{at:%Y-%m-%dT%H:%M}", title="Walk"),
                        page="/reminders/new?preset=once")
    assert response.status_code == 302
    page = client.get("/reminders").get_data(as_text=True)
    once = re.search(r'<p class="reminder-when">Once, ([^<]+)</p>', page)[1]
    next_at = re.search(r"Next: <time [^>]+>([^<]+)</time>", page)[1]
    assert once == next_at and str(at.year) in once and once.startswith(f"{at:%a} ")  # %a is C's: English


def test_switch_edit_and_delete(app, web, client):
    data = web.register()
    web.post("/reminders/new", _form(title="Water", kind="hydration"), page="/reminders/new?preset=hydration")
    with app.app_context():
        reminder = db.session.scalar(select(Reminder).where(Reminder.user_id == _user(app, data["email"]).id))
        rid = reminder.id
    page = client.get("/reminders").get_data(as_text=True)
    assert 'role="switch" aria-checked="true"' in page
    web.post(f"/reminders/{rid}/toggle", {"enabled": "0"}, page="/reminders")
    page = client.get("/reminders").get_data(as_text=True)
    assert 'aria-checked="false"' in page and "data-next>Off" in page
    web.post(f"/reminders/{rid}/toggle", {"enabled": "1"}, page="/reminders")
    assert 'aria-checked="true"' in client.get("/reminders").get_data(as_text=True)

    edit = client.get(f"/reminders/{rid}/edit").get_data(as_text=True)
    assert 'value="Water"' in edit
    response = web.post(f"/reminders/{rid}/edit", _form(title="More water", kind="hydration", schedule_type="interval",
                                                         every_minutes="90", start="08:00", end="20:00"),
                        page=f"/reminders/{rid}/edit")
    assert response.status_code == 302
    # On a phone a number keeps its unit (no-break space) and a range its end (a word joiner after the en dash).
    assert "Every 1\u00a0hour 30\u00a0minutes, 08:00–\u206020:00" in client.get("/reminders").get_data(as_text=True)

    assert client.get(f"/reminders/{rid}/delete").status_code == 200
    web.post(f"/reminders/{rid}/delete", {}, page=f"/reminders/{rid}/delete")
    assert f'id="reminder-{rid}"' not in client.get("/reminders").get_data(as_text=True)


def test_someone_elses_reminder_is_not_found(app, web, client):
    web.register()
    with app.app_context():
        other = User(email="other@example.com", password_hash="x", display_name="O", timezone="UTC", country="GB")
        db.session.add(other)
        db.session.commit()
        reminder = Reminder(user_id=other.id, kind="custom", title="Theirs", schedule={"type": "daily", "times": ["09:00"]})
        db.session.add(reminder)
        db.session.commit()
        rid = reminder.id
    assert client.get(f"/reminders/{rid}/edit").status_code == 404
    assert web.post(f"/reminders/{rid}/toggle", {"enabled": "0"}, page="/reminders").status_code == 404
    assert web.post(f"/reminders/{rid}/delete", {}, page="/reminders").status_code == 404


def test_inbox_badge_open_and_mark_all_read(app, web, client):
    data = web.register()
    user = _user(app, data["email"])
    with app.app_context():
        for n, url in enumerate(["/routines/floor-mobility/play", "https://evil.example/", "//evil.example/x"]):
            db.session.add(Notification(user_id=user.id, kind="routine", title=f"Note {n}", url=url, tag=f"t{n}",
                                        fire_at=datetime.now(UTC)))
        db.session.commit()
        ids = list(db.session.scalars(select(Notification.id).order_by(Notification.id)))
    home = client.get("/").get_data(as_text=True)
    assert 'data-inbox-badge' in home and ", 3 unread" in home
    inbox = client.get("/reminders/inbox").get_data(as_text=True)
    assert "3 unread" in inbox and inbox.count("is-unread") == 3
    assert client.get(f"/reminders/inbox/{ids[0]}").headers["Location"] == "/routines/floor-mobility/play"
    # Only paths on this site are followed.
    assert client.get(f"/reminders/inbox/{ids[1]}").headers["Location"] == "/reminders/inbox"
    assert client.get(f"/reminders/inbox/{ids[2]}").headers["Location"] == "/reminders/inbox"
    assert "data-inbox-badge" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.add(Notification(user_id=user.id, kind="custom", title="New", url="/", tag="t9", fire_at=datetime.now(UTC)))
        db.session.commit()
    web.post("/reminders/inbox/read", {}, page="/reminders/inbox")
    assert "Nothing unread." in client.get("/reminders/inbox").get_data(as_text=True)


def test_calendar_link_is_shown_once_stored_hashed_and_revocable(app, web, client):
    data = web.register(timezone="Europe/Berlin")
    web.post("/reminders/new", _form(title="Floor mobility"), page="/reminders/new?preset=custom")
    response = web.post("/reminders/calendar", {}, page="/reminders/calendar")
    assert response.status_code == 200  # shown once, in the answer to the POST (tests/web/test_calendar_feed.py)
    html = response.get_data(as_text=True)
    url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', html).group(1)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token.startswith("rcal_") and 'href="webcal://' in html
    with app.app_context():
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == _user(app, data["email"]).id))
        assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in feed.token_hash
    assert token not in client.get("/reminders/calendar").get_data(as_text=True)

    anonymous = app.test_client()
    ics = anonymous.get(f"/reminders/feed/{token}.ics")
    body = ics.get_data(as_text=True)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and "no-store" in ics.headers["Cache-Control"]
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") >= 8  # two weeks of weekday mornings
    assert "SUMMARY:Floor mobility" in body and re.search(r"DTSTART:\d{8}T0[56]3000Z", body)
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))

    web.post("/reminders/calendar/revoke", {}, page="/reminders/calendar")
    assert anonymous.get(f"/reminders/feed/{token}.ics").status_code == 404
    assert anonymous.get("/reminders/feed/rcal_guess.ics").status_code == 404


def test_quiet_hours_on_the_profile_form(app, web, client):
    data = web.register()
    form = {"display_name": "Sam", "timezone": "Europe/London", "country": "GB", "birth_year": "",
            "quiet_start": "22:30", "quiet_end": "07:00"}
    assert web.post("/me/edit", form).status_code == 302
    assert "22:30–07:00" in client.get("/me").get_data(as_text=True)
    bad = web.post("/me/edit", {**form, "quiet_end": ""})
    assert bad.status_code == 400 and "Set both the start and the end, or neither" in bad.get_data(as_text=True)
    cleared = web.post("/me/edit", {**form, "quiet_start": "", "quiet_end": ""})
    assert cleared.status_code == 302
    with app.app_context():
        assert _user(app, data["email"]).quiet_start is None


def test_next_times_read_today_tomorrow_a_date_and_the_year_when_it_is_another():
    now = datetime(2026, 12, 30, 20, 0, tzinfo=UTC)  # 21:00 in Berlin
    assert when(datetime(2026, 12, 30, 21, 0, tzinfo=UTC), "Europe/Berlin", now) == "Today 22:00"
    assert when(datetime(2026, 12, 31, 6, 30, tzinfo=UTC), "Europe/Berlin", now) == "Tomorrow 07:30"
    assert when(datetime(2027, 1, 4, 8, 0, tzinfo=UTC), "Europe/Berlin", now) == "Mon 4 Jan 2027, 09:00"
    assert when(datetime(2026, 12, 2, 8, 0, tzinfo=UTC), "Europe/Berlin", now - timedelta(days=30)) == "Wed 2 Dec, 09:00"
    assert when(None, "Europe/Berlin", now) == ""


def test_each_spasm_shows_only_its_next_check_in_and_says_which_spasm(app, web, client):
    from coach.episodes.service import log_episode

    data = web.register(timezone="Europe/Berlin")
    now = datetime.now(UTC)
    with app.app_context():
        user = _user(app, data["email"])
        user = db.session.merge(user)
        for hours in (2, 30):  # one spasm with all four check-ins ahead, one whose 24 h check-in is past
            log_episode(user, {"started_at": now - timedelta(hours=hours), "severity": 5}, now)
    page = client.get("/reminders").get_data(as_text=True)
    cards = page[page.index('id="checkins-title"'):page.index('id="add-title"')]
    assert cards.count('class="card reminder"') == 2  # not 4 + 3
    for hours in (2, 30):
        started = (now - timedelta(hours=hours)).astimezone(ZoneInfo("Europe/Berlin"))
        assert f"About your spasm of {started:%a} {started.day} {started:%b}." in cards
    assert "1 day since your spasm" in cards and "3 days since your spasm" in cards


# --- One word per state and action; a one-off routine opens its routine; a fired one-off is Done ---


def _fire_due(app, at: datetime) -> None:
    """The dispatcher's tick at `at`: due reminders land in the inbox (no devices, so nothing is pushed)."""
    from tests.reminder_helpers import Clock, FakeSender, dispatcher

    with app.app_context():
        dispatcher(FakeSender(), Clock(at)).tick()
        db.session.remove()


def test_the_empty_state_does_not_say_no_reminders_when_check_ins_are_listed(app, web, client):
    from coach.episodes.service import log_episode

    data = web.register()
    assert "No reminders yet." in client.get("/reminders").get_data(as_text=True)
    now = datetime.now(UTC)
    with app.app_context():
        log_episode(db.session.merge(_user(app, data["email"])), {"started_at": now - timedelta(hours=1), "severity": 5}, now)
    page = client.get("/reminders").get_data(as_text=True)
    assert 'id="checkins-title"' in page
    assert "No reminders yet." not in page
    assert "None of your own yet (your check-ins after a spasm are below)." in page


def test_the_one_off_preset_is_a_routine_reminder_whose_notification_opens_the_routine(app, web, client):
    from coach.seed import seed

    with app.app_context():
        seed()
    data = web.register(timezone="UTC")
    preset = client.get("/reminders/new?preset=once").get_data(as_text=True)
    assert re.search(r'<option selected value="routine">|value="routine" selected', preset)
    assert re.search(r'<option selected value="walk-it-off">|value="walk-it-off" selected', preset)
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    response = web.post("/reminders/new", _form(title="Walk it off", kind="routine", routine="walk-it-off",
                                                schedule_type="once", once_at=f"{at:%Y-%m-%dT%H:%M}"),
                        page="/reminders/new?preset=once")
    assert response.status_code == 302
    _fire_due(app, at + timedelta(seconds=30))
    with app.app_context():
        note = db.session.scalars(select(Notification).where(Notification.user_id == _user(app, data["email"]).id)).one()
        note_id = note.id
    assert client.get(f"/reminders/inbox/{note_id}").headers["Location"] == "/routines/walk-it-off/play"


def test_a_one_off_that_has_fired_reads_done_with_no_switch(app, web, client):
    data = web.register(timezone="UTC")
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    web.post("/reminders/new", _form(title="Call the physio", schedule_type="once", once_at=f"{at:%Y-%m-%dT%H:%M}"),
             page="/reminders/new?preset=custom")
    _fire_due(app, at + timedelta(seconds=30))
    with app.app_context():
        rid = db.session.scalar(select(Reminder.id).where(Reminder.user_id == _user(app, data["email"]).id))
    page = client.get("/reminders").get_data(as_text=True)
    card = page[page.index(f'id="reminder-{rid}"'):]
    card = card[:card.index("</li>")]
    assert re.search(r"data-next>Done: sent <time", card)
    assert "Paused" not in card and ">Off<" not in card and 'role="switch"' not in card
    assert f'href="/reminders/{rid}/edit">New time' in card


def test_the_switch_status_and_message_use_the_same_words(app, web, client):
    data = web.register()
    web.post("/reminders/new", _form(title="Stretch"), page="/reminders/new?preset=custom")
    with app.app_context():
        rid = db.session.scalar(select(Reminder.id).where(Reminder.user_id == _user(app, data["email"]).id))
    web.post(f"/reminders/{rid}/toggle", {"enabled": "0"}, page="/reminders")
    page = client.get("/reminders").get_data(as_text=True)
    card = page[page.index(f'id="reminder-{rid}"'):]
    card = card[:card.index("</li>")]
    assert "data-next>Off" in card and '<span class="switch-label">Off</span>' in card and "Paused" not in page
    assert "Stretch: off." in page  # the flash after the switch
    web.post(f"/reminders/{rid}/toggle", {"enabled": "1"}, page="/reminders")
    assert "Stretch: on." in client.get("/reminders").get_data(as_text=True)


def test_a_check_in_is_skipped_on_every_page_that_offers_it(app, web, client):
    from coach.episodes.service import log_episode

    data = web.register()
    now = datetime.now(UTC)
    with app.app_context():
        log_episode(db.session.merge(_user(app, data["email"])), {"started_at": now - timedelta(hours=1), "severity": 5}, now)
        rid = db.session.scalar(select(Reminder.id).where(Reminder.kind == "follow_up").order_by(Reminder.next_fire_at))
    page = client.get("/reminders").get_data(as_text=True)
    assert f'href="/reminders/{rid}/delete">Skip<span class="visually-hidden"> this check-in</span>' in page
    confirm = client.get(f"/reminders/{rid}/delete").get_data(as_text=True)
    assert "Skip this check-in?" in confirm and "Yes, skip it" in confirm and "delete" not in _visible(confirm)
    web.post(f"/reminders/{rid}/delete", {}, page=f"/reminders/{rid}/delete")
    assert "Skipped that check-in." in client.get("/reminders").get_data(as_text=True)


def _visible(html: str) -> str:
    """The words of <main>, lower-cased, without tags or attributes."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"<[^>]+>", " ", main).lower()
