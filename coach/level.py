"""The signed-in person's current level for the pages: no routine at emergency, the advice first at urgent.

CONTENT.md section 0: at `emergency` home, the routine library, a routine's page and the player lead to the
emergency screen; at `urgent` the advice stands above any routine on those pages. The server decides here for
a signed-in person (from the episodes service's assessment, computed once per request); static/js/level.js
decides on the phone from the last level it received (the <meta name="coach-level"> of base.html).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .content.countries import local_services
from .domain import triage
from .episodes.schemas import AssessmentOut
from .episodes.service import assess_user
from .extensions import db

CACHE_KEY = "coach.level_assessment"
# The emergency screen's reason for "the current assessment is at emergency" (contract 8).
ASSESSMENT_REASON = "assessment"
# CONTENT.md section 0, Tiers: what `urgent` means, as the heading of the advice above the routines.
URGENT_HEADING = triage.LEVEL_HEADINGS["urgent"]


@dataclass(frozen=True)
class LevelView:
    """What base.html's meta tag and the advice block need: the level, when, why and what to do."""

    level: str
    evaluated_at: str
    flags: tuple[dict, ...]  # the API's flags (FlagOut as JSON) at this level, in the assessment's order
    advice: str
    words: dict  # the advice for urgent and emergency in the person's country wording (for the phone's later levels)

    @property
    def reason(self) -> str:
        """The top flag's reason at this level (app wording), or ''."""
        return self.flags[0]["reason"] if self.flags else ""

    @property
    def titles(self) -> list[tuple[str, str]]:
        return [(triage.RULE_TITLES.get(flag["rule"], flag["rule"]), flag["reason"]) for flag in self.flags]


def _now() -> datetime:
    return datetime.now(UTC)


def current_assessment() -> triage.Assessment | None:
    """The signed-in person's assessment at this request (None when signed out), asked for once per request; the
    episodes service answers from the worker's cache while the person's data and local day stay the same."""
    if not current_user.is_authenticated:
        return None
    cache = request.environ
    if CACHE_KEY not in cache:
        cache[CACHE_KEY] = assess_user(current_user._get_current_object(), _now())
    return cache[CACHE_KEY]


def current_level() -> str | None:
    assessment = current_assessment()
    return assessment.level if assessment else None


def level_words(country: str | None) -> dict[str, str]:
    """The advice at urgent and emergency in `country`'s wording (CONTENT.md section 0), and the urgent heading."""
    services = local_services(country)
    return {
        "urgent": triage.advice("urgent", services),
        "emergency": triage.advice("emergency", services),
        "urgent_heading": URGENT_HEADING,
    }


def level_view() -> LevelView | None:
    """The current level for templates; None when signed out, or when the database cannot answer (an error page)."""
    try:
        assessment = current_assessment()
    except SQLAlchemyError:
        db.session.rollback()
        return None
    if assessment is None:
        return None
    shape = AssessmentOut.model_validate(assessment).model_dump(mode="json")  # what the API answers with
    flags = tuple(flag for flag in shape["flags"] if flag["level"] == assessment.level)
    words = level_words(current_user.country)
    advice = words.get(assessment.level) or triage.advice(assessment.level, local_services(current_user.country))
    return LevelView(assessment.level, shape["evaluated_at"], flags, advice, words)


def emergency_gate():
    """At emergency, the page a routine could start from sends the person to the emergency screen (303)."""
    if current_level() == "emergency":
        return redirect(url_for("relief.emergency", reason=ASSESSMENT_REASON), code=303)
    return None


def top_emergency_reason() -> str | None:
    """The first emergency flag's reason for the emergency screen, when the signed-in person is at emergency."""
    assessment = current_assessment()
    if assessment is None or assessment.level != "emergency":
        return None
    flag = next((f for f in assessment.flags if f.level == "emergency"), None)
    return flag.reason if flag else None
