"""Serves the manifest, /sw.js (from the root, so its scope is the whole app) and /offline."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Response, current_app, render_template, send_from_directory

from ..routines.service import stock_slugs
from . import bp

# Pages with no personal data that the service worker keeps for offline use (plus every stock
# routine's page and player page, from the database: see routine_pages()).
OFFLINE_PAGES = ("/", "/sos", "/offline", "/emergency", "/routines")
# Static files the shell needs on first offline open (paths under static/).
SHELL_ASSETS = (
    "css/app.css", "js/app.js", "icons/icon-192.png", "icons/favicon-32.png",
    "css/relief.css", "js/outbox.js", "js/relief.js", "js/sos.js", "js/player.js",
    "js/safety.js",  # the safety check of SOS and the player (templates/relief/_safety_check.html)
    # The level on this phone (every page) and the emergency screen's script: at emergency the offline copies
    # of home and the routine pages lead to the cached emergency screen.
    "js/level.js", "js/emergency.js",
    "css/sos.css",  # the safety check's layout (templates/relief/sos.html)
    "css/bodymap.css", "js/bodymap.js",  # the quick log's body map (templates/_bodymap.html)
)


def routine_pages() -> tuple[str, ...]:
    """/routines/<slug> and its player for every stock routine that is seeded (so each precache URL exists)."""
    return tuple(page for slug in stock_slugs() for page in (f"/routines/{slug}", f"/routines/{slug}/play"))


@lru_cache(maxsize=4)
def _service_worker(static_folder: str, urls: tuple[str, ...]) -> bytes:
    source = (Path(static_folder) / "js" / "sw.js").read_text()
    # The cache version changes whenever the worker or any precached file changes.
    digest = hashlib.sha256(source.encode())
    for url in urls:
        digest.update(url.encode())
    version = digest.hexdigest()[:12]
    body = source.replace("__CACHE_VERSION__", version).replace("__PRECACHE_URLS__", json.dumps(list(urls)))
    return body.encode()


@bp.route("/sw.js")
def service_worker():
    asset_url = current_app.extensions["asset_url"]
    urls = tuple(asset_url(path) for path in SHELL_ASSETS) + OFFLINE_PAGES + routine_pages()
    if current_app.debug:
        _service_worker.cache_clear()
    body = _service_worker(current_app.static_folder, urls)
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    response = send_from_directory(current_app.static_folder, "manifest.webmanifest", max_age=3600)
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "icons/favicon-32.png", mimetype="image/png", max_age=86400)


@bp.route("/offline")
def offline():
    return render_template("pwa/offline.html", nav="")
