"""Configuration from the environment: Config for running, TestConfig for the test suite."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """The app cannot start with the configuration it was given."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from None


def normalise_database_url(url: str) -> str:
    """Accept the plain `postgres://` and `postgresql://` forms hosting platforms hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str, options: dict, connect_timeout: int) -> dict:
    """SQLAlchemy engine options for this database: PostgreSQL gets a connect timeout (sqlite3 has none)."""
    if not url.startswith("postgresql"):
        return options
    connect_args = {"connect_timeout": connect_timeout, **options.get("connect_args", {})}
    return {**options, "connect_args": connect_args}


# Push services the server may POST to (https only); PUSH_ALLOWED_HOSTS replaces the list.
DEFAULT_PUSH_HOSTS = "fcm.googleapis.com,*.push.services.mozilla.com,web.push.apple.com,*.notify.windows.com"


class Config:
    """Read once at start-up; any key can be overridden with a FLASK_-prefixed variable."""

    def __init__(self) -> None:
        self.ENV_NAME = os.environ.get("COACH_ENV", "production").strip().lower()
        if self.ENV_NAME not in {"production", "development"}:
            raise ConfigError("COACH_ENV must be 'production' or 'development'")
        self.PRODUCTION = self.ENV_NAME == "production"
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or None
        database_url = os.environ.get("DATABASE_URL")
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url) if database_url else None
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # Seconds to wait for a new PostgreSQL connection: while the server is down or unreachable, requests and
        # /readyz fail fast (503) instead of hanging until the proxy gives up. libpq's minimum is 2.
        self.DATABASE_CONNECT_TIMEOUT = _int("DATABASE_CONNECT_TIMEOUT", 3)
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        # With it on, Redis out of reach does not take sign-in down: each worker counts in memory until it is back.
        # Off by default (the library's default): the fallback takes any error raised while Flask-Limiter checks a
        # limit or writes its headers for a dead store, and then counts in memory until its next check of the store.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = _bool("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", False)
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour")
        self.RATELIMIT_LOGIN_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "5 per minute;30 per hour")
        self.RATELIMIT_REGISTER = os.environ.get("RATELIMIT_REGISTER", "5 per minute;30 per hour")
        self.RATELIMIT_PASSWORD_CHECK = os.environ.get("RATELIMIT_PASSWORD_CHECK", "5 per minute;20 per hour")
        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 256 * 1024)
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: trust none).
        # Behind one proxy set 1, or every client shares the proxy's address and its rate limits.
        self.TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
        self.API_TOKEN_TTL_DAYS = _int("API_TOKEN_TTL_DAYS", 30)
        self.PERMANENT_SESSION_LIFETIME = timedelta(days=_int("SESSION_DAYS", 30))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", self.PRODUCTION)
        self.PREFERRED_URL_SCHEME = "https" if self.PRODUCTION else "http"
        self.HSTS_ENABLED = _bool("HSTS_ENABLED", self.PRODUCTION)
        # Flask-WTF: tokens live as long as the session so a form left open on a phone still posts.
        self.WTF_CSRF_TIME_LIMIT = None
        self.SQLALCHEMY_TRACK_MODIFICATIONS = False
        self.SQLITE_WAL = True
        # Reminders and web push (docs/OPERATIONS.md, "Reminders").
        self.SCHEDULER_IN_PROCESS = _bool("SCHEDULER_IN_PROCESS", False)
        self.REMINDER_TICK_SECONDS = _int("REMINDER_TICK_SECONDS", 15)
        self.PUSH_ALLOWED_HOSTS = os.environ.get("PUSH_ALLOWED_HOSTS", DEFAULT_PUSH_HOSTS)
        self.PUSH_ALLOW_LOOPBACK = _bool("PUSH_ALLOW_LOOPBACK", False)
        self.PUSH_TTL_SECONDS = _int("PUSH_TTL_SECONDS", 4 * 3600)
        self.PUSH_SEND_THREADS = _int("PUSH_SEND_THREADS", 8)
        self.PUSH_IN_FLIGHT = _int("PUSH_IN_FLIGHT", 100)
        self.DELIVERY_RETENTION_DAYS = _int("DELIVERY_RETENTION_DAYS", 30)
        self.VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY") or None
        self.VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY") or None
        self.VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT") or None
        # Logs (docs/OPERATIONS.md, "Logs"): JSON lines in production, text while developing; one access line per
        # request in production (the development server prints its own).
        self.LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if self.PRODUCTION else "text").strip().lower()
        if self.LOG_FORMAT not in {"json", "text"}:
            raise ConfigError("LOG_FORMAT must be 'json' or 'text'")
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "info").strip().upper()
        self.REQUEST_LOG = _bool("REQUEST_LOG", self.PRODUCTION)


class TestConfig(Config):
    """Used by the test suite: fixed secret, no .env, memory rate-limit storage."""

    def __init__(self) -> None:
        super().__init__()
        self.ENV_NAME = "testing"
        self.PRODUCTION = False
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key-not-for-production"
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.SESSION_COOKIE_SECURE = False
        self.HSTS_ENABLED = False
        self.PREFERRED_URL_SCHEME = "http"
        self.SCHEDULER_IN_PROCESS = False  # tests drive the dispatcher themselves, with a fixed clock
        self.REQUEST_LOG = False  # tests that read the access line turn it on


MIN_SECRET_LENGTH = 32
# Placeholders from examples; a key anyone can read is no key.
KNOWN_PLACEHOLDERS = ("change-me", "changeme", "secret", "dev", "development", "test-secret-key-not-for-production")


def weak_secret(key) -> bool:
    """Production refuses keys that are short or copied from an example (sessions could be forged)."""
    text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
    return len(text) < MIN_SECRET_LENGTH or text.strip().lower() in KNOWN_PLACEHOLDERS or len(set(text)) < 8


def instance_secret_key(instance_path: str) -> str:
    """Development only: make a key once and keep it, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
