"""Assignments through the service and the pages: 07:30 on each client's own clock (across a DST change),
pauses by either side with their rows and the reminder off, ending, the trainer's pages and the client's
"Assigned to me" and player (the version assigned, the level gate, gone when the link ends)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from coach.errors import Conflict, Forbidden, NotFound
from coach.extensions import db
from coach.models import Assignment, AssignmentPause, Reminder, User
from coach.reminders.service import compute_next
from coach.trainer import assignments
from tests.assignment_helpers import end_link, link, register, trainer_routine
from tests.factories import page_text
from tests.web.test_emergency_gating import log_spasm

DAILY = {"type": "daily", "times": ["07:30"]}
# Friday 27 March 2026, noon in London: London moves to summer time on Sunday the 29th at 01:00 UTC, and
# Auckland goes back to standard time on Sunday 5 April.
BEFORE_DST = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def people(api, seeded):
    trainer, _ = register(api, "Coach Kim", "trainer", "America/Los_Angeles")
    ann, _ = register(api, "Ann", timezone="Europe/London")
    ben, _ = register(api, "Ben", timezone="Pacific/Auckland")
    cy, _ = register(api, "Cy", timezone="America/New_York")
    for client in (ann, ben):
        link(seeded, trainer, client)
    return {"app": seeded, "trainer": trainer, "ann": ann, "ben": ben, "cy": cy,
            "slug": trainer_routine(seeded, trainer)}


def _user(uid: int) -> User:
    return db.session.get(User, uid)


def test_daily_0730_arrives_at_0730_in_each_clients_zone_across_dst(people):
    p = people
    with p["app"].app_context():
        made = assignments.create_assignments(_user(p["trainer"]), [p["ann"], p["ben"]], p["slug"], DAILY,
                                              None, BEFORE_DST)
        for assignment, zone in zip(made, ("Europe/London", "Pacific/Auckland"), strict=True):
            reminder = db.session.scalar(select(Reminder).where(Reminder.assignment_id == assignment.id))
            client = _user(assignment.client_id)
            assert reminder.user_id == client.id and reminder.kind == "routine" and reminder.enabled
            fire, seen = reminder.next_fire_at, []
            for _ in range(10):  # ten mornings, over London's and then Auckland's clock change
                local = fire.astimezone(ZoneInfo(zone))
                assert local.strftime("%H:%M") == "07:30", (zone, local)
                seen.append(fire.astimezone(UTC).strftime("%H:%M"))
                fire = compute_next(reminder.schedule, client, fire)
            # The instant moved with the clocks: the same wall time, two UTC times.
            assert len(set(seen)) == 2, (zone, seen)
        ann = db.session.scalar(select(Reminder).where(Reminder.assignment_id == made[0].id))
        assert ann.next_fire_at == datetime(2026, 3, 28, 7, 30, tzinfo=UTC)  # Saturday 07:30 GMT
        sunday = compute_next(ann.schedule, _user(p["ann"]), ann.next_fire_at)
        assert sunday == datetime(2026, 3, 29, 6, 30, tzinfo=UTC)  # Sunday 07:30 BST, the first summer morning


def test_quiet_hours_of_the_client_hold_the_reminder(people):
    p = people
    with p["app"].app_context():
        ann = _user(p["ann"])
        ann.quiet_start, ann.quiet_end = datetime(2000, 1, 1, 22).time(), datetime(2000, 1, 1, 8).time()
        db.session.commit()
        made = assignments.create_assignments(_user(p["trainer"]), [p["ann"]], p["slug"], DAILY, None, BEFORE_DST)
        row = assignments.row_of(made[0])
        assert row.next_fire_at.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") == "08:00"


def test_unlinked_client_or_athlete_actor(people):
    p = people
    with p["app"].app_context():
        with pytest.raises(NotFound):
            assignments.create_assignments(_user(p["trainer"]), [p["ann"], p["cy"]], p["slug"], DAILY, None, BEFORE_DST)
        assert db.session.scalar(select(Assignment.id)) is None and db.session.scalar(select(Reminder.id)) is None
        with pytest.raises(Forbidden):
            assignments.create_assignments(_user(p["ann"]), [p["ben"]], p["slug"], DAILY, None, BEFORE_DST)
        with pytest.raises(Forbidden):
            assignments.list_for_trainer(_user(p["ann"]))


def test_pause_and_resume_by_each_side_make_pause_rows_and_switch_the_reminder(people):
    p = people
    with p["app"].app_context():
        trainer, ann = _user(p["trainer"]), _user(p["ann"])
        (made,) = assignments.create_assignments(trainer, [ann.id], p["slug"], DAILY, None, BEFORE_DST)
        later = BEFORE_DST + timedelta(days=2)
        assignments.set_paused(ann, made.id, True, "client", later)
        reminder = db.session.scalar(select(Reminder).where(Reminder.assignment_id == made.id))
        assert made.paused and not reminder.enabled and reminder.next_fire_at is None
        with pytest.raises(Conflict):  # the client's pause is the client's to resume
            assignments.set_paused(trainer, made.id, False, "trainer", later)
        assignments.set_paused(ann, made.id, False, "client", later + timedelta(days=3))
        assert reminder.enabled and reminder.next_fire_at > later + timedelta(days=3)
        assignments.set_paused(trainer, made.id, True, "trainer", later + timedelta(days=4))
        with pytest.raises(Conflict):
            assignments.set_paused(ann, made.id, False, "client", later + timedelta(days=5))
        assignments.set_paused(trainer, made.id, False, "trainer", later + timedelta(days=6))
        pauses = db.session.scalars(select(AssignmentPause).where(AssignmentPause.assignment_id == made.id)
                                    .order_by(AssignmentPause.started_at)).all()
        assert [(x.by, x.ended_at - x.started_at) for x in pauses] == [
            ("client", timedelta(days=3)), ("trainer", timedelta(days=2))]
        # Another client, or another trainer, reaches nothing.
        with pytest.raises(NotFound):
            assignments.set_paused(_user(p["ben"]), made.id, True, "client", later)
        other = User(email="o@example.com", password_hash="x", display_name="O", role="trainer", timezone="UTC",
                     country="GB")
        db.session.add(other)
        db.session.commit()
        with pytest.raises(NotFound):
            assignments.set_paused(other, made.id, True, "trainer", later)


def test_end_closes_the_pause_and_deletes_the_reminder(people):
    p = people
    with p["app"].app_context():
        trainer = _user(p["trainer"])
        (made,) = assignments.create_assignments(trainer, [p["ann"]], p["slug"], DAILY, None, BEFORE_DST)
        assignments.set_paused(trainer, made.id, True, "trainer", BEFORE_DST + timedelta(hours=1))
        assignments.end(trainer, made.id, BEFORE_DST + timedelta(hours=2))
        assert made.ended_at == BEFORE_DST + timedelta(hours=2)
        assert made.pauses[0].ended_at == made.ended_at
        assert db.session.scalar(select(Reminder.id).where(Reminder.assignment_id == made.id)) is None
        assert assignments.list_assigned(_user(p["ann"])) == []
        with pytest.raises(NotFound):
            assignments.end(trainer, made.id, BEFORE_DST + timedelta(hours=3))


def test_list_for_clients_is_one_statement(people):
    p = people
    with p["app"].app_context():
        trainer = _user(p["trainer"])
        assignments.create_assignments(trainer, [p["ann"], p["ben"]], p["slug"], DAILY, "Note", BEFORE_DST)
        from sqlalchemy import event

        assert trainer.role == "trainer"  # loaded again after the commit, before counting
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rows = assignments.list_for_clients(trainer, [p["ann"], p["ben"], p["cy"]])
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(statements) == 1
        assert sorted(r.client_name for r in rows) == ["Ann", "Ben"]
        assert all(r.routine == p["slug"] and r.next_fire_at for r in rows)


# ---------------------------------------------------------------- pages
def _sign_in(web, name: str):
    assert web.login(f"{name.lower().replace(' ', '.')}@example.com").status_code == 302


def test_trainer_assigns_to_several_from_the_page(client, web, people):
    p = people
    _sign_in(web, "Coach Kim")
    page = client.get("/trainer/assign")
    assert page.status_code == 200
    text = page_text(page.get_data(as_text=True))
    assert "Ann" in text and "Ben" in text and "Cy" not in text and "Morning back" in text
    response = web.post("/trainer/assign", {
        "routine": p["slug"], "clients": [str(p["ann"]), str(p["ben"])], "schedule_type": "daily",
        "times-0": "07:30", "weekdays": ["1", "2", "3", "4", "5"], "every_minutes": "120", "note": "Easy <b>now</b>",
    })
    assert response.status_code == 302, page_text(response.get_data(as_text=True))[:800]
    listed = page_text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Assigned to Ann and Ben" in listed and listed.count("Morning back") >= 2


def test_assign_page_errors_keep_what_was_typed(client, web, people):
    p = people
    _sign_in(web, "Coach Kim")
    response = web.post("/trainer/assign", {"routine": p["slug"], "clients": [str(p["ann"])], "schedule_type": "daily",
                                            "every_minutes": "120", "note": "Keep me"}, page="/trainer/assign")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Some answers need another look" in html and "Keep me" in html
    assert f'value="{p["ann"]}" id="client-{p["ann"]}" checked' in html
    # A client who is not linked cannot be ticked in by hand.
    other = web.post("/trainer/assign", {"routine": p["slug"], "clients": [str(p["cy"])], "schedule_type": "daily",
                                         "times-0": "07:30", "every_minutes": "120"}, page="/trainer/assign")
    assert other.status_code == 400 and "no longer linked" in other.get_data(as_text=True)


def test_assign_page_says_schedule_mistakes_in_plain_words_beside_their_fields(client, web, people):
    p = people
    _sign_in(web, "Coach Kim")
    once = web.post("/trainer/assign", {"routine": p["slug"], "clients": [str(p["ann"])], "schedule_type": "once",
                                        "every_minutes": "120"}, page="/trainer/assign")
    assert once.status_code == 400
    html = once.get_data(as_text=True)
    assert "Choose the date and time." in html and "ISO 8601" not in html
    no_time = web.post("/trainer/assign", {"routine": p["slug"], "clients": [str(p["ann"])],
                                           "schedule_type": "daily", "every_minutes": "120"}, page="/trainer/assign")
    assert no_time.status_code == 400
    assert '<p class="field-error" id="times-0-error">Give 1 to 24 different times.' in no_time.get_data(as_text=True)


def test_trainer_changes_pauses_and_ends_from_the_pages(client, web, people):
    p = people
    with p["app"].app_context():
        (made,) = assignments.create_assignments(_user(p["trainer"]), [p["ann"]], p["slug"], DAILY, None,
                                                 datetime.now(UTC))
        aid = made.id
    _sign_in(web, "Coach Kim")
    path = f"/trainer/assignments/{aid}"
    assert "07:30" in page_text(client.get(path).get_data(as_text=True))
    saved = web.post(path, {"schedule_type": "daily", "times-0": "18:15", "weekdays": ["6", "7"],
                            "every_minutes": "120", "note": "Weekends"})
    assert saved.status_code == 302
    text = page_text(client.get(path).get_data(as_text=True))
    assert "18:15, weekends" in text and "Weekends" in text
    assert web.post(f"{path}/pause", {"paused": "1"}, page=path).status_code == 302
    assert "Resume" in page_text(client.get(path).get_data(as_text=True))
    assert "End Morning back for Ann?" in page_text(client.get(f"{path}/end").get_data(as_text=True))
    assert web.post(f"{path}/end", {}, page=f"{path}/end").status_code == 302
    assert client.get(path).status_code == 404


def test_client_sees_assigned_escaped_and_plays_the_version(client, web, people):
    p = people
    slug = trainer_routine(p["app"], p["trainer"], "Three moves", versions=2)
    with p["app"].app_context():
        (made,) = assignments.create_assignments(_user(p["trainer"]), [p["ann"]], slug, DAILY,
                                                 "<script>x()</script>\nSecond line", datetime.now(UTC))
        aid = made.id
    _sign_in(web, "Ann")
    page = client.get("/assigned")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-cache"
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "<script>x()" not in html
    text = page_text(html)
    assert "Three moves" in text and "From Coach Kim" in text and "07:30, daily" in text
    play = client.get(f"/assigned/{aid}/play")
    assert play.status_code == 200 and play.headers["Cache-Control"] == "private, no-cache"
    body = play.get_data(as_text=True)
    assert f'data-assignment-id="{aid}"' in body and 'data-routine-version="2"' in body
    assert "Walk for a minute." in body and "data-preview" not in body  # version 2's third step
    # Pause from the page.
    assert web.post(f"/assigned/{aid}/pause", {"paused": "1"}, page="/assigned").status_code == 302
    assert "Paused: no reminders" in page_text(client.get("/assigned").get_data(as_text=True))


def test_roles_and_strangers(client, web, people):
    p = people
    with p["app"].app_context():
        (made,) = assignments.create_assignments(_user(p["trainer"]), [p["ann"]], p["slug"], DAILY, None,
                                                 datetime.now(UTC))
        aid = made.id
    _sign_in(web, "Ben")
    assert client.get("/trainer/assign").status_code == 403
    assert client.get(f"/assigned/{aid}/play").status_code == 404
    assert web.post(f"/assigned/{aid}/pause", {"paused": "1"}, page="/assigned").status_code == 404
    client.post("/logout", data={"csrf_token": web.csrf("/assigned")})
    _sign_in(web, "Coach Kim")
    assert client.get("/assigned").status_code == 403


def test_link_ended_assignment_is_gone_from_the_client(client, web, people):
    p = people
    with p["app"].app_context():
        (made,) = assignments.create_assignments(_user(p["trainer"]), [p["ann"]], p["slug"], DAILY, None,
                                                 datetime.now(UTC))
        aid = made.id
    end_link(p["app"], p["trainer"], p["ann"])
    _sign_in(web, "Ann")
    assert "Nothing assigned to you" in page_text(client.get("/assigned").get_data(as_text=True))
    assert client.get(f"/assigned/{aid}/play").status_code == 404


def test_no_assigned_routine_at_emergency(client, web, people):
    p = people
    with p["app"].app_context():
        (made,) = assignments.create_assignments(_user(p["trainer"]), [p["ann"]], p["slug"], DAILY, None,
                                                 datetime.now(UTC))
        aid = made.id
    _sign_in(web, "Ann")
    assert log_spasm(client, web, symptoms=["saddle_numbness"])["assessment"]["level"] == "emergency"
    response = client.get(f"/assigned/{aid}/play")
    assert response.status_code == 303 and "/emergency" in response.headers["Location"]
