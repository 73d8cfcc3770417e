"""The "not recorded" migration on a database that already holds a diary: old rows and everything that
points at them survive, new rows may leave the skipped answers NULL. SQLite always (a file of its own);
PostgreSQL too when DATABASE_URL names one (a scratch database next to it)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coach import create_app
from coach.extensions import db

from .. import migration_helpers
from ..conftest import make_config
from ..migration_helpers import T0, insert, migrate_to, tables

BEFORE = "r8dispatch0001"
THIS = "c1nulls0001"
fresh_url = migration_helpers.fresh_url  # a fresh database per test, SQLite and PostgreSQL (a fixture)
def test_upgrade_keeps_old_rows_and_what_points_at_them(fresh_url):
    app = create_app(make_config(fresh_url))
    migrate_to(app, BEFORE)
    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        user = insert(conn, t["users"], email="old@example.com", country="GB", timezone="Europe/London")
        old = insert(
            conn, t["episodes"], user_id=user, started_at=T0, trigger="unknown", during_exercise=False, severity=6,
            locked_minutes=0, eased_by_stretch=None, locations=["lower_back"], symptoms=[], source="form",
            notes="kept as typed",
        )
        lifting = insert(
            conn, t["episodes"], user_id=user, started_at=T0, trigger="lifting", during_exercise=True, severity=8,
            locked_minutes=45, eased_by_stretch=True, locations=["lower_back", "buttock"], symptoms=["night_pain"],
            source="api", client_id="2b1c55a4-1b8e-4a53-9f3e-5a0d8b5c1e01",
        )
        insert(conn, t["follow_ups"], episode_id=old, user_id=user, at=T0, status="improving", severity=3, symptoms=[])
        reminder = insert(conn, t["reminders"], user_id=user, episode_id=old, kind="follow_up", title="Check in",
                           schedule={"type": "once"}, enabled=True)
        insert(conn, t["deliveries"], reminder_id=reminder, fire_at=T0, topic="t", payload="{}", status="pending",
                next_attempt_at=T0)
        db.engine.dispose()

    migrate_to(app, THIS)

    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        episodes = t["episodes"]
        rows = {r.id: r for r in conn.execute(sa.select(episodes))}
        assert (rows[old].trigger, rows[old].during_exercise, rows[old].severity, rows[old].locked_minutes) == ("unknown", False, 6, 0)
        assert rows[old].eased_by_stretch is None and rows[old].notes == "kept as typed"
        assert list(rows[old].locations) == ["lower_back"]
        assert (rows[lifting].trigger, rows[lifting].during_exercise, rows[lifting].severity) == ("lifting", True, 8)
        assert (rows[lifting].locked_minutes, rows[lifting].eased_by_stretch) == (45, True)
        assert list(rows[lifting].symptoms) == ["night_pain"]
        # The table rebuild on SQLite must not cascade to the episode's check-in, reminder and delivery.
        for child in ("follow_ups", "reminders", "deliveries"):
            assert conn.execute(sa.select(sa.func.count()).select_from(t[child])).scalar() == 1, child
        # A duplicate offline replay is still refused: the unique (user_id, client_id) survived the rebuild.
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            insert(conn, episodes, user_id=user, started_at=T0, client_id="2b1c55a4-1b8e-4a53-9f3e-5a0d8b5c1e01",
                    locations=[], symptoms=[], source="api")
        fresh = insert(conn, episodes, user_id=user, started_at=T0, locations=[], symptoms=[], source="sos",
                        trigger=None, during_exercise=None, severity=None, locked_minutes=None)
        row = conn.execute(sa.select(episodes).where(episodes.c.id == fresh)).one()
        assert (row.trigger, row.during_exercise, row.severity, row.locked_minutes, row.eased_by_stretch) == (None,) * 5
        assert conn.execute(sa.select(t["users"].c.profile_prompt_done_at)).scalar() is None
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        db.engine.dispose()


def test_downgrade_gives_skipped_answers_the_old_stored_values(fresh_url):
    app = create_app(make_config(fresh_url))
    migrate_to(app, THIS)
    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        user = insert(conn, t["users"], email="new@example.com", country="DE", timezone="Europe/Berlin")
        episode = insert(conn, t["episodes"], user_id=user, started_at=T0, severity=4, locations=[], symptoms=[],
                          source="form", trigger=None, during_exercise=None, locked_minutes=None)
        insert(conn, t["follow_ups"], episode_id=episode, user_id=user, at=T0, status="same", symptoms=[])
        db.engine.dispose()

    migrate_to(app, BEFORE, down=True)

    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        row = conn.execute(sa.select(t["episodes"])).one()
        assert (row.trigger, row.during_exercise, row.locked_minutes, row.severity) == ("unknown", False, 0, 4)
        assert not t["episodes"].c.trigger.nullable and not t["episodes"].c.severity.nullable
        assert "profile_prompt_done_at" not in t["users"].c
        assert conn.execute(sa.select(sa.func.count()).select_from(t["follow_ups"])).scalar() == 1
        db.engine.dispose()


def test_downgrade_refuses_while_a_spasm_has_no_pain_score(fresh_url):
    app = create_app(make_config(fresh_url))
    migrate_to(app, THIS)
    with app.app_context(), db.engine.begin() as conn:
        t = tables(conn)
        user = insert(conn, t["users"], email="sos@example.com", country="GB", timezone="UTC")
        insert(conn, t["episodes"], user_id=user, started_at=T0, severity=None, locations=[], symptoms=["chest_pain"],
                source="sos")
        db.engine.dispose()
    with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's message and exits non-zero
        migrate_to(app, BEFORE, down=True)
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == THIS
        assert conn.execute(sa.text("SELECT symptoms FROM episodes")).scalar() in ('["chest_pain"]', ["chest_pain"])
        db.engine.dispose()
