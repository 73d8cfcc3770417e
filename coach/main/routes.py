"""Home and the tab placeholders that later features replace."""
from __future__ import annotations

from functools import lru_cache

from flask import redirect, render_template, url_for
from flask_login import current_user

from ..domain.triage import RULES_VERSION
from ..level import emergency_gate, level_view, level_words
from . import bp


def page_level_words() -> dict[str, str]:
    """The advice words for level.js's banner: the signed-in person's country, else the generic wording."""
    return _level_words(current_user.country if current_user.is_authenticated else None)


@lru_cache(maxsize=512)  # from the country table: the same for a country on every page (templates only print it)
def _level_words(country: str | None) -> dict[str, str]:
    return level_words(country)


@bp.app_context_processor
def level_context():
    # Functions, so only pages that ask pay for the assessment (once per request, cached by level.py).
    return {"coach_level": level_view, "coach_level_words": page_level_words}


@bp.route("/")
def index():
    if gate := emergency_gate():  # at emergency the emergency screen comes first (CONTENT.md section 0)
        return gate
    if current_user.is_authenticated and current_user.role == "trainer":
        return redirect(url_for("trainer.home"))  # a trainer's home is their client list (coach/trainer)
    return render_template("main/index.html", nav="home")


@bp.route("/about")
def about():
    """What the app is for (the intended-use statement) and what it does not do."""
    return render_template("main/about.html", nav="me", rules_version=RULES_VERSION)


def _coming_soon(title: str, nav: str):
    return render_template("main/coming_soon.html", title=title, nav=nav)
