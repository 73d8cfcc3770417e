"""A client plays an assigned routine offline: "Assigned to me" keeps its player pages on the phone, the routine
plays with no network, and once the network is back the session reaches the server once, with its assignment_id
and version. Signing out empties the phone's copies of these personal pages."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlalchemy import select

from coach.extensions import db
from coach.models import RoutineSession, User
from coach.trainer import assignments
from tests.assignment_helpers import link, trainer_routine
from tests.e2e.conftest import register, wait_until
from tests.e2e.test_relief_browser import first_step_showing, run_to_the_end
from tests.e2e.test_relief_offline import ready_for_offline
from tests.factories import Api

CACHED_PATHS = """async () => {
    const keys = [];
    for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) keys.push(new URL(request.url).pathname);
    }
    return keys;
}"""


def _sessions(server):
    with server.app.app_context():
        rows = [(s.assignment_id, s.routine_version, s.completed) for s in db.session.scalars(select(RoutineSession))]
        db.session.remove()
        return rows


def _wait_for_sessions(page, server, count, timeout_ms=15_000):
    waited = 0
    while len(_sessions(server)) < count and waited < timeout_ms:
        page.wait_for_timeout(100)
        waited += 100
    return _sessions(server)


def test_assigned_routine_plays_offline_and_syncs_with_its_assignment(persistent_context, relief_server):
    server = relief_server
    api = Api(server.app.test_client())
    trainer, _ = api.register(display_name="Coach Kim", role="trainer", email="kim@example.com")
    context = persistent_context
    page = context.new_page()
    register(page, "ann@example.com", name="Ann")
    with server.app.app_context():
        ann = db.session.scalar(select(User).where(User.email == "ann@example.com"))
        link(server.app, trainer["id"], ann.id)
        slug = trainer_routine(server.app, trainer["id"], "Morning back")
        (made,) = assignments.create_assignments(db.session.get(User, trainer["id"]), [ann.id], slug,
                                                 {"type": "daily", "times": ["07:30"]}, "Slow and easy",
                                                 datetime.now(UTC))
        aid = made.id
        db.session.remove()
    ready_for_offline(page)

    # Listed once online: the list and the player are kept on the phone.
    page.goto("/assigned")
    expect(page.get_by_role("heading", name="Morning back")).to_be_visible()
    play_path = f"/assigned/{aid}/play"
    wait_until(page, f"""async () => {{
        const keys = await ({CACHED_PATHS})();
        return keys.includes('{play_path}') && keys.includes('/assigned');
    }}""", "the list and the player kept on the phone", timeout=15)

    context.set_offline(True)
    page.goto("/assigned")
    expect(page.get_by_text("Slow and easy")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Play")).click()
    page.wait_for_url(re.compile(re.escape(play_path)))
    expect(page.get_by_role("heading", name="Morning back")).to_be_visible()
    page.get_by_role("link", name="No to all of these").click()  # this phone has not answered the safety check
    page.get_by_role("button", name="Start").click()
    first_step_showing(page)
    run_to_the_end(page)
    page.locator("#pain-after").get_by_role("button", name="2", exact=True).click()
    expect(page.get_by_role("heading", name="Session saved")).to_be_visible()
    assert _sessions(server) == []

    context.set_offline(False)
    assert _wait_for_sessions(page, server, 1) == [(aid, 1, True)]

    # Signing out empties the phone's copies, personal pages included.
    page.goto("/me")
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(re.compile(r"/login"))
    wait_until(page, f"""async () => !(await ({CACHED_PATHS})()).includes('{play_path}')""",
               "the player's copy gone after signing out")
