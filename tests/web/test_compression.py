"""Compressed responses (issue 12): pages and static files come back in brotli or gzip when the browser asks,
decode to the very bytes sent uncompressed, say Vary: Accept-Encoding, and keep their caching (ETag, 304, immutable)
and security headers; PNG and tiny bodies go as they are."""
from __future__ import annotations

import gzip
import re

import brotli
import pytest

from coach import create_app
from tests.conftest import make_config

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
CSRF_META = re.compile(rb'<meta name="csrf-token" content="[^"]+">')


def asset(app, path: str) -> str:
    with app.test_request_context():
        return app.extensions["asset_url"](path)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_page_comes_back_compressed_and_decodes_to_the_same_page(seeded, encoding):
    client = seeded.test_client()
    plain = client.get("/sos")
    packed = client.get("/sos", headers={"Accept-Encoding": f"{encoding}, deflate"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"] and "Cookie" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 3
    # The same page, but for the CSRF token (signed with the second it was made in).
    assert CSRF_META.sub(b"", DECODE[encoding](packed.data)) == CSRF_META.sub(b"", plain.data)
    # The security headers are still there, and unchanged.
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Cache-Control"):
        assert packed.headers[name] == plain.headers[name], name


@pytest.mark.parametrize(("path", "encoding"), [("js/player.js", "br"), ("css/app.css", "gzip"), ("js/level.js", "gzip")])
def test_a_static_file_comes_back_compressed_cached_for_a_year_and_304s(app, path, encoding):
    client = app.test_client()
    url = asset(app, path)
    on_disk = (app.static_folder + "/" + path)
    with open(on_disk, "rb") as handle:
        original = handle.read()
    first = client.get(url, headers={"Accept-Encoding": encoding})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == encoding
    assert DECODE[encoding](first.data) == original
    assert len(first.data) < len(original) / 2.5
    assert "Accept-Encoding" in first.headers["Vary"]
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    etag = first.headers["ETag"]
    # Asked again, the same bytes (compressed once and kept); the ETag names the encoding, so a cache never hands a
    # gzip body to someone who asked for br.
    again = client.get(url, headers={"Accept-Encoding": encoding})
    assert again.data == first.data and again.headers["ETag"] == etag and etag.endswith(f':{encoding}"')
    revalidated = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": etag})
    assert revalidated.status_code == 304 and revalidated.data == b""
    # Without Accept-Encoding, the file as it is, with its own ETag and 304.
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers and plain.data == original
    assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_each_encoding_of_a_static_file_is_made_once_per_version(app):
    client = app.test_client()
    url = asset(app, "js/player.js")
    store = app.extensions["compress"].cache
    client.get(url, headers={"Accept-Encoding": "br"})
    client.get(url + "x", headers={"Accept-Encoding": "br"})  # another ?v= is the same file: the same entry
    client.get(url, headers={"Accept-Encoding": "gzip"})
    kept = sorted(key.split(";")[0] for key in store.data if key.endswith(":js/player.js"))
    assert kept == ["br", "gzip"]
    client.get("/sos", headers={"Accept-Encoding": "br"})  # pages are never kept
    assert all(";static:" in key for key in store.data)


def test_png_and_tiny_bodies_are_sent_as_they_are(app, api):
    client = app.test_client()
    icon = client.get(asset(app, "icons/icon-192.png"), headers={"Accept-Encoding": "br, gzip"})
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers
    _, token = api.register()
    tiny = api.get("/api/v1/episodes", token=token, headers={"Accept-Encoding": "br, gzip"})
    assert tiny.status_code == 200 and len(tiny.data) < 500 and "Content-Encoding" not in tiny.headers


def test_a_byte_range_of_a_static_file_is_not_compressed(app):
    client = app.test_client()
    ranged = client.get(asset(app, "js/player.js"), headers={"Accept-Encoding": "br", "Range": "bytes=0-9999"})
    assert ranged.status_code == 206 and "Content-Encoding" not in ranged.headers and len(ranged.data) == 10_000


def test_the_service_worker_comes_back_compressed_and_whole(app):
    client = app.test_client()
    plain = client.get("/sw.js")
    packed = client.get("/sw.js", headers={"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br" and brotli.decompress(packed.data) == plain.data
    assert packed.headers["Cache-Control"] == "no-cache" and packed.headers["Service-Worker-Allowed"] == "/"


def test_development_compresses_files_afresh(database_url):
    """In debug mode files change while someone works on them: nothing is kept."""
    app = create_app(make_config(database_url, DEBUG=True))
    client = app.test_client()
    response = client.get(asset(app, "css/app.css"), headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert app.extensions["compress"].cache is None


def test_signed_in_pages_that_echo_the_request_are_not_compressed(seeded, web, client):
    """BREACH: personal data beside input from the query string (a filter) is sent uncompressed. (A form sent back
    with its errors is a 400, which is never compressed.)"""
    web.register()
    plain_diary = client.get("/diary", headers={"Accept-Encoding": "br"})
    assert plain_diary.status_code == 200 and plain_diary.headers["Content-Encoding"] == "br"
    filtered = client.get("/diary?location=calf", headers={"Accept-Encoding": "br"})
    assert filtered.status_code == 200 and "Content-Encoding" not in filtered.headers
    # Signed out, a query string carries nothing personal to leak.
    client.post("/logout", data={"csrf_token": web.csrf("/me")})
    signed_out = client.get("/routines?kind=relief", headers={"Accept-Encoding": "br"})
    assert signed_out.status_code == 200 and signed_out.headers["Content-Encoding"] == "br"


def test_static_files_leave_the_session_cookie_alone(app, web, client):
    """A signed-in page refreshes the session cookie; a static file must not, nor vary on it, or the browser would
    fetch every immutable file again each time the cookie changes."""
    web.register()
    page = client.get("/me")
    assert "session=" in page.headers.get("Set-Cookie", "") and "Cookie" in page.headers["Vary"]
    script = client.get(asset(app, "js/app.js"), headers={"Accept-Encoding": "br"})
    assert script.status_code == 200 and "Set-Cookie" not in script.headers
    assert script.headers["Vary"] == "Accept-Encoding"
    # Document headers stay on documents; a script keeps nosniff.
    assert "Content-Security-Policy" not in script.headers and script.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    worker = client.get("/sw.js")
    assert "worker-src 'self'" in worker.headers["Content-Security-Policy"]
