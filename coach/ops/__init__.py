"""Operations: the health endpoints (/healthz, /readyz) for load balancers and orchestrators, and request logs."""
from flask import Blueprint

from .readiness import migration_heads

bp = Blueprint("ops", __name__)
# The migrations' head, read when the app is made (once per process), not on a probe.
bp.record_once(lambda state: migration_heads(state.app.extensions["migrate"].directory))

from . import routes  # noqa: E402,F401
