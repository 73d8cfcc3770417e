"""The reminders-by-routine-id migration on a database that already holds reminders and routine sessions: every
row survives, each routine reminder points at the routine its slug named (a slug that names no routine of the
owner's is kept as text), and going back restores every slug text.
SQLite always; PostgreSQL too when DATABASE_URL names one (a scratch database next to it)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coach import create_app
from coach.extensions import db

from .. import migration_helpers
from ..conftest import make_config
from ..migration_helpers import T0, insert, migrate_to, tables

BEFORE = "c1nulls0001"
THIS = "b10routines0001"
fresh_url = migration_helpers.fresh_url  # a fresh database per test, SQLite and PostgreSQL (a fixture)
DAILY = {"type": "daily", "times": ["07:30"]}


def _rows(conn, table: sa.Table) -> dict[int, dict]:
    return {row.id: dict(row._mapping) for row in conn.execute(sa.select(table))}


def test_reminders_move_to_routine_ids_and_back_with_nothing_lost(fresh_url):
    app = create_app(make_config(fresh_url))
    migrate_to(app, BEFORE)
    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        ada = insert(conn, t["users"], email="ada@example.com", country="GB", timezone="Europe/London")
        bo = insert(conn, t["users"], email="bo@example.com", country="DE", timezone="Europe/Berlin")

        def routine(slug, owner=None):
            return insert(conn, t["routines"], slug=slug, title=slug.replace("-", " ").capitalize(), kind="relief",
                           summary="s", is_stock=owner is None, owner_id=owner)

        floor, walk, bos_own = routine("floor-mobility"), routine("walk-it-off"), routine("bo-warm-up", owner=bo)

        def reminder(user, kind, slug=None, **values):
            values = {"body": "Time.", "schedule": DAILY, "enabled": True, **values}
            return insert(conn, t["reminders"], user_id=user, kind=kind, routine=slug, title=f"{kind} {slug}",
                           **values)

        reminders = {
            "floor": reminder(ada, "routine", "floor-mobility", client_id="3f1c55a4-1b8e-4a53-9f3e-5a0d8b5c1e01"),
            "walk": reminder(ada, "routine", "walk-it-off", enabled=False),
            "own": reminder(bo, "routine", "bo-warm-up"),
            "not_hers": reminder(ada, "routine", "bo-warm-up"),  # another person's routine: not linked
            "unknown": reminder(ada, "routine", "retired-routine"),
            "posture": reminder(ada, "posture"),
        }
        note = insert(conn, t["notifications"], user_id=ada, reminder_id=reminders["floor"], kind="routine",
                       title="Floor", url="/routines/floor-mobility/play", tag="t1", fire_at=T0)
        insert(conn, t["deliveries"], reminder_id=reminders["floor"], fire_at=T0, topic="t", payload="{}",
                status="pending", next_attempt_at=T0)
        insert(conn, t["routine_sessions"], user_id=ada, routine_id=floor, routine_slug="floor-mobility",
                routine_title="Floor mobility", started_at=T0, completed=True, completed_steps=[1, 2], steps_total=2)
        insert(conn, t["routine_sessions"], user_id=ada, routine_id=None, routine_slug="retired-routine",
                routine_title="Retired", started_at=T0, completed=False, completed_steps=[], steps_total=3,
                pain_before=6, pain_after=4)
        before = {name: _rows(conn, t[name]) for name in ("reminders", "routine_sessions", "notifications")}
        db.engine.dispose()

    migrate_to(app, THIS)

    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        assert "routine" not in t["reminders"].c and "routine_id" in t["reminders"].c
        after = _rows(conn, t["reminders"])
        assert set(after) == set(before["reminders"])
        moved = ("routine_id", "routine_slug_unresolved")
        for ident, old in before["reminders"].items():
            kept = {k: v for k, v in old.items() if k != "routine"}
            assert {k: v for k, v in after[ident].items() if k not in moved} == kept
        linked = {name: after[ident]["routine_id"] for name, ident in reminders.items()}
        assert linked == {"floor": floor, "walk": walk, "own": bos_own, "not_hers": None, "unknown": None,
                          "posture": None}
        # A slug that names no routine its owner may play is kept as it was (and only then).
        unresolved = {name: after[ident]["routine_slug_unresolved"] for name, ident in reminders.items()}
        assert unresolved == {"floor": None, "walk": None, "own": None, "not_hers": "bo-warm-up",
                              "unknown": "retired-routine", "posture": None}
        # What was played is kept as it was, and so are the inbox and the delivery the rebuild must not cascade to.
        assert _rows(conn, t["routine_sessions"]) == before["routine_sessions"]
        assert _rows(conn, t["notifications"]) == before["notifications"]
        assert conn.execute(sa.select(t["notifications"].c.reminder_id).where(t["notifications"].c.id == note)).scalar() \
            == reminders["floor"]
        assert conn.execute(sa.select(sa.func.count()).select_from(t["deliveries"])).scalar() == 1
        # The replay key survived the rebuild.
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            insert(conn, t["reminders"], user_id=ada, kind="custom", title="Again", schedule=DAILY,
                    client_id="3f1c55a4-1b8e-4a53-9f3e-5a0d8b5c1e01")
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        db.engine.dispose()

    migrate_to(app, BEFORE, down=True)

    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        assert "routine_id" not in t["reminders"].c and "routine_slug_unresolved" not in t["reminders"].c
        # Every reminder is back as it was, slug text included: the linked ones name their routine again, the two
        # that named no routine of theirs get their kept text back.
        assert _rows(conn, t["reminders"]) == before["reminders"]
        assert _rows(conn, t["routine_sessions"]) == before["routine_sessions"]
        assert conn.execute(sa.select(sa.func.count()).select_from(t["deliveries"])).scalar() == 1
        db.engine.dispose()


def test_a_deleted_routine_leaves_its_reminder_in_place(fresh_url):
    """ON DELETE SET NULL: the reminder keeps its title and schedule and opens the library instead."""
    app = create_app(make_config(fresh_url))
    migrate_to(app, THIS)
    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        user = insert(conn, t["users"], email="cy@example.com", country="GB", timezone="UTC")
        own = insert(conn, t["routines"], slug="cy-stretch-k7p2q", title="Stretch", kind="relief", summary="s",
                      is_stock=False, owner_id=user)
        reminder = insert(conn, t["reminders"], user_id=user, kind="routine", routine_id=own, title="Stretch",
                           schedule=DAILY, enabled=True)
        conn.execute(t["routines"].delete().where(t["routines"].c.id == own))
        row = conn.execute(sa.select(t["reminders"]).where(t["reminders"].c.id == reminder)).one()
        assert (row.routine_id, row.title, row.enabled) == (None, "Stretch", True)
        db.engine.dispose()
