"""The relief player's first load on a phone with nothing cached (real Chromium): the page, its styles and its
scripts cross the network in at most 60 KB (issue 12), compressed, and the page still works."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, answer_safety_check, register

BUDGET = 60 * 1024
COUNTED = {"Document", "Stylesheet", "Script"}
PLAYER = "/routines/gym-floor-settle/play"


def first_load(browser, server, path, sign_in=True):
    """Open `path` once on a fresh phone with the HTTP cache off; returns ({url: (type, bytes, encoding)}, page, ctx).
    Bytes are what crossed the network (headers included), from Chromium's own count (encodedDataLength).
    Service workers are blocked: the worker's precache after the page has loaded is not part of the page's load."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, base_url=server.url,
                                  service_workers="block")
    context.set_default_timeout(10_000)
    answer_safety_check(context)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    if sign_in:
        register(page, "first-load@example.com")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    seen: dict[str, dict] = {}
    cdp.on("Network.responseReceived", lambda e: seen.setdefault(e["requestId"], {}).update(
        url=e["response"]["url"], type=e["type"],
        encoding={k.lower(): v for k, v in e["response"]["headers"].items()}.get("content-encoding", "")))
    cdp.on("Network.loadingFinished", lambda e: seen.setdefault(e["requestId"], {}).update(
        size=e["encodedDataLength"]))
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    loaded = {r["url"]: (r["type"], r["size"], r["encoding"]) for r in seen.values() if "size" in r and "url" in r}
    return loaded, page, context


@pytest.mark.timeout(120)
def test_player_first_load_fits_the_budget_and_works(browser, relief_server):
    loaded, page, context = first_load(browser, relief_server, PLAYER)
    try:
        counted = {url: size for url, (kind, size, _) in loaded.items() if kind in COUNTED}
        total = sum(counted.values())
        table = "\n".join(f"{size:>7} {url}" for url, size in sorted(counted.items(), key=lambda item: -item[1]))
        print(f"\nfirst load of the player: {total} B\n{table}")
        assert total <= BUDGET, f"first load {total} B > {BUDGET} B:\n{table}"
        # Every style and script the page asked for arrived compressed (each is well over 500 bytes).
        plain = [url for url, (kind, _, encoding) in loaded.items() if kind in COUNTED and encoding not in ("br", "gzip")]
        assert plain == [], plain
        # ... and the player still plays: Start shows, and starting shows the first step's countdown.
        page.get_by_role("button", name="Start").click()
        expect(page.get_by_role("timer", name="Time left in this step")).to_have_text(re.compile(r"^\d+:\d\d"))
        assert page.js_errors == []
    finally:
        context.close()
