"""Routines, tips and sources: public content, readable without signing in."""
from __future__ import annotations

from flask_login import current_user

from ..extensions import api_spec
from ..pagination import list_page
from ..routines.schemas import RoutineOut, routine_outs
from ..routines.service import get_routine, list_routines, list_sources, list_tips
from . import bp
from .schemas import responses
from .schemas_relief import RoutineList, RoutineQuery, SourceList, TipList, TipQuery

TAG = "Routines, sessions and tips"


@bp.get("/routines")
@api_spec.validate(query=RoutineQuery, resp=responses(200, RoutineList), tags=[TAG])
def index_routines(query: RoutineQuery):
    """Stock routines (and the caller's own, when signed in), in the library's order."""
    routines, next_cursor = list_page(list_routines(current_user, query.kind), query.limit, query.cursor)
    return RoutineList.model_validate({"items": routine_outs(routines), "next_cursor": next_cursor})


@bp.get("/routines/<slug>")
@api_spec.validate(resp=responses(200, RoutineOut), tags=[TAG])
def show_routine(slug: str):
    return routine_outs([get_routine(current_user, slug)])[0]


@bp.get("/tips")
@api_spec.validate(query=TipQuery, resp=responses(200, TipList), tags=[TAG])
def index_tips(query: TipQuery):
    """Tips, optionally of one category, each with its source ids."""
    tips, next_cursor = list_page(list_tips(query.category), query.limit, query.cursor)
    return TipList.model_validate({"items": tips, "next_cursor": next_cursor})


@bp.get("/sources")
@api_spec.validate(resp=responses(200, SourceList), tags=[TAG])
def index_sources():
    """Every source the content cites, by id."""
    return SourceList.model_validate({"items": list_sources()})
