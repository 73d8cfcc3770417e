"""The country table (coach/content/countries.yaml): emergency numbers and service names, 112 as the fallback."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, Field

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
from .documents import ContentModel, fail, nested, positive, validate
from .loader import CONTENT_DIR, ContentError

FILE = "countries.yaml"
NUMBER_RE = re.compile(r"^[0-9]{2,6}$")


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


def _number(value: Any) -> str:
    # Unquoted 000 would load as the integer 0: numbers must be quoted strings.
    if not isinstance(value, str) or not NUMBER_RE.match(value):
        raise fail("must be a quoted number of 2 to 6 digits")
    return value


def _wording(text: str) -> str:
    if not text.strip() or len(text) > limits.SERVICE_WORDING or text != text.strip():
        raise fail(f"must be a non-empty text of at most {limits.SERVICE_WORDING} characters without surrounding "
                   "spaces")
    return text


def _country(code: Any) -> str:
    if not is_country(code):
        # A bare NO loads as false: the code must be a quoted or plain upper-case ISO 3166-1 alpha-2 code.
        raise fail("must be an upper-case ISO 3166-1 alpha-2 code")
    return code


Number = Annotated[Any, AfterValidator(_number)]
Wording = Annotated[str, AfterValidator(_wording)]


class CountryServices(ContentModel):
    """A country with its own service names; those names need a source (CONTENT.md section 0)."""

    number: Number
    urgent: Wording
    emergency: Wording
    doctor: Wording
    sources: Annotated[list[positive()], Field(min_length=1)]


def _entry(value: Any) -> str | CountryServices:
    """A quoted number (the generic wording) or a mapping with the country's own service names."""
    if isinstance(value, str):
        return _number(value)
    if not isinstance(value, dict):
        raise fail("must be a quoted number or a mapping with number, urgent, emergency, doctor and sources")
    return nested(CountryServices, value)


class CountriesFile(ContentModel):
    countries: Annotated[dict[Annotated[Any, AfterValidator(_country)], Annotated[Any, AfterValidator(_entry)]],
                         Field(min_length=1)]


def _services(country: str, entry: str | CountryServices) -> LocalServices:
    if isinstance(entry, str):
        return LocalServices(country=country, number=entry, is_fallback=False, number_label=None,
                             fallback_note=None, urgent=GENERIC_URGENT, emergency=GENERIC_EMERGENCY,
                             doctor=GENERIC_DOCTOR)
    return LocalServices(country=country, number=entry.number, is_fallback=False, number_label=None,
                         fallback_note=None, urgent=entry.urgent, emergency=entry.emergency, doctor=entry.doctor)


def parse_countries(doc: Any) -> dict[str, LocalServices]:
    """Validate the file's content: {country: LocalServices}; ContentError naming the bad field."""
    table = validate(CountriesFile, doc, FILE).countries
    return {country: _services(country, entry) for country, entry in table.items()}


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
