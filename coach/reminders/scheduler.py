"""The APScheduler tick: one interval job that runs the reminder dispatcher, and a daily one that prunes
finished delivery records.

APScheduler 3 only provides the clock here; the database is the source of truth (see
coach/reminders/dispatch.py), so several tick runners on PostgreSQL are safe. SQLite takes one runner
per database: a lock file in the instance folder keeps a second one on the same host from starting.
The app factory calls `start_in_process`, which does nothing unless SCHEDULER_IN_PROCESS is set, and
never in tests, in the reloader's watcher process, under other CLI commands, or twice in one process.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask.helpers import get_debug_flag
from werkzeug.serving import is_running_from_reloader

from .dispatch import prune_deliveries, tick

log = logging.getLogger(__name__)

JOB_ID = "reminders-tick"
PRUNE_JOB_ID = "deliveries-prune"
LOCK_FILE = "scheduler.lock"
_guard = threading.Lock()
_running: dict[str, BaseScheduler] = {}


def run_tick(app) -> None:
    """The job. Errors are logged, never raised into APScheduler (the next tick tries again)."""
    try:
        # A tick works until nothing is due (a busy minute may take longer than the interval: the next
        # tick then waits, max_instances=1, and the missed ones coalesce into one).
        tick(app)
    except Exception:
        log.exception("reminders: tick failed")


def run_prune(app) -> None:
    """The daily job: finished delivery records older than DELIVERY_RETENTION_DAYS go (the inbox stays)."""
    try:
        with app.app_context():
            days = max(1, int(app.config.get("DELIVERY_RETENTION_DAYS", 30)))
            deleted = prune_deliveries(datetime.now(UTC) - timedelta(days=days))
            if deleted:
                log.info("reminders: pruned %d delivery records older than %d days", deleted, days)
    except Exception:
        log.exception("reminders: pruning deliveries failed")


def make_scheduler(app, scheduler_class: type[BaseScheduler] = BackgroundScheduler) -> BaseScheduler:
    # APScheduler logs every run of the job at INFO (every 15 s); the tick logs what it did itself.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    seconds = max(1, int(app.config.get("REMINDER_TICK_SECONDS", 15)))
    scheduler = scheduler_class(timezone=UTC)
    scheduler.add_job(
        run_tick, "interval", seconds=seconds, args=[app], id=JOB_ID, replace_existing=True,
        max_instances=1,  # never two ticks at once in one process
        coalesce=True,  # ticks missed while one ran long become one
        misfire_grace_time=max(60, seconds * 4),  # the 3.x default of 1 s drops ticks on a busy host
        next_run_time=datetime.now(UTC),
    )
    # Once a day, at a quiet time in UTC; a missed run (the process was down) runs at the next start
    # within the day. Idempotent, so several runners on PostgreSQL may each do it.
    scheduler.add_job(run_prune, "cron", hour=3, minute=17, args=[app], id=PRUNE_JOB_ID, replace_existing=True,
                      max_instances=1, coalesce=True, misfire_grace_time=24 * 3600)
    return scheduler


def single_runner_lock(app):
    """On SQLite, an exclusive lock file (held until the process ends); None when another holder exists.
    On PostgreSQL any number of runners may work side by side, so no lock is taken."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return True
    import fcntl  # why: POSIX only, and only SQLite runners take the lock

    path = Path(app.instance_path) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115  (kept open: the lock lives as long as the handle)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _serving_process(app) -> bool:
    """False for the reloader's watcher (its child serves) and for CLI commands other than `run`."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:  # a WSGI server imported wsgi:app
        return True
    if ctx.info_name != "run":
        return False
    reload = ctx.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    return not reload or is_running_from_reloader()


def start_in_process(app) -> BaseScheduler | None:
    if not app.config.get("SCHEDULER_IN_PROCESS") or app.testing or not _serving_process(app):
        return None
    with _guard:
        if "in-process" in _running:
            log.warning("reminders: scheduler already running in this process; not starting another")
            return None
        lock = single_runner_lock(app)
        if lock is None:
            log.warning("reminders: another scheduler holds %s; this process will not tick", LOCK_FILE)
            return None
        scheduler = make_scheduler(app)
        scheduler.start()
        _running["in-process"] = scheduler
        app.extensions["scheduler"] = scheduler
        app.extensions["scheduler_lock"] = lock
    atexit.register(lambda: scheduler.running and scheduler.shutdown(wait=False))
    log.info("reminders: in-process scheduler started (tick every %ss)", app.config.get("REMINDER_TICK_SECONDS"))
    return scheduler
