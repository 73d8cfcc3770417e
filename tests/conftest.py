"""Fixtures: a migrated database (SQLite by default, PostgreSQL when DATABASE_URL is set), app, client."""
from __future__ import annotations

import os
import re
from functools import partial

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash

from coach import create_app
from coach.auth import service as auth_service
from coach.config import TestConfig, normalise_database_url
from coach.extensions import db

from .factories import Api, WebSession

# One PBKDF2 round instead of scrypt's 0.1-0.2 s for every sign-up and sign-in in the suite (a third of its time).
# check_password_hash reads the method from the stored hash, so either kind verifies; tests marked
# real_password_hash keep the production hashing (tests/web/test_password_hashing.py).
CHEAP_HASH_METHOD = "pbkdf2:sha256:1"
_CHEAP_DUMMY_HASH = generate_password_hash("not-a-real-password-just-timing", method=CHEAP_HASH_METHOD)


@pytest.fixture(autouse=True)
def cheap_password_hashes(request, monkeypatch):
    if request.node.get_closest_marker("real_password_hash"):
        return
    monkeypatch.setattr(auth_service, "generate_password_hash",
                        partial(generate_password_hash, method=CHEAP_HASH_METHOD))
    monkeypatch.setattr(auth_service, "_DUMMY_HASH", _CHEAP_DUMMY_HASH)


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for every app the suite makes: each test's new app would otherwise parse and
    compile every template it renders again. Jinja checks each entry against the template's source."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedTemplateCode()


def _share_url_builders() -> None:
    """Werkzeug compiles a URL builder function from an AST for every route of every new app (40 ms of each test's
    app). The function depends only on the rule's text, its parsed parts and defaults, and is bound to each rule
    when used, so the suite's apps can share one per rule."""
    compile_builder = Rule._compile_builder
    built: dict[tuple, object] = {}

    def shared(self, append_unknown=True):
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = shared


_share_url_builders()


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker runs in a PostgreSQL database of its own beside DATABASE_URL's, made afresh."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str, admin_url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def make_config(url: str, **overrides) -> TestConfig:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def make_app(url: str, **overrides):
    """create_app on the test config, sharing compiled templates with the suite's other apps."""
    app = create_app(make_config(url, **overrides))
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    return app


# The rows the migrations themselves insert (content_state's one row), as they were after `upgrade`: every test
# starts from them, not from tables emptied of them.
_MIGRATED_ROWS: dict[str, list[dict]] = {}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... under pytest-xdist (make test)
    admin_url = None
    if url.startswith("postgresql"):
        name = make_url(url).database or ""
        # The suite empties the database it runs in: refuse anything that is not clearly a test database.
        if not re.search(r"test", name):
            raise pytest.UsageError(f"DATABASE_URL must name a test database (with 'test' in its name), got {name!r}")
        if worker:
            admin_url, url = url, _worker_database(url, worker)
        else:
            _reset_postgres(url)
    # The schema comes from the migrations, so every test also proves they work on this database.
    app = create_app(make_config(url))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                rows = [dict(row._mapping) for row in conn.execute(select(table))]
                if rows:
                    _MIGRATED_ROWS[table.name] = rows
        db.engine.dispose()
    yield url
    if admin_url:
        _drop_database(url, admin_url)


def _empty_tables(app) -> None:
    """Back to the freshly migrated database: every table emptied, the migrations' own rows put back."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            for table in db.metadata.sorted_tables:
                if table.name in _MIGRATED_ROWS:
                    conn.execute(insert(table), _MIGRATED_ROWS[table.name])
        db.engine.dispose()


@pytest.fixture
def app_factory(database_url, tmp_path):
    made = []

    def factory(**overrides):
        app = make_app(database_url, **overrides)
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
