"""The trainer and client journey in real Chromium at phone size, two phones on one live server:
the trainer makes an invite code; the client types it in; the trainer builds a routine and assigns it with a
daily time; the client plays it from "Assigned to me"; the trainer's client list shows the session and the
adherence it earned. Everything is done through the pages, as people do it; the database is only read, and
written once to date the assignment three days back (an assignment made a moment ago has nothing due yet)."""
from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from coach.extensions import db
from coach.models import Assignment, RoutineSession, TrainerLink
from tests.e2e.conftest import PHONE, open_phone
from tests.e2e.test_relief_browser import run_to_the_end
from tests.factories import PASSWORD

CLIENT_ZONE = "Pacific/Auckland"  # not the trainer's zone: the time is on the client's clock


def sign_up(page, email, name, role_label, timezone):
    page.goto("/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label(role_label).check()
    page.get_by_label("Time zone").fill(timezone)
    page.get_by_label("Country").select_option("NZ" if "Auckland" in timezone else "GB")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state("load")


def test_invite_accept_build_assign_play_and_see_adherence(browser, relief_server):
    server = relief_server
    coach_ctx, coach = open_phone(browser, server, PHONE)
    client_ctx, client = open_phone(browser, server, PHONE)
    try:
        # The trainer signs up and lands on their own app: the client list, empty.
        sign_up(coach, "coach@example.com", "Coach Kim", "A trainer or coach", "Europe/London")
        assert re.search(r"/trainer$", coach.url), coach.url
        expect(coach.get_by_role("heading", name="Clients")).to_be_visible()

        # An invite code, shown big, with its link and QR code.
        coach.goto("/trainer/invites")
        coach.get_by_role("button", name="Make an invite code").click()
        code_text = coach.locator(".invite-code span[aria-hidden]").inner_text()
        code = re.sub(r"\s", "", code_text)
        assert len(code) == 8, code_text
        expect(coach.locator(".invite-qr svg")).to_be_visible()

        # The client signs up and types the code the way people do: small letters, a space.
        sign_up(client, "ana@example.com", "Ana", "Someone who trains and gets back spasms", CLIENT_ZONE)
        client.goto("/trainers")
        client.get_by_label("Invite code").fill(f"{code[:4].lower()} {code[4:].lower()}")
        client.get_by_role("button", name="Link with my trainer").click()
        expect(client.get_by_role("heading", name="Coach Kim")).to_be_visible()
        with server.app.app_context():
            link = db.session.scalars(select(TrainerLink)).one()
            assert link.ended_at is None and link.share_episodes is False  # sharing is off until she turns it on
            db.session.remove()

        # The trainer builds a one-step routine of their own and saves it (version 1, published).
        coach.goto("/trainer/routines/new")
        coach.get_by_label("Routine title").fill("Kim's hip opener")
        coach.locator("#steps-0-title").fill("Hip circles")
        coach.locator("#steps-0-instruction").fill("Slow circles, five each way.")
        coach.locator("#steps-0-seconds").fill("30")
        coach.get_by_role("button", name="Save routine").click()
        coach.wait_for_load_state("load")

        # ...and assigns it to Ana every day, an hour before now on her clock.
        due_at = (datetime.now(ZoneInfo(CLIENT_ZONE)) - timedelta(hours=1)).strftime("%H:%M")
        coach.goto("/trainer/assign")
        routine_select = coach.get_by_label("Routine")
        (value,) = [o.get_attribute("value") for o in routine_select.locator("option").all()
                    if "Kim's hip opener" in o.inner_text()]
        routine_select.select_option(value)
        coach.get_by_label("Ana").check()
        coach.get_by_label("At set times").check()
        coach.locator("#times-0").fill(due_at)
        for day in ("Sat", "Sun"):  # every day (the form starts on weekdays), so the count does not hang on today
            coach.get_by_label(day, exact=True).check()
        coach.get_by_label("Note for your client (optional)").fill("Before Thursday's session <b>please</b>")
        coach.get_by_role("button", name="Assign").click()
        coach.wait_for_load_state("load")
        with server.app.app_context():
            assignment = db.session.scalars(select(Assignment)).one()
            assert assignment.schedule["times"] == [due_at] and len(assignment.schedule.get("weekdays", "1234567")) == 7
            # As if linked and assigned three days ago, so three of its occurrences are due by now (two days ago,
            # yesterday and an hour ago); only the last one will be done.
            three_days_ago = datetime.now(UTC) - timedelta(days=3)
            assignment.created_at = three_days_ago
            db.session.scalars(select(TrainerLink)).one().linked_at = three_days_ago
            assignment_id = assignment.id
            db.session.commit()
            db.session.remove()

        # Ana sees it under "Assigned to me", with the trainer and the note as typed (escaped, not bold).
        client.goto("/assigned")
        card = client.locator("main")
        expect(card.get_by_role("heading", name="Kim's hip opener")).to_be_visible()
        expect(card.get_by_text("Coach Kim")).to_be_visible()
        expect(card.get_by_text("Before Thursday's session <b>please</b>")).to_be_visible()
        client.get_by_role("link", name=re.compile(r"^Play")).click()
        client.get_by_role("button", name="Start").click()
        run_to_the_end(client)
        client.locator("#pain-after").get_by_role("button", name="2", exact=True).click()
        expect(client.get_by_role("heading", name="Session saved")).to_be_visible()
        deadline = time.monotonic() + 10
        while True:
            with server.app.app_context():
                session = db.session.execute(select(RoutineSession.assignment_id, RoutineSession.completed,
                                                    RoutineSession.routine_version)).one_or_none()
                db.session.remove()
            if session is not None or time.monotonic() > deadline:
                break
            client.wait_for_timeout(100)
        assert session is not None, "the session did not reach the server"
        assert tuple(session) == (assignment_id, True, 1)  # counted for adherence, version 1 played

        # The trainer's list shows Ana's session and the adherence it earned: 1 done of 3 due, in 7 and 30 days.
        coach.goto("/trainer")
        row = coach.locator("main li, main tr").filter(has_text="Ana").first
        expect(row).to_be_visible()
        expect(row).to_contain_text(re.compile(r"today|just now|minute", re.I))
        assert [int(p) for p in re.findall(r"(\d+)\s?%", row.inner_text())] == [33, 33], row.inner_text()
        assert not coach.js_errors and not client.js_errors, (coach.js_errors, client.js_errors)
    finally:
        coach_ctx.close()
        client_ctx.close()
