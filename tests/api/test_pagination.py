"""Every list pages one way (coach/pagination.py): walked with limit 1 and 2 each item comes once and in the order
of the whole list, including rows that share a start time; cursors handed out before keep working; a cursor this
API never issued is a 400 that names it."""
from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from coach.extensions import db
from coach.models import Notification

BAD_CURSOR = "not a cursor from this API"
STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


def _walk(api, path: str, token: str | None, limit: int, **params) -> list[dict]:
    items, cursor = [], None
    for _ in range(100):
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, token=token, query_string=query)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        assert 0 < len(page["items"]) <= limit or (not page["items"] and cursor is None)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError(f"{path}: no last page")


def _key(item: dict):
    return item.get("id", item.get("slug"))


def _assert_walks(api, path: str, token: str | None, expected: list, **params) -> None:
    whole = api.get(path, token=token, query_string={"limit": 500, **params}).get_json()
    assert whole["next_cursor"] is None and [_key(i) for i in whole["items"]] == expected
    for limit in (1, 2):
        assert [_key(i) for i in _walk(api, path, token, limit, **params)] == expected, (path, limit)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def lists(app, api, seeded):
    """A person with five episodes, five sessions, five reminders and five inbox entries, two of each kind with a
    start time in common (the order's tie is broken by id); returns the token."""
    user, token = api.register()
    moments = [STARTED, STARTED + timedelta(hours=1), STARTED + timedelta(hours=1), STARTED - timedelta(hours=5),
               STARTED + timedelta(hours=2)]
    for n, moment in enumerate(moments):
        episode = {"started_at": _iso(moment), "severity": n}
        assert api.post("/api/v1/episodes", json=episode, token=token).status_code == 201
        session = {"routine": "gym-floor-settle", "started_at": _iso(moment), "completed": False}
        assert api.post("/api/v1/sessions", json=session, token=token).status_code == 201
        reminder = {"title": f"Stand up {n}", "kind": "custom", "schedule": {"type": "daily", "times": ["07:30"]}}
        assert api.post("/api/v1/reminders", json=reminder, token=token).status_code == 201
    with app.app_context():
        for n in range(5):
            db.session.add(Notification(user_id=user["id"], kind="custom", title=f"Note {n}", url="/reminders",
                                        tag=f"t{n}", fire_at=STARTED + timedelta(minutes=n)))
        db.session.commit()
    return token


def _newest_first(items: list[dict]) -> list[int]:
    return [item["id"] for item in sorted(items, key=lambda i: (i["started_at"], i["id"]), reverse=True)]


def test_episodes_and_sessions_page_newest_first_ties_by_id(api, lists):
    for path in ("/api/v1/episodes", "/api/v1/sessions"):
        everything = api.get(path, token=lists).get_json()["items"]
        assert len(everything) == 5
        _assert_walks(api, path, lists, _newest_first(everything))


def test_reminders_and_the_inbox_page_newest_first(api, lists):
    # Follow-up check-ins are reminders too (the episodes above scheduled some): they are in the walk.
    for path in ("/api/v1/reminders", "/api/v1/notifications"):
        everything = api.get(path, token=lists, query_string={"limit": 500}).get_json()["items"]
        assert len(everything) >= 5
        _assert_walks(api, path, lists, sorted((i["id"] for i in everything), reverse=True))
    unread = api.get("/api/v1/notifications", token=lists, query_string={"unread": "true"}).get_json()["items"]
    _assert_walks(api, "/api/v1/notifications", lists, [i["id"] for i in unread], unread="true")


def test_content_lists_page_in_the_librarys_order(api, seeded):
    for path, params in (("/api/v1/routines", {}), ("/api/v1/routines", {"kind": "relief"}), ("/api/v1/tips", {}),
                         ("/api/v1/tips", {"category": "lifting"})):
        everything = api.get(path, query_string=params).get_json()["items"]
        assert len(everything) >= 2
        _assert_walks(api, path, None, [_key(i) for i in everything], **params)


def test_cursors_handed_out_before_keep_working(api, lists):
    episodes = api.get("/api/v1/episodes", token=lists).get_json()["items"]
    third = episodes[2]
    # The episode list's cursor has always been base64url("<started_at isoformat>|<id>") without padding.
    moment = datetime.fromisoformat(third["started_at"].replace("Z", "+00:00"))
    old = base64.urlsafe_b64encode(f"{moment.isoformat()}|{third['id']}".encode()).decode().rstrip("=")
    after = api.get("/api/v1/episodes", token=lists, query_string={"cursor": old}).get_json()["items"]
    assert [e["id"] for e in after] == [e["id"] for e in episodes[3:]]
    # Reminders and the inbox have always answered the last id seen, as digits.
    reminders = api.get("/api/v1/reminders", token=lists, query_string={"limit": 500}).get_json()["items"]
    page = api.get("/api/v1/reminders", token=lists, query_string={"limit": 2}).get_json()
    assert page["next_cursor"] == str(reminders[1]["id"])
    after = api.get("/api/v1/reminders", token=lists, query_string={"cursor": str(reminders[1]["id"])}).get_json()
    assert [r["id"] for r in after["items"]] == [r["id"] for r in reminders[2:]]
    # The content lists answer the position to go on from.
    assert api.get("/api/v1/tips", query_string={"limit": 3}).get_json()["next_cursor"] == "3"


def _naive_cursor() -> str:
    return base64.urlsafe_b64encode(b"2026-01-01T00:00:00|1").decode().rstrip("=")


@pytest.mark.parametrize(("path", "cursor"), [
    ("/api/v1/episodes", "garbage!"),
    ("/api/v1/episodes", _naive_cursor()),  # a moment without an offset: never issued
    ("/api/v1/episodes", base64.urlsafe_b64encode(b"2026-01-01T00:00:00+00:00|99999999999").decode()),
    ("/api/v1/episodes", "12"),
    ("/api/v1/sessions", "garbage"),
    ("/api/v1/reminders", "abc"),
    ("/api/v1/reminders", "-1"),
    ("/api/v1/notifications", "1e3"),
    ("/api/v1/routines", "abc"),
    ("/api/v1/tips", "-1"),
])
def test_a_cursor_this_api_never_issued_is_a_400_naming_it(api, lists, path, cursor):
    response = api.get(path, token=lists, query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"cursor": BAD_CURSOR}


@pytest.mark.parametrize("path", [
    "/api/v1/episodes", "/api/v1/sessions", "/api/v1/reminders", "/api/v1/notifications", "/api/v1/routines",
    "/api/v1/tips",
])
def test_every_paged_list_documents_one_envelope(app, path):
    """One envelope (coach/output.py: Page): items and next_cursor, both always present (a client can stop on a
    null cursor for every list, the content lists too)."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    ref = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    envelope = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"items", "next_cursor"} <= set(envelope["required"])
    assert envelope["properties"]["next_cursor"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
