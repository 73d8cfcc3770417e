"""The trainers migration on a database that already holds reminders (with deliveries and inbox entries),
routines (stock and made, with steps) and sessions: every row survives the table rebuilds SQLite needs for the
new foreign keys, a made routine gets its version 1 from its steps, and going back drops only what was added.
SQLite always; PostgreSQL too when DATABASE_URL names one (a scratch database next to it)."""
from __future__ import annotations

import sqlalchemy as sa

from coach import create_app
from coach.extensions import db

from .. import migration_helpers
from ..conftest import make_config
from ..migration_helpers import T0, insert, migrate_to, tables

BEFORE = "b10routines0001"
THIS = "t11trainers0001"
NEW_TABLES = {"invites", "trainer_links", "assignments", "assignment_pauses", "routine_versions"}
fresh_url = migration_helpers.fresh_url  # a fresh database per test, SQLite and PostgreSQL (a fixture)
DAILY = {"type": "daily", "times": ["07:30"]}


def _rows(conn, name: str) -> dict[int, dict]:
    table = tables(conn)[name]
    return {row.id: dict(row._mapping) for row in conn.execute(sa.select(table))}


def _without(rows: dict[int, dict], *columns: str) -> dict[int, dict]:
    return {ident: {k: v for k, v in row.items() if k not in columns} for ident, row in rows.items()}


def test_existing_rows_survive_and_made_routines_get_version_1(fresh_url):
    app = create_app(make_config(fresh_url))
    migrate_to(app, BEFORE)
    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        ada = insert(conn, t["users"], email="ada@example.com", country="GB", timezone="Europe/London")
        stock = insert(conn, t["routines"], slug="floor-mobility", title="Floor mobility", kind="mobility",
                       summary="s", is_stock=True)
        made = insert(conn, t["routines"], slug="ada-warm-up-a1b2c", title="Ada warm-up", kind="mobility",
                      summary="Before squats", is_stock=False, owner_id=ada, created_at=T0)
        for position, (title, seconds, optional) in enumerate([("Cat-cow", 60, False), ("Walk", 120, True)], 1):
            insert(conn, t["routine_steps"], routine_id=made, position=position, title=title,
                   instruction=f"{title} gently", seconds=seconds, optional=optional)
        insert(conn, t["routine_steps"], routine_id=stock, position=1, title="Lie", instruction="Lie down", seconds=30)
        reminder = insert(conn, t["reminders"], user_id=ada, kind="routine", routine_id=made, title="Warm up",
                          schedule=DAILY, enabled=True, next_fire_at=T0)
        insert(conn, t["notifications"], user_id=ada, reminder_id=reminder, kind="routine", title="Warm up",
               url="/routines/ada-warm-up-a1b2c/play", tag="t1", fire_at=T0)
        insert(conn, t["deliveries"], reminder_id=reminder, fire_at=T0, topic="t", payload="{}", status="pending",
               next_attempt_at=T0)
        insert(conn, t["routine_sessions"], user_id=ada, routine_id=made, routine_slug="ada-warm-up-a1b2c",
               routine_title="Ada warm-up", started_at=T0, completed=True, completed_steps=[1], steps_total=2)
        before = {name: _rows(conn, name) for name in
                  ("users", "routines", "routine_steps", "reminders", "notifications", "deliveries", "routine_sessions")}

    migrate_to(app, THIS)
    with app.app_context(), db.engine.begin() as conn:
        assert NEW_TABLES <= set(tables(conn))
        after = {name: _rows(conn, name) for name in before}
        assert _without(after["reminders"], "assignment_id") == before["reminders"]
        assert all(row["assignment_id"] is None for row in after["reminders"].values())
        assert _without(after["routine_sessions"], "assignment_id", "routine_version") == before["routine_sessions"]
        assert _without(after["routines"], "version", "has_draft") == before["routines"]
        assert {row["version"] for row in after["routines"].values()} == {1}
        assert not any(row["has_draft"] for row in after["routines"].values())
        for name in ("users", "routine_steps", "notifications", "deliveries"):
            assert after[name] == before[name], name
        versions = list(_rows(conn, "routine_versions").values())
        assert len(versions) == 1, "only the made routine gets a version; stock routines are not versioned"
        (version,) = versions
        assert (version["routine_id"], version["version"], version["title"], version["summary"]) == (
            made, 1, "Ada warm-up", "Before squats")
        assert version["steps"] == [
            {"position": 1, "title": "Cat-cow", "instruction": "Cat-cow gently", "seconds": 60, "optional": False},
            {"position": 2, "title": "Walk", "instruction": "Walk gently", "seconds": 120, "optional": True},
        ]

    migrate_to(app, BEFORE, down=True)
    with app.app_context(), db.engine.begin() as conn:
        assert not NEW_TABLES & set(tables(conn))
        for name, rows in before.items():
            assert _rows(conn, name) == rows, name
