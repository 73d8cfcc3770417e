"""Response headers (CSP, nosniff, HSTS, ...), fingerprinted static URLs and compressed responses."""
from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import brotli
from flask import Flask, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from flask_login import current_user
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import safe_join

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
# Compressed with flask-compress: brotli, else gzip; text types only (PNG is compressed already), bodies of 500 bytes
# or more (below that the headers outweigh the saving). Pages are compressed on each response at a cheap level: brotli
# 2 takes about 30 us for a 6 KB page and 95 us for the 28 KB player, within 9 % of the size at level 4, which takes
# 2 to 4 times as long (docs/PERFORMANCE.md); a static file once per worker and version, at the best level
# (_StaticCompressed).
COMPRESSION = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br"],
    "COMPRESS_MIMETYPES": [
        "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
        "application/json", "application/manifest+json", "application/problem+json", "image/svg+xml",
    ],
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_BR_LEVEL": 2,
    "COMPRESS_LEVEL": 4,
}
# Static files that are never a document: served with nosniff, so a browser never renders them as a page.
SUBRESOURCE_TYPES = frozenset({"text/css", "text/javascript", "application/javascript", "image/png", "image/x-icon",
                               "font/woff2"})
STATIC_BR_LEVEL = 11
STATIC_GZIP_LEVEL = 9


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

    app.session_interface = _SessionInterface()
    app.jinja_env.globals["asset_url"] = asset_url
    app.before_request(refuse_nul_characters)
    app.extensions["asset_url"] = asset_url
    # Registered before set_headers, so it runs after it (Flask runs after_request hooks last-in first-out) and
    # adds Accept-Encoding to the Vary that set_headers wrote.
    init_compression(app, fingerprint)

    @app.after_request
    def set_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not (request.endpoint == "static" and response.mimetype in SUBRESOURCE_TYPES):
            # What a document (or a worker) obeys; a stylesheet, script or picture loaded by a page has no use for
            # them, and leaving them off saves 0.5 KB on every file of a first load.
            csp = CSP + ("; upgrade-insecure-requests" if app.config.get("PRODUCTION") else "")
            headers.setdefault("Content-Security-Policy", csp)
            headers.setdefault("X-Frame-Options", "DENY")
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


def init_compression(app: Flask, fingerprint) -> None:
    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    app.config.setdefault("COMPRESS_REGISTER", False)  # compress_response below calls it
    if not app.debug:  # files change while developing: compress them afresh each time
        static_root = app.static_folder
        app.config.setdefault("COMPRESS_CACHE_BACKEND", lambda: _StaticCompressed(static_root))
        app.config.setdefault("COMPRESS_CACHE_KEY", lambda req: _static_key(req, fingerprint))
    compress = Compress()
    compress.init_app(app)
    app.extensions["compress"] = compress

    @app.after_request
    def compress_response(response):
        if response.status_code == 206:
            return response  # a byte range of the file as stored: leave it as it is
        if _may_reflect_into_a_personal_page(response):
            return response
        if response.direct_passthrough and response.status_code == 200 and \
                response.mimetype in compress.compress_mimetypes_set:
            # A file from send_file streams from disk; read it (every static file is small) so it is compressed
            # whole, from the cache, rather than chunk by chunk on every request.
            response.direct_passthrough = False
            response.make_sequence()
        return compress.after_request(response)


def _may_reflect_into_a_personal_page(response) -> bool:
    """BREACH: a compressed page that holds a secret and echoes what the request carried leaks the secret through its
    length, given thousands of requests in the person's name. Signed-in pages asked with a query string (filters,
    ?next=) or answering a form echo input beside personal data: they go uncompressed. Plain signed-in GETs are
    compressed: the session cookie is SameSite=Lax, so another site can make them only as top-level navigations, and
    the CSRF token in them is signed with the second it was made in, so it cannot be read out over many responses."""
    if response.mimetype != "text/html" or not _is_signed_in():
        return False
    return bool(request.query_string) or request.method not in ("GET", "HEAD")


def _static_key(req, fingerprint) -> str:
    """The cache key of a static file: its name and the hash of its content (never the request's ?v=, which anyone
    can vary). Every other response gets no key, and _StaticCompressed never keeps it."""
    if req.endpoint == "static" and req.view_args:
        filename = req.view_args.get("filename", "")
        return f"static:{fingerprint(filename)}:{filename}"
    return ""


class _StaticCompressed:
    """flask-compress's cache, for static files only: each file compressed once per worker and version, at the best
    level (what a build step's precompressed .br/.gz files would hold). Other keys are neither kept nor found."""

    def __init__(self, static_root: str) -> None:
        self.static_root = static_root
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        found = self.data.get(key)
        if found is not None:
            return found
        algorithm, _, name = key.partition(";static:")
        path = safe_join(self.static_root, name.partition(":")[2]) if name else None
        if path is None or algorithm not in ("br", "gzip"):
            return None
        try:
            body = Path(path).read_bytes()
        except OSError:
            return None
        if algorithm == "br":
            compressed = brotli.compress(body, quality=STATIC_BR_LEVEL)
        else:
            compressed = gzip.compress(body, STATIC_GZIP_LEVEL, mtime=0)
        self.data[key] = compressed
        return compressed

    def set(self, key: str, value: bytes) -> None:
        return None  # get() keeps what it made; pages are never kept


class _SessionInterface(SecureCookieSessionInterface):
    """Static files leave the session alone: no Set-Cookie and no Vary: Cookie (Flask-Login reads the session after
    every request), which would make a browser fetch an immutable file again whenever the session cookie changes.
    Nor do the health endpoints (coach/ops): a probe has no session to keep."""

    # The cookie is signed with HMAC-SHA-256 rather than Flask's default HMAC-SHA-1, which ASVS 5.0 lists as legacy
    # (Appendix C); cookies signed before are refused, like any other forged one.
    digest_method = staticmethod(hashlib.sha256)

    def save_session(self, app, session, response):
        if request.endpoint == "static" or request.blueprint == "ops":
            return None
        return super().save_session(app, session, response)


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
