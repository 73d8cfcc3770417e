"""Migration tests on a database that already holds rows: a fresh database per test (SQLite always, a scratch
PostgreSQL database next to DATABASE_URL's when it names one), migrating to a revision, and rows inserted as the
schema was then."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from coach.extensions import db

T0 = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    base = request.getfixturevalue("database_url")
    if not base.startswith("postgresql"):
        pytest.skip("PostgreSQL only when DATABASE_URL names one")
    with scratch_postgres(base, "migration") as url:
        yield url


@contextmanager
def scratch_postgres(base: str, suffix: str) -> Iterator[str]:
    """An empty PostgreSQL database beside `base`'s (its name plus `_suffix`), dropped afterwards."""
    url = make_url(base)
    scratch = f"{url.database}_{suffix}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    try:
        yield url.set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


def migrate_to(app, revision: str, down: bool = False) -> None:
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        (downgrade if down else upgrade)(revision=revision)
        db.engine.dispose()


def _placeholder(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        return T0
    if isinstance(kind, sa.JSON):
        return []
    return "x"


def insert(conn, table: sa.Table, **values) -> int:
    """A row with the given values and a placeholder in every other NOT NULL column (as the schema was then)."""
    row = {c.name: _placeholder(c) for c in table.columns if not c.nullable and not c.primary_key}
    row.update(values)
    return conn.execute(table.insert().values(**row)).inserted_primary_key[0]


def tables(conn) -> dict[str, sa.Table]:
    meta = sa.MetaData()
    meta.reflect(conn)
    return meta.tables
