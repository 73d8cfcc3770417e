"""gunicorn settings for Relief Coach in production (`gunicorn` alone reads this file and serves wsgi:app).

Every setting can be changed from the environment; the defaults suit one host with a few cores:
  BIND (or PORT: 0.0.0.0:$PORT; default 127.0.0.1:8000)   WEB_CONCURRENCY (workers; default 2 per core)
  GUNICORN_TIMEOUT (30 s), GUNICORN_GRACEFUL_TIMEOUT (30 s)   MAX_REQUESTS (10000; 0: never recycle) and MAX_REQUESTS_JITTER (10% of it)
  ACCESS_LOG (off: the app logs requests; "-" or a path, to stderr with JSON logs)   LOG_LEVEL (info)
  GUNICORN_PRELOAD (on; 0: off)
  LOG_FORMAT (json, or text with COACH_ENV=development: the app's setting, read here too)
The reminder scheduler runs as its own process (`flask --app wsgi run-scheduler`, docs/OPERATIONS.md): this
file refuses SCHEDULER_IN_PROCESS, which would run it in gunicorn's master (preloaded) or in every worker.
"""
import gc
import os

_TRUE = {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's cpuset), not the host's
    except AttributeError:
        return os.cpu_count() or 1


wsgi_app = "wsgi:app"
bind = [os.environ.get("BIND") or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")]
# Sync workers: every request is short and CPU- or database-bound; gthread splits kept-alive connections
# unevenly between processes (docs/OPERATIONS.md). Two per core keeps a core busy while the other waits on I/O.
worker_class = "sync"
workers = _int("WEB_CONCURRENCY", 2 * _cores())
# Load the app once in the master and fork: workers share its pages (less memory), start in milliseconds when
# recycled, and a broken configuration fails at start-up instead of in a crash loop. Safe because create_app
# opens no database connection (docs/ARCHITECTURE.md) and post_fork drops any pooled one all the same.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() in _TRUE
# Recycle a worker after this many requests (guards against slow leaks); the jitter keeps the workers from
# restarting at the same moment.
max_requests = _int("MAX_REQUESTS", 10_000)
max_requests_jitter = _int("MAX_REQUESTS_JITTER", max_requests // 10)
timeout = _int("GUNICORN_TIMEOUT", 30)  # a worker silent this long is killed and replaced
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # time to finish in-flight requests on restart
keepalive = 2  # only used by non-sync workers; sync workers close after each response (a proxy keeps clients alive)
# The heartbeat file in memory: a disk-backed /tmp can block workers (gunicorn's FAQ, "Blocking os.fchmod").
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The app writes the access line itself (coach/ops/logs.py): one JSON line per request with the request id, the
# signed-in user's id and the duration, which gunicorn's access log cannot know, and with secret URL parts (a
# calendar feed's token) left out, which gunicorn's would print. So gunicorn's own is off unless asked for.
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
_log_format = (os.environ.get("LOG_FORMAT") or
               ("text" if os.environ.get("COACH_ENV", "").strip().lower() == "development" else "json")).strip().lower()
if _log_format == "json":
    # gunicorn's own lines (start, workers booting and dying, timeouts) as JSON on stderr too, through the app's
    # formatter, so a log shipper reads one format. The root handler set here is the one the app then uses: the
    # app only adds its request id to handlers it finds (coach/ops/logs.py, configure_root).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "coach.ops.logs.json_formatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
            # With a logging dict gunicorn writes access lines whatever accesslog says: only ACCESS_LOG turns them on.
            "gunicorn.access": {"level": "INFO" if accesslog else "WARNING", "handlers": ["stderr"],
                                "propagate": False},
        },
    }
proc_name = "relief-coach"
# No control socket: its default path ($HOME/.gunicorn/gunicorn.ctl) is shared by every gunicorn of the user.
control_socket_disable = True


def on_starting(server):
    """Refuse to start with the in-process reminder scheduler (it would tick in the master, or once per worker)."""
    app = server.app.wsgi() if server.cfg.preload_app else None
    scheduler = app.extensions.get("scheduler") if app is not None else None
    asked = os.environ.get("SCHEDULER_IN_PROCESS", "").strip().lower() in _TRUE
    if scheduler is not None or asked:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        raise SystemExit("SCHEDULER_IN_PROCESS is for the single-process `make run` only; under gunicorn unset it "
                         "and run `flask --app wsgi run-scheduler` beside it (docs/OPERATIONS.md).")


def pre_fork(server, worker):
    """Move the preloaded app's objects out of the collector's reach before forking (the gc module's docs, on
    gc.freeze): a collection in a worker would otherwise write to every shared page and copy it."""
    if server.cfg.preload_app:
        gc.freeze()


def post_fork(server, worker):
    """A forked worker must not share the master's pooled database connections (SQLAlchemy, "Using
    Connection Pools with Multiprocessing"): forget them without closing the parent's sockets."""
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()
    database = app.extensions.get("sqlalchemy")
    if database is None:
        return
    with app.app_context():
        for engine in database.engines.values():
            engine.dispose(close=False)
