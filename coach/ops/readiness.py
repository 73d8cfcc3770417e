"""Is this process ready for traffic: the database answers and its schema is at the migrations' head."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str  # short and safe to show anyone: never an exception's text (it names hosts and users)


@lru_cache(maxsize=8)
def migration_heads(directory: str) -> frozenset[str]:
    """The head revisions of migrations/, read once per process (parsing every script costs tens of ms)."""
    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def check(engine: Engine, heads: frozenset[str]) -> Readiness:
    """One SELECT. A connection that cannot be made fails within the engine's connect_timeout (config.py), so a
    balancer gets a 503 rather than a hung probe while PostgreSQL restarts; pool_pre_ping replaces dead pooled
    connections, so the next probe after it is back succeeds without restarting anything."""
    try:
        connection = engine.connect()
    except SQLAlchemyError as error:
        log.warning("readyz: database unreachable: %s", type(error).__name__)
        return Readiness(False, "database unreachable")
    try:
        with connection:
            found = frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        # Connected, but no alembic_version table: a database nobody has migrated.
        log.warning("readyz: the database has no migration history (run flask db upgrade)")
        return Readiness(False, "database not migrated")
    if found == heads:
        return Readiness(True, "ready")
    # Behind (run flask db upgrade) or ahead (this host runs older code than the schema): either way not ready.
    log.warning("readyz: database at revision %s, this code's head is %s", sorted(found), sorted(heads))
    return Readiness(False, "migrations not at head")
