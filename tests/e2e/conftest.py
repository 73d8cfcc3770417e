"""Real headless Chromium (Debian's /usr/bin/chromium) driving a live server, through Playwright."""
from __future__ import annotations

import os
import re
import shutil
import threading
import time

import pytest
from werkzeug.serving import make_server

from tests.conftest import _empty_tables, make_app
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 360, "height": 640}
SPEED = 100  # relief_server: every timer runs 100 times faster, so the 250 s routine takes 2.5 s


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium_path():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must run the browser tests (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped outside CI")
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_instance(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_path):
    browser = playwright_instance.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def live_server(database_url):
    app = make_app(database_url, RATELIMIT_ENABLED=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    server.app = app
    yield server
    server.shutdown()
    thread.join(timeout=5)
    _empty_tables(app)


@pytest.fixture
def seeded_server(live_server):
    """The live server with the stock content loaded (routines, tips, rules)."""
    from coach.seed import seed

    with live_server.app.app_context():
        seed()
    return live_server


@pytest.fixture
def relief_server(seeded_server):
    """The seeded live server with the player's timers running at SPEED."""
    seeded_server.app.config["PLAYER_SPEED"] = SPEED
    return seeded_server


# The player asks the safety check first unless this phone answered "No to all of these" in the last 12 hours
# (static/js/safety.js). Tests about something else start from a phone that answered it just now; tests of the
# check itself open a fresh phone (open_phone(..., safety_checked=False)).
SAFETY_CHECKED_KEY = "coach:safety-checked-at"
_SAFETY_CHECKED_SCRIPT = """try { if (!localStorage.getItem('coach:safety-checked-at'))
    localStorage.setItem('coach:safety-checked-at', String(Date.now())); } catch (err) {}"""


def answer_safety_check(context):
    """Every page of `context` starts on a phone that answered the safety check just now (unless one is stored)."""
    context.add_init_script(_SAFETY_CHECKED_SCRIPT)


def open_phone(browser, server, viewport, safety_checked=True, **options):
    """A new touch phone of `viewport` on the live server: (context, page); page.js_errors collects uncaught errors.
    safety_checked: the phone answered the safety check just now (the player starts at its intro).
    The caller closes the context."""
    context = browser.new_context(viewport=viewport, has_touch=True, is_mobile=True, base_url=server.url, **options)
    context.set_default_timeout(10_000)
    if safety_checked:
        answer_safety_check(context)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


def register(page, email, name="Relief User", country="GB", timezone="Europe/London"):
    """Sign up through the register form, as a person does; ends signed in on home."""
    page.goto("/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Time zone").fill(timezone)
    page.get_by_label("Country").select_option(country)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, base_url=live_server.url)
    context.set_default_timeout(10_000)
    answer_safety_check(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def persistent_context(playwright_instance, chromium_path, live_server, tmp_path):
    """Service workers and installability need a real profile (incognito reports 'in-incognito')."""
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=chromium_path,
        args=LAUNCH_ARGS,
        viewport=PHONE,
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def wait_until(page, expression: str, what: str, timeout: float = 10.0):
    """Polls `expression` (JavaScript, may return a promise) in the page until its answer is truthy; returns it.
    page.wait_for_function cannot do this: it takes a returned promise as the answer and stops at the first one,
    even when that promise comes out false (so waiting for the outbox to empty, for instance, waited for nothing)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = page.evaluate(expression)
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (still {answer!r} after {timeout:g} s)")
        page.wait_for_timeout(100)


def assert_no_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response["violations"]
    details = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert violations == [], f"axe violations on {page.url}: {details}"
