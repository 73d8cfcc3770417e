"""The scheduler (one interval job, never twice, never in the reloader's watcher) and the CLI commands."""
from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import click
import pytest

from coach.extensions import db
from coach.models import Notification, Reminder
from coach.reminders import scheduler as scheduler_module
from tests.reminder_helpers import VAPID_PRIVATE, make_user


def test_one_interval_job_that_never_overlaps_and_a_daily_prune(app_factory):
    app = app_factory(REMINDER_TICK_SECONDS=20)
    scheduler = scheduler_module.make_scheduler(app)
    job = scheduler.get_job("reminders-tick")
    assert job.trigger.interval == timedelta(seconds=20)
    assert job.max_instances == 1 and job.coalesce is True and job.misfire_grace_time >= 60
    prune = scheduler.get_job("deliveries-prune")
    assert str(prune.trigger) == "cron[hour='3', minute='17']" and prune.coalesce is True
    assert {j.id for j in scheduler.get_jobs()} == {"reminders-tick", "deliveries-prune"}


def test_not_started_by_the_factory_in_tests_or_unless_asked(app_factory):
    assert "scheduler" not in app_factory().extensions
    assert "scheduler" not in app_factory(SCHEDULER_IN_PROCESS=True).extensions  # TESTING wins


def test_started_in_process_once_and_only_once(app_factory, monkeypatch, tmp_path):
    started = []

    class StubScheduler:
        running = False

        def start(self):
            started.append(self)
            self.running = True

        def shutdown(self, wait=True):
            self.running = False

    monkeypatch.setattr(scheduler_module, "make_scheduler", lambda app: StubScheduler())
    monkeypatch.setattr(scheduler_module, "_running", {})
    monkeypatch.setenv("COACH_INSTANCE_PATH", str(tmp_path))
    first = app_factory(SCHEDULER_IN_PROCESS=True, TESTING=False)
    second = app_factory(SCHEDULER_IN_PROCESS=True, TESTING=False)
    assert len(started) == 1 and "scheduler" in first.extensions and "scheduler" not in second.extensions
    for handle in (first.extensions.get("scheduler_lock"),):
        if hasattr(handle, "close"):
            handle.close()


def test_the_reloader_watcher_and_other_commands_do_not_tick(app, monkeypatch):
    run = click.Command("run")
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    with click.Context(run, info_name="run") as ctx:
        ctx.params["reload"] = True
        assert scheduler_module._serving_process(app) is False  # the watcher: its child serves
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
        assert scheduler_module._serving_process(app) is True  # the child
        ctx.params["reload"] = False
        monkeypatch.delenv("WERKZEUG_RUN_MAIN")
        assert scheduler_module._serving_process(app) is True
    with click.Context(click.Command("upgrade"), info_name="upgrade"):
        assert scheduler_module._serving_process(app) is False
    assert scheduler_module._serving_process(app) is True  # imported by a WSGI server


def test_sqlite_takes_one_runner(app_factory, tmp_path, is_postgres):
    if is_postgres:
        pytest.skip("PostgreSQL takes any number of runners")
    app = app_factory()
    app.instance_path = str(tmp_path)
    first = scheduler_module.single_runner_lock(app)
    assert first is not None and scheduler_module.single_runner_lock(app) is None
    first.close()
    again = scheduler_module.single_runner_lock(app)
    assert again is not None
    again.close()


