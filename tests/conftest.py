"""Fixtures: a migrated database (SQLite by default, PostgreSQL when DATABASE_URL is set), app, client."""
from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coach import create_app
from coach.config import TestConfig, normalise_database_url
from coach.extensions import db

from .factories import Api, WebSession


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_postgres(url: str) -> None:
    name = make_url(url).database or ""
    # The suite empties the schema it runs in: refuse anything that is not clearly a test database.
    if not re.search(r"test", name):
        raise pytest.UsageError(f"DATABASE_URL must name a test database (with 'test' in its name), got {name!r}")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_config(url: str, **overrides) -> TestConfig:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _reset_postgres(url)
    # The schema comes from the migrations, so every test also proves they work on this database.
    app = create_app(make_config(url))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


def _empty_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app_factory(database_url, tmp_path):
    made = []

    def factory(**overrides):
        app = create_app(make_config(database_url, **overrides))
        made.append(app)
        return app

    yield factory
    if made:
        _empty_tables(made[0])


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def web(client):
    return WebSession(client)


@pytest.fixture
def seeded(app):
    """The app with the stock content loaded (routines, tips, rules), as `flask seed` does."""
    from coach.seed import seed

    with app.app_context():
        seed()
    return app


@pytest.fixture
def is_postgres(database_url):
    return database_url.startswith("postgresql")
