"""Seeding the content into the database, and the routines, tips and sources API."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from coach.content import ContentError, load_content
from coach.extensions import db
from coach.models import Routine, RoutineStep, Source, Tip, User
from coach.seed import seed
from tests.factories import add_own_routine


@pytest.fixture
def seeded(app):
    with app.app_context():
        seed()
    return app


def _counts():
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Source, Routine, RoutineStep, Tip)}


def test_seed_loads_everything_and_returns_counts(app):
    with app.app_context():
        summary = seed()
        assert summary == {"sources": 34, "routines": 5, "steps": 20, "tips": 15}
        assert _counts() == {"sources": 34, "routines": 5, "routine_steps": 20, "tips": 15}
        heat = db.session.scalar(select(Routine).where(Routine.slug == "heat"))
        assert heat.is_stock and heat.owner_id is None and heat.kind == "relief"
        assert [s.seconds for s in heat.steps] == [30, 900, 10]
        assert heat.next == ["floor-mobility", "walk-it-off"]
        assert heat.evidence == [{"text": "Superficial heat has moderate-quality evidence.", "sources": [8, 17]}]


def test_seed_twice_changes_nothing(app):
    with app.app_context():
        seed()
        ids = {r.slug: (r.id, [s.id for s in r.steps]) for r in db.session.scalars(select(Routine))}
        assert seed() == {"sources": 34, "routines": 5, "steps": 20, "tips": 15}
        assert _counts() == {"sources": 34, "routines": 5, "routine_steps": 20, "tips": 15}
        assert {r.slug: (r.id, [s.id for s in r.steps]) for r in db.session.scalars(select(Routine))} == ids


def test_reseeding_updates_in_place(app):
    """Edited text, timings and fewer steps replace what is stored; rows keep their ids."""
    content = load_content()
    with app.app_context():
        seed(content)
        walk = db.session.scalar(select(Routine).where(Routine.slug == "walk-it-off"))
        walk_id, first_step_id = walk.id, walk.steps[0].id
        db.session.expire_all()

        changed_walk = dataclasses.replace(
            content.routine("walk-it-off"), title="Walk it off gently",
            steps=(dataclasses.replace(content.routine("walk-it-off").steps[0], seconds=45),),
        )
        changed_tip = dataclasses.replace(content.tips[0], text="Keep moving, gently.")
        edited = dataclasses.replace(
            content,
            routines=tuple(changed_walk if r.slug == "walk-it-off" else r for r in content.routines),
            tips=(changed_tip, *content.tips[1:]),
        )
        assert seed(edited)["steps"] == 18
        walk = db.session.scalar(select(Routine).where(Routine.slug == "walk-it-off"))
        assert (walk.id, walk.title) == (walk_id, "Walk it off gently")
        assert [(s.id, s.seconds) for s in walk.steps] == [(first_step_id, 45)]
        assert db.session.get(Tip, 1).text == "Keep moving, gently."
        assert _counts() == {"sources": 34, "routines": 5, "routine_steps": 18, "tips": 15}
        # And back again: the steps come back, still no duplicates.
        seed(content)
        assert _counts() == {"sources": 34, "routines": 5, "routine_steps": 20, "tips": 15}


def test_seed_never_overwrites_a_trainer_routine(app, api):
    user, _ = api.register(role="trainer")
    with app.app_context():
        db.session.add(Routine(slug="heat", title="My heat", kind="relief", summary="Mine", sources=[],
                               evidence=[], next=[], is_stock=False, owner_id=user["id"]))
        db.session.commit()
        with pytest.raises(ContentError, match="heat.*trainer-made"):
            seed()


def test_seed_command_prints_the_counts_and_is_repeatable(runner):
    first, second = runner.invoke(args=["seed"]), runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output == "Seeded: 34 sources, 5 routines, 20 steps, 15 tips\n"


# --- API: routines ---


def test_routines_list_is_public_and_in_content_order(api, seeded):
    response = api.get("/api/v1/routines")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [r["slug"] for r in items] == ["gym-floor-settle", "heat", "floor-mobility", "walk-it-off", "cat-cow-child"]
    walk = items[3]
    assert walk["total_seconds"] == 330 and walk["total_seconds_with_optional"] == 630
    assert walk["steps"][2] == {"position": 3, "title": "5 more minutes", "instruction": "If it feels fine, walk 5 more minutes.",
                                "seconds": 300, "optional": True, "note": None}
    assert {rule["code"] for rule in walk["stop_rules"]["stop_and_log"]} == {
        "pain_below_knee", "one_leg_weakness", "new_numbness", "pain_up_2_points", "dizziness"}
    assert walk["sources"] == [19, 20, 29] and walk["is_stock"] is True


@pytest.mark.parametrize(("kind", "slugs"), [
    ("relief", ["gym-floor-settle", "heat", "walk-it-off"]),
    ("mobility", ["floor-mobility", "cat-cow-child"]),
    ("prevention", []),
])
def test_routines_filter_by_kind(api, seeded, kind, slugs):
    assert [r["slug"] for r in api.get(f"/api/v1/routines?kind={kind}").get_json()["items"]] == slugs


def test_routine_by_slug_and_unknown_ones(api, seeded):
    body = api.get("/api/v1/routines/gym-floor-settle").get_json()
    assert body["title"] == "Settle it on the gym floor" and body["total_seconds"] == 190  # the slow steps are optional
    assert body["total_seconds_with_optional"] == 250 and body["steps"][5]["optional"] is True
    assert body["steps"][1]["note"] == "Physiotherapy practice, not from a source."
    assert api.get("/api/v1/routines/no-such-thing").status_code == 404
    bad = api.get("/api/v1/routines?kind=spicy")
    assert bad.status_code == 400 and "kind" in bad.get_json()["error"]["fields"]


def test_a_trainers_own_routine_is_visible_to_them_only(app, api, seeded):
    owner, owner_token = api.register(role="trainer")
    _, other_token = api.register()
    slug = add_own_routine(app, owner["id"])
    assert slug.startswith("my-warm-up-")
    mine = api.get("/api/v1/routines?kind=prevention", token=owner_token).get_json()["items"]
    assert [r["slug"] for r in mine] == [slug] and mine[0]["is_stock"] is False
    assert api.get(f"/api/v1/routines/{slug}", token=owner_token).status_code == 200
    assert api.get(f"/api/v1/routines/{slug}", token=other_token).status_code == 404
    assert api.get(f"/api/v1/routines/{slug}").status_code == 404
    assert api.get("/api/v1/routines?kind=prevention", token=other_token).get_json()["items"] == []


# --- API: tips and sources ---


def test_tips_by_category_with_sources(api, seeded):
    everything = api.get("/api/v1/tips").get_json()["items"]
    assert [t["id"] for t in everything] == list(range(1, 16))
    hydration = api.get("/api/v1/tips?category=hydration").get_json()["items"]
    assert [t["id"] for t in hydration] == [14, 15]
    assert hydration[0]["sources"] == [31] and hydration[0]["category"] == "hydration"
    bad = api.get("/api/v1/tips?category=snacks")
    assert bad.status_code == 400 and "category" in bad.get_json()["error"]["fields"]
    assert api.get("/api/v1/tips?category=lifting&colour=red").status_code == 400


def test_content_lists_page_with_limit_and_cursor(api, seeded):
    """API.md's list convention also holds for the content lists, in the library's order."""
    first = api.get("/api/v1/tips?limit=6").get_json()
    assert [t["id"] for t in first["items"]] == [1, 2, 3, 4, 5, 6] and first["next_cursor"] == "6"
    second = api.get(f"/api/v1/tips?limit=6&cursor={first['next_cursor']}").get_json()
    third = api.get(f"/api/v1/tips?limit=6&cursor={second['next_cursor']}").get_json()
    assert [t["id"] for t in second["items"] + third["items"]] == list(range(7, 16)) and third["next_cursor"] is None
    assert api.get("/api/v1/tips").get_json()["next_cursor"] is None
    routines = api.get("/api/v1/routines?kind=relief&limit=2").get_json()
    assert [r["slug"] for r in routines["items"]] == ["gym-floor-settle", "heat"] and routines["next_cursor"] == "2"
    rest = api.get("/api/v1/routines?kind=relief&limit=2&cursor=2").get_json()
    assert [r["slug"] for r in rest["items"]] == ["walk-it-off"] and rest["next_cursor"] is None
    for bad in ("limit=0", "limit=501", "limit=ten", "cursor=-1", "cursor=abc"):
        response = api.get(f"/api/v1/tips?{bad}")
        assert response.status_code == 400, bad
        assert set(response.get_json()["error"]["fields"]) & {"limit", "cursor"}, bad


def test_sources_list(api, seeded):
    items = api.get("/api/v1/sources").get_json()["items"]
    assert len(items) == 34 and items[18] == {"id": 19, "title": "Cochrane CD007612, Bed rest versus staying active", "url": None}


def test_openapi_documents_the_relief_endpoints(api):
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/routines", "/api/v1/routines/{slug}", "/api/v1/tips", "/api/v1/sources",
                 "/api/v1/sessions", "/api/v1/sessions/{session_id}"):
        assert path in paths, path


def test_deleting_a_trainer_deletes_their_routines(app, api, seeded):
    owner, _ = api.register(role="trainer")
    with app.app_context():
        db.session.add(Routine(slug="temp", title="Temp", kind="relief", summary="x", sources=[], evidence=[],
                               next=[], is_stock=False, owner_id=owner["id"]))
        db.session.commit()
        db.session.delete(db.session.get(User, owner["id"]))
        db.session.commit()
        assert db.session.scalar(select(Routine).where(Routine.slug == "temp")) is None
