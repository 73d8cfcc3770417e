"""The country table (coach/content/countries.yaml): emergency numbers and service names, 112 as the fallback."""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from ..domain import limits
from ..domain.triage import (
    FALLBACK_NUMBER,
    GENERIC_DOCTOR,
    GENERIC_EMERGENCY,
    GENERIC_SERVICES,
    GENERIC_URGENT,
    LocalServices,
)
from ..reference import is_country
from .loader import CONTENT_DIR, ContentError

FILE = "countries.yaml"
NUMBER_RE = re.compile(r"^[0-9]{2,6}$")
WORDING_FIELDS = ("urgent", "emergency", "doctor")


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load that refuses a key given twice (plain YAML keeps the last one without a word)."""


def _unique_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ContentError(FILE, str(key), f"is given twice (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _number(value, path: str) -> str:
    # Unquoted 000 would load as the integer 0: numbers must be quoted strings.
    if not isinstance(value, str) or not NUMBER_RE.match(value):
        raise ContentError(FILE, path, "must be a quoted number of 2 to 6 digits")
    return value


def _entry(country: str, value) -> LocalServices:
    path = f"countries.{country}"
    if isinstance(value, str):
        return LocalServices(country=country, number=_number(value, path), is_fallback=False, number_label=None,
                             fallback_note=None, urgent=GENERIC_URGENT, emergency=GENERIC_EMERGENCY,
                             doctor=GENERIC_DOCTOR)
    if not isinstance(value, dict):
        raise ContentError(FILE, path, "must be a quoted number or a mapping with number, urgent, emergency, "
                           "doctor and sources")
    expected = {"number", *WORDING_FIELDS, "sources"}
    if set(value) != expected:
        missing, extra = sorted(expected - set(value)), sorted(map(str, set(value) - expected))
        raise ContentError(FILE, path, "must have exactly the fields number, urgent, emergency, doctor and sources"
                           + (f" (missing: {', '.join(missing)})" if missing else "")
                           + (f" (unknown: {', '.join(extra)})" if extra else ""))
    number = _number(value["number"], f"{path}.number")
    for name in WORDING_FIELDS:
        text = value[name]
        if not isinstance(text, str) or not text.strip() or len(text) > limits.SERVICE_WORDING or text != text.strip():
            raise ContentError(FILE, f"{path}.{name}", f"must be a non-empty text of at most {limits.SERVICE_WORDING} "
                               "characters without surrounding spaces")
    sources = value["sources"]
    # A country's own service names need a source (CONTENT.md section 0).
    if (not isinstance(sources, list) or not sources
            or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sources)):
        raise ContentError(FILE, f"{path}.sources", "must be a non-empty list of source ids")
    return LocalServices(country=country, number=number, is_fallback=False, number_label=None, fallback_note=None,
                         urgent=value["urgent"], emergency=value["emergency"], doctor=value["doctor"])


def parse_countries(doc) -> dict[str, LocalServices]:
    """Validate the file's content: {country: LocalServices}; ContentError naming the bad field."""
    if not isinstance(doc, dict) or set(doc) != {"countries"}:
        raise ContentError(FILE, "", "must have exactly the field countries")
    countries = doc["countries"]
    if not isinstance(countries, dict) or not countries:
        raise ContentError(FILE, "countries", "must be a mapping of country codes to numbers")
    table = {}
    for country, value in countries.items():
        if not is_country(country):
            # A bare NO loads as false: the code must be a quoted or plain upper-case ISO 3166-1 alpha-2 code.
            raise ContentError(FILE, f"countries.{country}", "must be an upper-case ISO 3166-1 alpha-2 code")
        table[country] = _entry(country, value)
    return table


def load_countries(text: str) -> dict[str, LocalServices]:
    return parse_countries(yaml.load(text, Loader=_UniqueKeyLoader))  # noqa: S506 (a SafeLoader subclass)


@lru_cache(maxsize=1)
def country_table() -> dict[str, LocalServices]:
    """The validated table, read once per process; a bad file raises ContentError on first use."""
    return load_countries((CONTENT_DIR / FILE).read_text(encoding="utf-8"))


def local_services(country: str | None) -> LocalServices:
    """The services of `country` (any case), or the generic wording with 112 when it is unknown or missing."""
    return country_table().get((country or "").strip().upper(), GENERIC_SERVICES)


def emergency_numbers() -> tuple[str, dict[str, str]]:
    """(fallback, {country: number}) for the emergency screen's offline copy."""
    return FALLBACK_NUMBER, {code: services.number for code, services in country_table().items()}


def emergency_number(country: str | None) -> str:
    return local_services(country).number
