"""Trainers and their clients: invites and links (with the client's consent), routines a trainer builds and
publishes in versions, assignments on a schedule, adherence, and the client list ordered by who needs attention.

Pages for both sides live here (a trainer's /trainer/..., a client's /trainers and /assigned). This package may
use other features' services; no other feature imports it (episodes reach trainers through access.watchers
and the inbox), so the feature graph stays acyclic."""
from flask import Blueprint

bp = Blueprint("trainer", __name__)

from . import assignment_routes, client_routes, link_routes, routine_routes  # noqa: E402,F401
