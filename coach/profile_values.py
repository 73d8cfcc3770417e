"""The values a person's profile may hold, checked once: registration (auth) and profile changes (account) use it."""
from __future__ import annotations

from datetime import datetime, time

from .domain import limits
from .models import RISK_FIELDS
from .reference import is_country, is_timezone


def clean_profile(values: dict, errors: dict[str, str], now: datetime) -> dict:
    """The checked value of each profile field present in `values`; a refused one goes into `errors` instead."""
    clean: dict = {}
    if "display_name" in values:
        name = _display_name(values["display_name"] or "")
        if name is None:
            errors["display_name"] = f"enter a name of 1 to {limits.DISPLAY_NAME} characters"
        else:
            clean["display_name"] = name
    if "timezone" in values:
        if is_timezone(values["timezone"]):
            clean["timezone"] = values["timezone"]
        else:
            errors["timezone"] = "unknown time zone; use a name like Europe/Berlin"
    if "country" in values:
        code = (values["country"] or "").upper()
        if is_country(code):
            clean["country"] = code
        else:
            errors["country"] = "unknown country; use a two-letter code like GB or US"
    if "birth_year" in values:
        year = values["birth_year"]
        if year is None:
            clean["birth_year"] = None
        elif isinstance(year, bool) or not isinstance(year, int) or not limits.BIRTH_YEAR_MIN <= year <= now.year:
            errors["birth_year"] = f"enter a year from {limits.BIRTH_YEAR_MIN} to {now.year}"
        else:
            clean["birth_year"] = year
    for name in RISK_FIELDS:
        if name in values:
            if isinstance(values[name], bool):
                clean[name] = values[name]
            else:
                errors[name] = "must be true or false"
    for name in ("quiet_start", "quiet_end"):
        if name in values:
            clean[name] = _wall_time(values[name], name, errors)
    return clean


def _display_name(name: str) -> str | None:
    name = " ".join(name.split())
    if not name:
        return None
    return name if len(name) <= limits.DISPLAY_NAME else None


def _wall_time(value, name: str, errors: dict[str, str]) -> time | None:
    """Quiet-hour boundaries: a time, "HH:MM", or None to clear."""
    if value is None or isinstance(value, time):
        return value
    try:
        hours, minutes = value.split(":") if isinstance(value, str) and len(value) == 5 else ("x", "x")
        return time(int(hours), int(minutes))
    except ValueError:
        errors[name] = "use HH:MM 24-hour time, e.g. 22:00"
        return None
