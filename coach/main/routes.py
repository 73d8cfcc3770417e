"""Home and the tab placeholders that later features replace."""
from __future__ import annotations

from flask import render_template

from . import bp


@bp.route("/")
def index():
    return render_template("main/index.html", nav="home")


def _coming_soon(title: str, nav: str):
    return render_template("main/coming_soon.html", title=title, nav=nav)
