"""The routines library (filter by kind), a routine's page with its evidence and sources, and tips by category."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask_login import current_user

from .. import level
from ..content import CATEGORIES, KINDS
from . import bp
from .service import (
    evidence_sources,
    find_routines,
    get_routine,
    list_routines,
    list_tips,
    sources_for,
    stop_rules,
    tip_of_the_day,
)

KIND_LABELS = {"relief": "Relief", "mobility": "Mobility", "prevention": "Prevention"}
CATEGORY_LABELS = {"posture": "Posture", "lifting": "Lifting", "recovery": "Recovery", "hydration": "Hydration"}



def todays_tip() -> dict:
    """The tip of the day for the home page: today is the signed-in person's local date, else UTC's."""
    zone = ZoneInfo(current_user.timezone) if current_user.is_authenticated else UTC
    return {"tip": tip_of_the_day(datetime.now(zone).date())}


@bp.app_context_processor
def labels():
    return {"kind_labels": KIND_LABELS, "category_labels": CATEGORY_LABELS, "todays_tip": todays_tip}


@bp.route("/routines")
def library():
    if gate := level.emergency_gate():  # no routine at emergency (CONTENT.md section 0)
        return gate
    # Every routine is on the page even when filtered, so the offline copy can filter too (relief.js);
    # without script the server's filter applies.
    kind = request.args.get("kind")
    kind = kind if kind in KINDS else None
    routines = list_routines(current_user)
    return render_template("routines/library.html", nav="routines", routines=routines, kind=kind, kinds=KINDS)


@bp.route("/routines/<slug>")
def detail(slug: str):
    if gate := level.emergency_gate():
        return gate
    routine = get_routine(current_user, slug)
    evidence_ids = evidence_sources(routine)
    rules = stop_rules()
    rule_ids = list(rules.sources) + [i for r in rules.emergency + rules.stop_and_log for i in r.sources]
    return render_template(
        "routines/detail.html", nav="routines", routine=routine, stop_rules=rules,
        sources=sources_for(routine.sources or [], evidence_ids, rule_ids),
        next_routines=find_routines(current_user, list(routine.next or [])),
    )


@bp.route("/tips")
def tips():
    category = request.args.get("category")
    category = category if category in CATEGORIES else None
    items = list_tips()
    return render_template(
        "routines/tips.html", nav="routines", tips=items, category=category, categories=CATEGORIES,
        sources=sources_for(*(tip.sources or [] for tip in items)),
    )
