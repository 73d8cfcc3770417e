"""The browser tests' wait_until really waits for an answer a promise gives later, and gives up on one that never
comes true (page.wait_for_function returned at the first promise, which let the safety-check undo tests read the
database before the undo had reached it)."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_until

LATER_TRUE = "() => new Promise((resolve) => setTimeout(() => resolve(Date.now() >= window.readyAt), 10))"


def test_it_waits_until_the_promised_answer_is_true(page):
    page.evaluate("() => { window.readyAt = Date.now() + 400; }")
    assert wait_until(page, LATER_TRUE, "ready") is True
    assert page.evaluate("() => Date.now() >= window.readyAt")


def test_it_fails_when_the_answer_never_comes_true(page):
    with pytest.raises(AssertionError, match="never ready"):
        wait_until(page, "() => Promise.resolve(false)", "never ready", timeout=0.3)
