"""url_for once per URL and worker: every page builds the same tab bar, asset and content links on each request."""
from __future__ import annotations

from functools import lru_cache

from flask import Flask, has_request_context, request

# Bounded: a value can come from a request (a `next` path), so the cache must not grow with what clients send.
MAX_URLS = 2048
MAX_VALUE_LENGTH = 256


def memoize_url_for(app: Flask) -> None:
    """Make `url_for` (flask.url_for and the templates' global) remember the URLs it built in a request.

    A relative URL depends only on the endpoint, its values and the application root (SCRIPT_NAME), so those are
    the key. Anything else is built as before: external URLs, a scheme, an anchor or a method, endpoints relative
    to the request's blueprint, values that are not plain text or integers (True and 1 would share a key), and
    every call while the app has url_defaults functions (they may add values from the request).
    """
    build = app.url_for

    @lru_cache(maxsize=MAX_URLS)
    def built(root: str, endpoint: str, values: tuple) -> str:
        return build(endpoint, **dict(values))

    def url_for(endpoint: str, *, _anchor=None, _method=None, _scheme=None, _external=None, **values) -> str:
        if (_anchor is None and _method is None and _scheme is None and not _external and endpoint[:1] != "."
                and has_request_context() and _plain(values) and not any(app.url_default_functions.values())):
            # In the order given: it is the order of the query string's parameters.
            return built(request.root_path, endpoint, tuple(values.items()))
        return build(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values)

    url_for.cache_info = built.cache_info  # type: ignore[attr-defined]
    app.url_for = url_for  # type: ignore[method-assign]  # flask.url_for calls current_app.url_for
    app.jinja_env.globals["url_for"] = url_for


def _plain(values: dict) -> bool:
    for value in values.values():
        kind = type(value)
        if kind is int or value is None:  # build() leaves None out
            continue
        if kind is not str or len(value) > MAX_VALUE_LENGTH:
            return False
    return True
