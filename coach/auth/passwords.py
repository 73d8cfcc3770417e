"""Password policy: at least 8 characters, not a common password, no composition rules."""
from __future__ import annotations

from functools import lru_cache

from ..domain import limits

COMMON_LIST_SIZE = 10_000


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    # zxcvbn ships a frequency-ranked list of leaked passwords; the top ones are the guessable ones.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # why: megabytes of lists, loaded at the first password check

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_LIST_SIZE])


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why this password is refused, or None when it is fine."""
    if len(password) < limits.PASSWORD_MIN:
        return f"use at least {limits.PASSWORD_MIN} characters"
    if len(password) > limits.PASSWORD:
        return f"use at most {limits.PASSWORD} characters"
    lowered = password.lower()
    if lowered in _common() or len(set(lowered)) < 3:
        return "this password is too common; try a short phrase only you would think of"
    if email and lowered == email.lower():
        return "don't use your email address as your password"
    return None
