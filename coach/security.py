"""Response headers (CSP, nosniff, HSTS, ...) and fingerprinted static URLs."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request, url_for
from flask_login import current_user
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import ApiError

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' data: blob:",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        # The client's address (rate limits), scheme (Secure, HSTS) and host as the trusted proxies saw them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    static_root = Path(app.static_folder)

    @lru_cache(maxsize=256)
    def fingerprint(path: str) -> str:
        try:
            return hashlib.sha256((static_root / path).read_bytes()).hexdigest()[:12]
        except OSError:
            return "missing"

    if app.debug:
        # Files change while developing: recompute on every call.
        def asset_url(path: str) -> str:
            fingerprint.cache_clear()
            return url_for("static", filename=path, v=fingerprint(path))
    else:
        def asset_url(path: str) -> str:
            return url_for("static", filename=path, v=fingerprint(path))

    app.jinja_env.globals["asset_url"] = asset_url
    app.before_request(refuse_nul_characters)
    app.extensions["asset_url"] = asset_url

    @app.after_request
    def set_headers(response):
        headers = response.headers
        csp = CSP + ("; upgrade-insecure-requests" if app.config.get("PRODUCTION") else "")
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if app.config.get("HSTS_ENABLED"):
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if request.endpoint == "static":
            if request.args.get("v"):
                headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        elif "Cache-Control" not in headers and request.path.startswith("/api/"):
            # API answers carry health data and depend on who asks: no cache keeps them.
            headers["Cache-Control"] = "no-store"
            headers.add("Vary", "Cookie, Authorization")
        elif "Cache-Control" not in headers and response.mimetype == "text/html":
            # Pages may hold personal data: never let a shared cache keep them.
            headers["Cache-Control"] = "no-store" if _is_signed_in() else "no-cache"
            headers.add("Vary", "Cookie")
        return response


def _is_signed_in() -> bool:
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # outside a request with a user loader (e.g. error pages before login init)
        return False


def _nul_path(value, path: str = "") -> str | None:
    """Where a NUL character hides in parsed JSON, if anywhere."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _nul_path(key, path) or _nul_path(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def refuse_nul_characters():
    """No text a person types contains NUL, and PostgreSQL cannot store it: refuse it at the door."""
    found = next((key for key, value in request.args.items(multi=True) if "\x00" in key or "\x00" in value), None)
    if found is None and request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        if request.mimetype == "application/json":
            try:
                found = _nul_path(request.get_json(silent=True))
            except BadRequest:  # too large or unreadable: the normal handlers answer that
                found = None
        elif request.form:
            found = next((key for key, value in request.form.items(multi=True) if "\x00" in key or "\x00" in value), None)
    if found is None:
        return None
    if request.path.startswith("/api/"):
        raise ApiError(400, "validation_error", "Some fields need attention.", {found: "must not contain NUL characters"})
    raise BadRequest("The form contained a character that cannot be stored.")
