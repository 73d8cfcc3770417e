"""The app shell: headers, PWA files, error pages, configuration, CLI and migrations."""
from __future__ import annotations

import json
import secrets
import struct

import pytest
from sqlalchemy import text

from coach import create_app
from coach.config import Config, ConfigError


def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # not in development/testing


def test_production_sets_hsts_and_secure_cookies(monkeypatch, database_url):
    monkeypatch.setenv("COACH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app(Config())
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/offline")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_without_secret_key_refuses_to_start(monkeypatch):
    monkeypatch.setenv("COACH_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app(Config())


@pytest.mark.parametrize("key", ["change-me", "x" * 40, "short-but-random-9f3a", "CHANGEME"])
def test_production_refuses_a_weak_or_example_secret_key(monkeypatch, key):
    monkeypatch.setenv("COACH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak for production"):
        create_app(Config())


def test_development_keeps_a_generated_key_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("COACH_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COACH_INSTANCE_PATH", str(tmp_path))
    first = create_app(Config()).config["SECRET_KEY"]
    second = create_app(Config()).config["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    # No DATABASE_URL: SQLite in the instance folder.
    assert create_app(Config()).config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'coach.db'}"


def test_postgres_url_forms_are_normalised(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5432/db")
    assert Config().SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h:5432/db"


def test_sqlite_runs_with_wal_and_foreign_keys(app, is_postgres):
    if is_postgres:
        pytest.skip("SQLite pragmas")
    from coach.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_models_and_migrations_agree(app):
    """No pending autogenerate diff: a model change without a migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from coach.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_have_a_single_head():
    """Two features branching from the same revision need a merge revision before they land."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from coach import ROOT

    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_manifest_is_installable_shape(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    for key in ("name", "short_name", "id", "start_url", "scope", "theme_color", "background_color"):
        assert manifest[key]
    assert manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert ("192x192", "any") in sizes and ("512x512", "any") in sizes and ("512x512", "maskable") in sizes
    for icon in manifest["icons"]:
        png = client.get(icon["src"]).get_data()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_service_worker_is_served_from_root_uncached_and_versioned(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    assert "__CACHE_VERSION__" not in body and "__PRECACHE_URLS__" not in body
    assert '"/offline"' in body and "/static/css/app.css?v=" in body


def test_pages_link_fingerprinted_assets_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    assert 'rel="manifest"' in html
    start = html.index("/static/css/app.css?v=")
    url = html[start : html.index('"', start)]
    response = client.get(url)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"] and "immutable" in response.headers["Cache-Control"]


def test_no_inline_scripts_in_rendered_pages(client):
    import re

    for path in ("/", "/login", "/register", "/offline", "/sos", "/does-not-exist"):
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (path, tag)
        assert " onclick=" not in html and " onload=" not in html


def test_offline_page_is_friendly_and_personal_data_free(web, client):
    web.register(display_name="Secret Name")
    html = client.get("/offline").get_data(as_text=True)
    assert "offline" in html.lower()
    assert "Secret Name" not in html


def test_html_404_is_a_friendly_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True) or "not found" in response.get_data(as_text=True).lower()


def test_signed_in_pages_are_not_stored_by_caches(web, client):
    web.register()
    assert client.get("/me").headers["Cache-Control"] == "no-store"


def test_api_answers_are_never_cached(web, client):
    """They carry health data and depend on who asks: also errors, also signed out."""
    web.register()
    for path in ("/api/v1/me", "/api/v1/episodes", "/api/v1/me/export", "/api/v1/assessment", "/api/v1/no-such-thing"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert "Authorization" in response.headers["Vary"] and "Cookie" in response.headers["Vary"], path
    signed_out = client.application.test_client().get("/api/v1/me")
    assert signed_out.status_code == 401 and signed_out.headers["Cache-Control"] == "no-store"


def test_bottom_navigation_on_every_page(client):
    for path in ("/", "/login", "/offline", "/sos", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert 'aria-label="Main"' in html
        for label in ("SOS", "Log", "Routines", "Reminders"):
            assert f">{label}<" in html, (path, label)


def test_seed_command_is_idempotent(runner):
    first = runner.invoke(args=["seed"])
    second = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "5 routines" in first.output and first.output == second.output


def test_create_user_command(runner, web):
    result = runner.invoke(
        args=["create-user", "--email", "Coach@Example.com", "--name", "Coach", "--role", "trainer", "--timezone", "Europe/Berlin", "--country", "DE"],
        input="a fine long passphrase\na fine long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created trainer coach@example.com" in result.output
    assert web.login("coach@example.com", "a fine long passphrase").status_code == 302
    duplicate = runner.invoke(
        args=["create-user", "--email", "coach@example.com", "--name", "Again"],
        input="a fine long passphrase\na fine long passphrase\n",
    )
    assert duplicate.exit_code != 0 and "already registered" in duplicate.output


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_trusted_proxies_decide_whose_address_the_rate_limits_see(app_factory, hops, seen):
    from flask import request

    app = app_factory(TRUSTED_PROXIES=hops)
    seen_addresses = []
    app.before_request(lambda: seen_addresses.append((request.remote_addr, request.scheme)))
    app.test_client().get("/offline", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "https"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    # One proxy: its X-Forwarded-For entry (the last) is the client; spoofed entries before it are ignored.
    assert seen_addresses == [(seen, "https" if hops else "http")]
