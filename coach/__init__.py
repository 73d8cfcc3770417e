"""Relief Coach: create_app() builds the Flask application."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from dotenv import load_dotenv
from flask import Flask
from werkzeug.routing import IntegerConverter

from . import account, api, auth, episodes, formats, main, ops, pwa, relief, reminders, routines, security, trainer
from .auth import session as auth_session
from .cli import register_cli
from .config import MIN_SECRET_LENGTH, Config, ConfigError, engine_options, instance_secret_key, weak_secret
from .errors import register_error_handlers
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .models import MAX_ID  # coach.models imports every model: the metadata is complete before Migrate sees it
from .ops import logs
from .reminders.scheduler import start_in_process

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | dict | None = None) -> Flask:
    """Configuration, extensions, blueprints, errors, commands, in that order."""
    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
        instance_path=os.environ.get("COACH_INSTANCE_PATH") or str(ROOT / "instance"),
    )
    configure(app, config)
    configure_logger(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    start_scheduler(app)
    return app


def configure(app: Flask, config: Config | dict | None) -> None:
    if config is None:
        load_dotenv(ROOT / ".env", override=False)
        config = Config()
    if isinstance(config, dict):
        overrides, config = config, Config()
        app.config.from_object(config)
        app.config.update(overrides)
    else:
        app.config.from_object(config)
    # Any Flask or extension setting can be set as FLASK_<NAME> (e.g. FLASK_RATELIMIT_ENABLED=false).
    app.config.from_prefixed_env()
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'coach.db'}"
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {},
        app.config.get("DATABASE_CONNECT_TIMEOUT", 3))
    if not app.config.get("SECRET_KEY"):
        if app.config.get("PRODUCTION"):
            raise ConfigError(
                "SECRET_KEY is not set. In production set SECRET_KEY to a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                "or set COACH_ENV=development for a local run."
            )
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    elif app.config.get("PRODUCTION") and weak_secret(app.config["SECRET_KEY"]):
        raise ConfigError(
            f"SECRET_KEY is too weak for production: use at least {MIN_SECRET_LENGTH} random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )


def configure_logger(app: Flask) -> None:
    """Request ids and the access line (coach/ops/logs.py) on every app; stderr handlers only outside tests."""
    logs.init_app(app)
    if not app.debug and not app.testing:
        logs.configure_root(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))
    # Alembic announces every autogenerate plugin at INFO on each CLI call; only its warnings matter.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    auth_session.init_login(app, login_manager)
    security.init_app(app)
    babel.init_app(app, default_locale=formats.DEFAULT_LOCALE, locale_selector=formats.person_locale,
                   timezone_selector=formats.person_timezone)
    formats.register_filters(app)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    app.register_blueprint(ops.bp)
    app.register_blueprint(pwa.bp)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(episodes.bp)
    app.register_blueprint(relief.bp)
    app.register_blueprint(routines.bp)
    app.register_blueprint(reminders.bp)
    app.register_blueprint(trainer.bp)
    api.register(app)


def register_errorhandlers(app: Flask) -> None:
    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    register_cli(app)


def start_scheduler(app: Flask) -> None:
    """Only with SCHEDULER_IN_PROCESS (`make run`), never in tests or twice: see coach/reminders/scheduler.py."""
    start_in_process(app)


class DatabaseIdConverter(IntegerConverter):
    """<int:...> in URLs: only ids the database can hold; anything larger is simply not found."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
