"""A trainer's clients: the list (needs attention first), one client, the private note, ending a link."""
from __future__ import annotations

from datetime import UTC, date, datetime

from flask import jsonify
from flask_login import current_user
from pydantic import BaseModel, Field

from ..domain import limits
from ..episodes.schemas import AssessmentOut, EpisodeOut
from ..extensions import api_spec
from ..output import Out, UtcDateTime
from ..relief.schemas import SessionOut
from ..trainer import clients, links
from . import bp
from .auth import login_required
from .schemas import AUTH, Strict, Text, responses

TAG = "Trainer: clients"


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    return current_user._get_current_object()


class AttentionOut(Out):
    rank: int = Field(description="0: a sharing client at urgent or emergency; 1: adherence down 20 points or more "
                                  "(last 7 days against the 30 before); 2: no session for 14 days; 3: the rest")
    reason: str | None = Field(description="Why, in words; null for the rest")


class ClientOut(Out):
    id: int
    display_name: str
    linked_at: UtcDateTime
    share_episodes: bool
    adherence_7d: int | None = Field(description="Percent of the sessions due in the last 7 days that were done "
                                                 "(0-100); null when nothing was due")
    adherence_30d: int | None
    last_session_at: UtcDateTime | None
    flag_level: str | None = Field(description="The assessment's level; null unless the client shares their diary")
    attention: AttentionOut


class ClientList(BaseModel):
    items: list[ClientOut]


class DayOut(Out):
    day: date
    status: str = Field(description="done, missed, paused, recovering or not_due")
    due: int
    done: int


class WindowOut(Out):
    first: date
    last: date
    due: int
    done: int
    pct: int | None
    days: list[DayOut]


class AdherenceOut(BaseModel):
    last_7_days: WindowOut
    last_30_days: WindowOut


class ClientAssignmentOut(BaseModel):
    id: int
    routine: str
    routine_title: str
    schedule: dict
    paused: bool
    created_at: UtcDateTime
    ended_at: UtcDateTime | None


class ClientDetailOut(BaseModel):
    client: ClientOut
    adherence: AdherenceOut
    sessions: list[SessionOut]
    next_cursor: str | None
    assignments: list[ClientAssignmentOut]
    episodes: list[EpisodeOut] | None = Field(None, description="Present only while the client shares their diary")
    assessment: AssessmentOut | None = Field(None, description="Present only while the client shares their diary")


class NoteIn(Strict):
    text: Text | None = Field(None, max_length=limits.TRAINER_NOTE,
                              description="The trainer's private note; empty removes it")


class NoteOut(BaseModel):
    text: str | None
    updated_at: UtcDateTime | None


class DetailQuery(BaseModel):
    cursor: str | None = None


def _client_out(row: clients.ClientRow) -> ClientOut:
    return ClientOut.model_validate({
        "id": row.id, "display_name": row.display_name, "linked_at": row.linked_at, "share_episodes": row.share_episodes,
        "adherence_7d": row.adherence_7d, "adherence_30d": row.adherence_30d, "last_session_at": row.last_session_at,
        "flag_level": row.flag_level, "attention": row.attention,
    })


@bp.get("/trainer/clients")
@login_required
@api_spec.validate(resp=responses(200, ClientList), tags=[TAG], security=AUTH)
def list_clients():
    """The trainer's clients, who needs attention first (with the reason in words), then by name."""
    return ClientList(items=[_client_out(row) for row in clients.client_list(_me(), _now())])


@bp.get("/trainer/clients/<int:client_id>")
@login_required
@api_spec.validate(query=DetailQuery, resp=responses(200, ClientDetailOut), tags=[TAG], security=AUTH)
def show_client(client_id: int, query: DetailQuery):
    """One client: adherence, sessions (newest first, paged by `cursor`) and the trainer's assignments; `episodes`
    and `assessment` only while the client shares their diary (absent otherwise)."""
    d = clients.client_detail(_me(), client_id, _now(), cursor=query.cursor)
    body = ClientDetailOut.model_validate({
        "client": _client_out(d.row),
        "adherence": {"last_7_days": d.row.week, "last_30_days": d.row.month},
        "sessions": [SessionOut.shown_to(_me(), s) for s in d.sessions], "next_cursor": d.next_cursor,
        "assignments": [{"id": a.id, "routine": slug, "routine_title": title, "schedule": a.schedule,
                         "paused": a.paused, "created_at": a.created_at, "ended_at": a.ended_at}
                        for a, slug, title in d.assignments],
        "episodes": [EpisodeOut.model_validate(e) for e in d.episodes] if d.shared else None,
        "assessment": AssessmentOut.model_validate(d.assessment) if d.shared else None,
    })
    # Without sharing the keys are absent, not null: nothing in the answer says there is a diary.
    return jsonify(body.model_dump(mode="json", exclude=set() if d.shared else {"episodes", "assessment"}))


@bp.put("/trainer/clients/<int:client_id>/note")
@login_required
@api_spec.validate(json=NoteIn, resp=responses(200, NoteOut), tags=[TAG], security=AUTH)
def put_note(client_id: int, json: NoteIn):
    """The trainer's private note on a client: never shown to the client or another trainer."""
    link = clients.set_note(_me(), client_id, json.text, _now())
    return NoteOut(text=link.note, updated_at=link.note_updated_at)


@bp.delete("/trainer/clients/<int:client_id>")
@login_required
@api_spec.validate(resp=responses(204), tags=[TAG], security=AUTH)
def end_client(client_id: int):
    """End the link from the trainer's side: the trainer's access and that pair's assignments end at once."""
    clients.require_trainer(_me())
    links.end_link(_me(), client_id=client_id, now=_now())
    return "", 204