def test_vapid_init_makes_the_keys_once(app_factory, tmp_path):
    app = app_factory(VAPID_PRIVATE_KEY=None)
    app.instance_path = str(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["vapid", "init", "--subject", "mailto:ops@example.com"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "vapid.json"
    stored = json.loads(path.read_text())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stored["public_key"] in result.output and stored["subject"] == "mailto:ops@example.com"
    again = runner.invoke(args=["vapid", "init"])
    assert "already exists; keeping it" in again.output and json.loads(path.read_text()) == stored
    shown = runner.invoke(args=["vapid", "show"])
    assert stored["public_key"] in shown.output
    assert app.test_client().get("/api/v1/push/public-key").get_json() == {"public_key": stored["public_key"]}
    bad = runner.invoke(args=["vapid", "init", "--force", "--subject", "ops"])
    assert bad.exit_code != 0 and json.loads(path.read_text()) == stored


def test_vapid_init_leaves_a_key_from_the_environment_alone(app_factory, tmp_path):
    app = app_factory(VAPID_PRIVATE_KEY=VAPID_PRIVATE)
    app.instance_path = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["vapid", "init"])
    assert result.exit_code != 0 and "VAPID_PRIVATE_KEY is set" in result.output
    assert not (tmp_path / "vapid.json").exists()


def test_run_scheduler_once_fires_what_is_due(app_factory, tmp_path):
    app = app_factory()
    app.instance_path = str(tmp_path)
    with app.app_context():
        user = make_user("UTC")
        now = datetime.now(UTC)
        db.session.add(Reminder(user_id=user.id, kind="custom", title="Due", enabled=True,
                                schedule={"type": "daily", "times": ["09:00"]}, next_fire_at=now - timedelta(minutes=1)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["run-scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "fired 1" in result.output and "inbox only" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(Notification.title)) == "Due"


def test_prune_deliveries_keeps_pending_and_recent_ones(app_factory):
    from coach.models import Delivery

    app = app_factory()
    now = datetime.now(UTC)
    with app.app_context():
        user = make_user("UTC")
        reminder = Reminder(user_id=user.id, kind="custom", title="R", schedule={"type": "daily", "times": ["09:00"]})
        db.session.add(reminder)
        db.session.commit()
        for n, (status, age) in enumerate([("sent", 40), ("gone", 40), ("pending", 40), ("sent", 5)]):
            db.session.add(Delivery(reminder_id=reminder.id, fire_at=now - timedelta(days=age, minutes=n),
                                    topic=f"t{n}", payload="{}", status=status, next_attempt_at=now,
                                    created_at=now - timedelta(days=age)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["prune-deliveries", "--days", "30"])
    assert "Deleted 2" in result.output
    with app.app_context():
        assert sorted(db.session.scalars(db.select(Delivery.status))) == ["pending", "sent"]
    assert app.test_cli_runner().invoke(args=["prune-deliveries", "--days", "0"]).exit_code == 2


def test_the_daily_job_prunes_in_batches_with_the_configured_retention(app_factory):
    from coach.models import Delivery
    from coach.reminders.dispatch import prune_deliveries

    app = app_factory(DELIVERY_RETENTION_DAYS=7)
    now = datetime.now(UTC)

    def add(n: int, status: str, days_old: float) -> None:
        db.session.add(Delivery(reminder_id=reminder_id, fire_at=now - timedelta(days=days_old, minutes=n),
                                topic=f"t{n}", payload="{}", status=status, next_attempt_at=now,
                                created_at=now - timedelta(days=days_old)))

    with app.app_context():
        user = make_user("UTC")
        reminder = Reminder(user_id=user.id, kind="custom", title="R", schedule={"type": "daily", "times": ["09:00"]})
        db.session.add(reminder)
        db.session.commit()
        reminder_id = reminder.id
        for n in range(20):
            add(n, "sent", 8)
        for n in range(20, 23):
            add(n, "pending", 8)
        for n in range(23, 25):
            add(n, "failed", 1)
        db.session.commit()
        assert prune_deliveries(now - timedelta(days=30), batch=6) == 0
        assert prune_deliveries(now - timedelta(days=7), batch=6) == 20  # four transactions: 6, 6, 6, 2
        add(25, "gone", 7.5)
        add(26, "sent", 6.5)
        db.session.commit()
    scheduler_module.run_prune(app)  # DELIVERY_RETENTION_DAYS=7: the 7.5-day-old one goes
    with app.app_context():
        left = sorted(db.session.scalars(db.select(Delivery.topic)))
        assert left == ["t20", "t21", "t22", "t23", "t24", "t26"]
