"""The login-sessions migration on a database that already holds people with API tokens: every person and token
stays, users.session_version goes and login_sessions comes (empty: everyone signs in once more), and going back
gives session_version back as 1. SQLite always; PostgreSQL too when DATABASE_URL names one."""
from __future__ import annotations

import sqlalchemy as sa

from coach import create_app
from coach.extensions import db

from .. import migration_helpers
from ..conftest import make_config
from ..migration_helpers import T0, insert, migrate_to, tables

BEFORE = "t12perf0001"
THIS = "s13sessions0001"
fresh_url = migration_helpers.fresh_url  # a fresh database per test, SQLite and PostgreSQL (a fixture)


def _count(conn, table: sa.Table) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_people_and_tokens_survive_and_sessions_start_empty_then_go_back(fresh_url):
    app = create_app(make_config(fresh_url))
    migrate_to(app, BEFORE)
    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        ada = insert(conn, t["users"], email="ada@example.com", country="GB", timezone="Europe/London",
                     session_version=7)
        insert(conn, t["api_tokens"], user_id=ada, token_hash="a" * 64, name="phone", created_at=T0, expires_at=T0)
        db.engine.dispose()

    migrate_to(app, THIS)
    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        assert "session_version" not in t["users"].c
        assert conn.execute(sa.select(t["users"].c.email)).scalar() == "ada@example.com"
        assert _count(conn, t["api_tokens"]) == 1 and _count(conn, t["login_sessions"]) == 0
        insert(conn, t["login_sessions"], id="b" * 64, user_id=ada, created_at=T0, last_seen_at=T0)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        # A person deleted takes their sessions with them (the foreign key cascades).
        conn.execute(t["users"].delete())
        assert _count(conn, t["login_sessions"]) == 0
        insert(conn, t["users"], email="bo@example.com", country="GB", timezone="UTC")
        db.engine.dispose()

    migrate_to(app, BEFORE, down=True)
    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        assert "login_sessions" not in t
        assert conn.execute(sa.select(t["users"].c.email, t["users"].c.session_version)).one() == ("bo@example.com", 1)
        db.engine.dispose()
