"""SOS (safety check, quick log), the emergency screen, the routine player and the outbox's sync state."""
from __future__ import annotations

from functools import lru_cache

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import level
from ..content.countries import emergency_numbers, local_services
from ..domain import triage
from ..domain.codes import LOCATION_LABELS
from ..domain.triage_rules import LOCATION_LEVELS
from ..errors import NotFound
from ..reference import guess_country, is_country
from ..routines.service import find_routines, get_routine, recommended_routine, stop_rules
from . import bp, screen
from .service import assignment_of
from .sos import QUICK_TRIGGERS, SAFETY_HEADING, SAFETY_QUESTIONS, URGENT_ITEMS, URGENT_LINE

MAX_SPEED = 1000.0


@lru_cache(maxsize=1)  # from fixed tables: the same on every request (the templates only write it out as JSON)
def _sos_location_levels() -> dict[str, dict[str, str]]:
    """LOCATION_LEVELS for the phone: a quick log that cannot reach the server still shows what the place alone
    gives (chest: the emergency screen, E7; arm, hand, belly, jaw: the urgent advice first, E5/E6)."""
    return {code: {"level": tier, "label": LOCATION_LABELS[code].lower()} for code, tier in LOCATION_LEVELS.items()}


@lru_cache(maxsize=1)  # every country's wording, from the country table: the same on every request
def _urgent_advice_by_country() -> dict[str, str]:
    """The urgent advice in each country's wording, "" for an unknown country; countries worded like the
    fallback are left out, so the offline copy of /sos can pick the text for the country the phone knows."""
    generic = triage.advice("urgent", local_services(None))
    wording = {"": generic}
    for code in emergency_numbers()[1]:
        text = triage.advice("urgent", local_services(code))
        if text != generic:
            wording[code] = text
    return wording


@bp.route("/sos")
def sos():
    country, _source = _country()
    return render_template(
        "relief/sos.html", nav="sos", questions=SAFETY_QUESTIONS, safety_heading=SAFETY_HEADING,
        urgent_line=URGENT_LINE, urgent_items=URGENT_ITEMS, routine=recommended_routine(),
        stop_rules=stop_rules(), triggers=QUICK_TRIGGERS, location_levels=_sos_location_levels(), country=country,
        urgent_advice=triage.advice("urgent", local_services(country)),
        urgent_heading=triage.LEVEL_HEADINGS["urgent"],
        urgent_advice_by_country=_urgent_advice_by_country(),
    )


def _country() -> tuple[str | None, str]:
    """The country for the emergency number and where it came from: user, param, language or default.

    The signed-in person's own country wins over ?country=, so a link cannot show them another country's number.
    """
    if current_user.is_authenticated and current_user.country:
        return current_user.country, "user"
    param = (request.args.get("country") or "").strip().upper()
    if is_country(param):
        return param, "param"
    guess = guess_country(request.accept_languages.values())
    if guess:
        return guess, "language"
    return None, "default"


@bp.route("/emergency")
def emergency():
    # Only a code from the fixed list (contract 8) chooses the line; any other text is ignored.
    code = screen.reason_code(request.args.get("reason"))
    if code == screen.ASSESSMENT:
        reason = level.top_emergency_reason() or screen.DEFAULT_REASON
    else:
        reason = screen.reason_lines().get(code or "", screen.DEFAULT_REASON)
    country, source = _country()
    # At emergency, home leads back here: "I'm safe now" opens the diary, where the log can be checked.
    safe_url = url_for("episodes.index") if level.current_level() == "emergency" else url_for("main.index")
    return render_template(
        "relief/emergency.html", nav="", reason=reason, reason_code=code or "", default_reason=screen.DEFAULT_REASON,
        reasons=screen.reason_lines(), call=screen.call_wording(country), wording=screen.call_wording_table(),
        country=country, country_source=source, safe_url=safe_url,
    )


def _speed() -> float:
    """Timer speed-up for tests and demos: PLAYER_SPEED (default 1); ?speed= only when testing or allowed."""
    try:
        speed = float(current_app.config.get("PLAYER_SPEED", 1) or 1)
    except (TypeError, ValueError):
        speed = 1.0
    return min(max(speed, 0.01), MAX_SPEED)


@bp.route("/routines/<slug>/play")
def play(slug: str):
    if gate := level.emergency_gate():  # no routine at emergency (CONTENT.md section 0)
        return gate
    try:
        routine = get_routine(current_user, slug)
    except NotFound:
        # A trainer's routine is played from its assignment (the version assigned, counted for adherence).
        assignment_id = assignment_of(current_user, slug)
        if assignment_id is None:
            raise
        return redirect(url_for("trainer.assigned_play", assignment_id=assignment_id))
    return player_page(routine=routine, stop_rules=stop_rules(),
                       next_routines=find_routines(current_user, list(routine.next or [])))


def player_page(**context):
    """The player for `context`'s routine (anything with slug, title, steps and total_seconds): a routine from the
    library here, an assigned version or a trainer's preview from coach.trainer.routines.play_context, which
    may add assignment_id and routine_version (sent with the session) and preview (records nothing). The
    caller checks level.emergency_gate() first."""
    allow_param = bool(current_app.testing or current_app.config.get("PLAYER_SPEED_PARAM"))
    country, _source = _country()
    return render_template(
        "relief/player.html", nav="routines", speed=_speed(), speed_param=allow_param, max_speed=MAX_SPEED,
        # The safety check before a routine (CONTENT.md section 0): the same items and wording as SOS.
        questions=SAFETY_QUESTIONS, safety_heading=SAFETY_HEADING, urgent_line=URGENT_LINE,
        urgent_items=URGENT_ITEMS, country=country, urgent_heading=triage.LEVEL_HEADINGS["urgent"],
        urgent_advice=triage.advice("urgent", local_services(country)),
        urgent_advice_by_country=_urgent_advice_by_country(), **context,
    )


@bp.route("/sync-state")
def sync_state():
    """Who is signed in here, with a fresh CSRF token: the outbox asks before it replays anything."""
    signed_in = current_user.is_authenticated
    response = jsonify({
        "signed_in": signed_in,
        "user_id": current_user.id if signed_in else None,
        "country": current_user.country if signed_in else None,
        "csrf_token": generate_csrf(),
    })
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Cookie"
    return response
