"""What the emergency screen says: the reason line and the country's wording.

/emergency?reason=<code> takes a code from a fixed list (contract 8). Each code maps to one line in the app's own
wording (CONTENT.md: the safety check's and the symptom table's words); any other text is ignored, so a crafted
link cannot put its own words under the call button. The call line follows the country table (CONTENT.md
section 0): the number, "A&E" only for GB, and for the 112 fallback its label and note.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from ..content.countries import country_table, local_services
from ..domain import triage
from ..domain.codes import SYMPTOMS
from ..reference import countries
from ..routines.service import stop_rules

DEFAULT_REASON = "You told us about a warning sign."
ASSESSMENT = "assessment"  # the current assessment is at emergency: the screen names its top emergency flag
# CONTENT.md section 0, the safety check's last item (trigger `accident`, rule E2).
ACCIDENT_LINE = "A serious accident, fall from height or direct blow."


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text[:1].upper() + text[1:] + "."


def reason_lines() -> dict[str, str]:
    """code -> line: the emergency symptom codes, `accident` and the emergency stop-rule codes.

    A stop rule's text is the safety check's wording of the same symptom, so it wins where both exist.
    """
    lines = {code: _sentence(wording) for code, (wording, tier, _sources) in SYMPTOMS.items() if tier == "emergency"}
    lines["accident"] = ACCIDENT_LINE
    lines.update({rule.code: _sentence(rule.text) for rule in stop_rules().emergency})
    return lines


def reason_code(value: str | None) -> str | None:
    """The code when `value` is one the screen accepts (a listed code or `assessment`), else None."""
    if value == ASSESSMENT or value in reason_lines():
        return value
    return None


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    return dict(countries())


def call_wording(country: str | None) -> dict:
    """The screen's country lines: number, what to do, and the line under the call button.

    `todo` is the emergency advice in the country's wording without the 112 note, which stands on its own
    under the call button. A listed country is named ("Emergency number for Germany."); the fallback never is.
    """
    services = local_services(country)
    todo = triage.advice("emergency", replace(services, fallback_note=None))
    if services.is_fallback:
        label = (services.number_label or "").capitalize() + "."
        note = services.fallback_note or ""
    else:
        name = _country_names().get(services.country or "", services.country)
        label, note = f"Emergency number for {name}.", ""
    return {"number": services.number, "todo": todo, "label": label, "note": note}


@lru_cache(maxsize=1)
def call_wording_table() -> dict[str, dict]:
    """call_wording for every country of the table, and the fallback under "": the offline copy of the screen
    picks the stored country's entry in script."""
    table = {"": call_wording(None)}
    table.update({code: call_wording(code) for code in country_table()})
    return table
