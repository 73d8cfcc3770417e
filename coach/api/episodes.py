"""Episodes, follow-ups and the assessment."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_login import current_user

from ..episodes.schemas import AssessmentOut, EpisodeOut
from ..episodes.service import (
    add_follow_up,
    assess_user,
    delete_episode,
    get_episode,
    list_episodes,
    log_episode,
    update_episode,
    upsert_episode,
)
from ..extensions import api_spec
from . import bp
from .auth import login_required
from .idempotency import idempotency_key
from .schemas import AUTH, responses
from .schemas_episodes import (
    AssessmentQuery,
    EpisodeCreated,
    EpisodeIn,
    EpisodeList,
    EpisodePatch,
    EpisodeQuery,
    EpisodeUpsert,
    FollowUpCreated,
    FollowUpIn,
)

TAG = "Episodes and assessment"


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


@bp.post("/episodes")
@login_required
@api_spec.validate(json=EpisodeIn, resp=responses(201, EpisodeCreated, replay=True), tags=[TAG], security=AUTH)
def create_episode(json: EpisodeIn):
    """Log an episode. With Idempotency-Key (or client_id) a replay answers 200 with the original."""
    now = _now()
    values = json.model_dump(exclude_unset=True, exclude={"client_id"})
    episode, created = log_episode(_me(), values, now, client_id=idempotency_key(json.client_id), source="api")
    body = EpisodeCreated.model_validate({"episode": episode, "assessment": assess_user(_me(), now)})
    return body, 201 if created else 200


@bp.put("/episodes/by-client/<client_id>")
@login_required
@api_spec.validate(json=EpisodeUpsert, resp=responses(201, EpisodeCreated, replay=True), tags=[TAG], security=AUTH)
def upsert_episode_by_client(client_id: str, json: EpisodeUpsert):
    """Create or add to the episode the phone calls `client_id` (a UUID it made when the spasm began).

    201 when it is new (`started_at` required), 200 when merged: `symptoms` and `locations` gain the codes
    sent (nothing is removed), every other field sent and not null replaces the stored answer, absent or null
    fields stay. `severity` is optional here: a safety-check "Yes" may be saved before any pain score.
    """
    now = _now()
    values = json.model_dump(exclude_unset=True)
    episode, created = upsert_episode(_me(), client_id, values, now)
    body = EpisodeCreated.model_validate({"episode": episode, "assessment": assess_user(_me(), now)})
    return body, 201 if created else 200


@bp.get("/episodes")
@login_required
@api_spec.validate(query=EpisodeQuery, resp=responses(200, EpisodeList), tags=[TAG], security=AUTH)
def index_episodes(query: EpisodeQuery):
    """Episodes newest first; `from`/`to` are local dates in the user's zone, inclusive."""
    items, cursor = list_episodes(_me(), start=query.from_, end=query.to, limit=query.limit, cursor=query.cursor)
    return EpisodeList.model_validate({"items": items, "next_cursor": cursor})


@bp.get("/episodes/<int:episode_id>")
@login_required
@api_spec.validate(resp=responses(200, EpisodeOut), tags=[TAG], security=AUTH)
def show_episode(episode_id: int):
    return EpisodeOut.model_validate(get_episode(_me(), episode_id))


@bp.patch("/episodes/<int:episode_id>")
@login_required
@api_spec.validate(json=EpisodePatch, resp=responses(200, EpisodeOut), tags=[TAG], security=AUTH)
def patch_episode(episode_id: int, json: EpisodePatch):
    """Change any field; fields left out stay as they are."""
    values = json.model_dump(exclude_unset=True)
    return EpisodeOut.model_validate(update_episode(_me(), episode_id, values, _now()))


@bp.delete("/episodes/<int:episode_id>")
@login_required
@api_spec.validate(resp=responses(204), tags=[TAG], security=AUTH)
def remove_episode(episode_id: int):
    delete_episode(_me(), episode_id)
    return "", 204


@bp.post("/episodes/<int:episode_id>/follow-ups")
@login_required
@api_spec.validate(json=FollowUpIn, resp=responses(201, FollowUpCreated, replay=True), tags=[TAG], security=AUTH)
def create_follow_up(episode_id: int, json: FollowUpIn):
    """A check-in on an episode ("how is it now?")."""
    now = _now()
    values = json.model_dump(exclude_unset=True, exclude={"client_id"})
    follow_up, created = add_follow_up(_me(), episode_id, values, now, client_id=idempotency_key(json.client_id))
    body = FollowUpCreated.model_validate({"follow_up": follow_up, "assessment": assess_user(_me(), now)})
    return body, 201 if created else 200


@bp.get("/assessment")
@login_required
@api_spec.validate(query=AssessmentQuery, resp=responses(200, AssessmentOut), tags=[TAG], security=AUTH)
def assessment(query: AssessmentQuery):
    """The current triage assessment; `at` sets the reference time for the windows."""
    return AssessmentOut.model_validate(assess_user(_me(), query.at or _now()))
