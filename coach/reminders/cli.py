"""flask run-scheduler (the reminder tick as its own process), prune-deliveries, and vapid init|show."""
from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app

from .dispatch import prune_deliveries as prune
from .dispatch import tick
from .push import generate_vapid_file, load_vapid, sender_for
from .scheduler import make_scheduler, single_runner_lock


def register(app: Flask) -> None:
    @app.cli.command("run-scheduler")
    @click.option("--once", is_flag=True, help="Run one tick (until nothing is due) and exit.")
    def run_scheduler(once: bool):
        """Run the reminder dispatcher every REMINDER_TICK_SECONDS (several may run on PostgreSQL)."""
        flask_app = current_app._get_current_object()
        lock = single_runner_lock(flask_app)
        if lock is None:
            raise click.ClickException("Another scheduler is running on this SQLite database (instance/scheduler.lock).")
        if sender_for(flask_app) is None:
            click.echo("Web push is not set up (flask vapid init): reminders go to the inbox only.", err=True)
        if once:
            stats = tick(flask_app)
            click.echo(f"fired {stats.fired}, deliveries {stats.created}, results {stats.outcomes}")
            return
        scheduler = make_scheduler(flask_app, BlockingScheduler)

        def stop(signum, frame):
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        click.echo(f"Reminder scheduler: tick every {flask_app.config['REMINDER_TICK_SECONDS']} s (Ctrl+C stops)")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass

    @app.cli.command("prune-deliveries")
    @click.option("--days", default=None, type=click.IntRange(min=1),
                  help="Keep this many days of finished deliveries [default: DELIVERY_RETENTION_DAYS, 30].")
    def prune_deliveries(days: int | None):
        """Delete push delivery records that finished more than --days ago (the inbox is kept). The scheduler
        also does this once a day."""
        days = days or int(current_app.config.get("DELIVERY_RETENTION_DAYS", 30))
        deleted = prune(datetime.now(UTC) - timedelta(days=days))
        click.echo(f"Deleted {deleted} delivery records older than {days} days.")

    @app.cli.group("vapid")
    def vapid():
        """The VAPID key pair that signs web pushes."""

    @vapid.command("init")
    @click.option("--subject", default="mailto:admin@localhost", show_default=True,
                  help="Contact for push services: mailto:you@example.com or an https URL.")
    @click.option("--force", is_flag=True, help="Replace an existing key (every device must subscribe again).")
    def vapid_init(subject: str, force: bool):
        """Make the key pair once, into the instance folder (vapid.json, mode 0600)."""
        flask_app = current_app._get_current_object()
        if flask_app.config.get("VAPID_PRIVATE_KEY"):
            raise click.ClickException("VAPID_PRIVATE_KEY is set in the environment: that key is used; nothing to do.")
        if not (subject.startswith("mailto:") and "@" in subject) and not subject.startswith("https://"):
            raise click.ClickException("--subject must be mailto:someone@example.com or an https:// URL")
        try:
            path, keys = generate_vapid_file(flask_app.instance_path, subject, force=force)
        except FileExistsError:
            keys = load_vapid(flask_app.config, flask_app.instance_path)
            click.echo(f"A key pair already exists; keeping it (--force replaces it). Public key:\n{keys.public_key}")
            return
        flask_app.extensions.pop("push_sender", None)
        click.echo(f"Wrote {path}\nPublic key (applicationServerKey):\n{keys.public_key}")

    @vapid.command("show")
    def vapid_show():
        """Print the public key in use."""
        keys = load_vapid(current_app.config, current_app.instance_path)
        if keys is None:
            raise click.ClickException("No VAPID key: run flask vapid init, or set VAPID_PRIVATE_KEY.")
        click.echo(f"{keys.public_key}\nsubject: {keys.subject}")
