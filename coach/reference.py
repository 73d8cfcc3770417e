"""Reference data the forms and services share: countries and time zones."""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pycountry

from .domain import limits


@lru_cache(maxsize=1)
def countries() -> tuple[tuple[str, str], ...]:
    """(alpha-2 code, common name) sorted by name, for select boxes and validation."""
    rows = [(c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries]
    return tuple(sorted(rows, key=lambda row: row[1]))


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _ in countries())


def is_country(code: object) -> bool:
    return isinstance(code, str) and code in country_codes()


@lru_cache(maxsize=1)
def timezones() -> tuple[str, ...]:
    # Drop legacy aliases such as "US/Eastern" from the picker; ZoneInfo still accepts them.
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))) + ("UTC",))


def is_timezone(name: object) -> bool:
    if not isinstance(name, str) or not name or len(name) > limits.TIMEZONE or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def guess_country(languages) -> str:
    """A country from the browser's languages ("en-GB" -> GB), or "" when none names one."""
    for lang in languages:
        if "-" in lang:
            region = lang.split("-")[-1].upper()
            if region in country_codes():
                return region
    return ""
