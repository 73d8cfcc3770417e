"""Emergency numbers by country (coach/content/emergency_numbers.yaml), 112 when the country is unknown."""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from ..content import CONTENT_DIR, ContentError

FILE = "emergency_numbers.yaml"
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
NUMBER_RE = re.compile(r"^[0-9]{2,6}$")


def parse_numbers(doc) -> tuple[str, dict[str, str]]:
    """Validate the file's content: (fallback, {country: number}); ContentError naming the bad field."""
    if not isinstance(doc, dict) or set(doc) != {"fallback", "numbers"}:
        raise ContentError(FILE, "", "must have exactly the fields fallback and numbers")
    fallback, numbers = doc["fallback"], doc["numbers"]
    if not isinstance(fallback, str) or not NUMBER_RE.match(fallback):
        raise ContentError(FILE, "fallback", "must be a quoted number of 2 to 6 digits")
    if not isinstance(numbers, dict) or not numbers:
        raise ContentError(FILE, "numbers", "must be a mapping of country codes to numbers")
    for country, number in numbers.items():
        if not isinstance(country, str) or not COUNTRY_RE.match(country):
            raise ContentError(FILE, f"numbers.{country}", "must be an upper-case ISO 3166-1 alpha-2 code")
        if not isinstance(number, str) or not NUMBER_RE.match(number):
            # Unquoted 000 would load as the integer 0: numbers must be quoted strings.
            raise ContentError(FILE, f"numbers.{country}", "must be a quoted number of 2 to 6 digits")
    return fallback, dict(numbers)


@lru_cache(maxsize=1)
def emergency_numbers() -> tuple[str, dict[str, str]]:
    with open(CONTENT_DIR / FILE, encoding="utf-8") as handle:
        return parse_numbers(yaml.safe_load(handle))


def emergency_number(country: str | None) -> str:
    fallback, numbers = emergency_numbers()
    return numbers.get((country or "").upper(), fallback)
