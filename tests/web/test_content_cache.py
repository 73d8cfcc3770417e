"""The stock content is kept per worker until `flask seed` changes it: new content reaches every worker on its next
request, the pages and answers are the same as when read from the database each time, and a warm page asks the
database one small question."""
from __future__ import annotations

import dataclasses
import re
from types import MappingProxyType

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from coach.content import load_content
from coach.extensions import db
from coach.models import ContentState, Routine, Source, Tip, User
from coach.routines import catalog as content_catalog
from coach.routines import service as routines_service
from coach.seed import seed
from tests.factories import Api, add_own_routine

SLUG = "gym-floor-settle"


def _changed(content, *, tip_text: str, step_title: str):
    """The shipped content with the first tip's text and the first step of SLUG's routine reworded."""
    tips = (dataclasses.replace(content.tips[0], text=tip_text),) + content.tips[1:]
    routine = content.routine(SLUG)
    steps = (dataclasses.replace(routine.steps[0], title=step_title),) + routine.steps[1:]
    routines = tuple(dataclasses.replace(r, steps=steps) if r.slug == SLUG else r for r in content.routines)
    return dataclasses.replace(content, tips=tips, routines=routines)


def test_a_seed_in_one_worker_reaches_another_on_its_next_request(app_factory):
    first, second = app_factory(), app_factory()  # two workers on one database
    with first.app_context():
        seed()
    shipped = load_content()
    old_tip, old_step = shipped.tips[0].text, shipped.routine(SLUG).steps[0].title
    reader = second.test_client()
    assert old_tip in reader.get("/tips").get_data(as_text=True)  # the second worker has read (and kept) it
    assert reader.get(f"/api/v1/routines/{SLUG}").get_json()["steps"][0]["title"] == old_step

    with first.app_context():
        seed(_changed(shipped, tip_text="Reworded for this test: keep the bar close.", step_title="Reworded step"))

    page = reader.get("/tips").get_data(as_text=True)
    assert "Reworded for this test: keep the bar close." in page and old_tip not in page
    assert reader.get("/api/v1/tips").get_json()["items"][0]["text"] == "Reworded for this test: keep the bar close."
    assert reader.get(f"/api/v1/routines/{SLUG}").get_json()["steps"][0]["title"] == "Reworded step"
    assert "Reworded step" in reader.get(f"/routines/{SLUG}/play").get_data(as_text=True)
    # And back, by the command an operator runs.
    result = first.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert old_tip in reader.get("/tips").get_data(as_text=True)
    assert reader.get(f"/api/v1/routines/{SLUG}").get_json()["steps"][0]["title"] == old_step


def test_every_seed_counts_one_generation_and_brings_back_a_lost_row(app):
    with app.app_context():
        db.session.execute(db.delete(ContentState))
        db.session.commit()
        seed()
        assert db.session.get(ContentState, 1).generation == 1
        seed()
        db.session.expire_all()
        assert db.session.get(ContentState, 1).generation == 2


def test_without_the_generation_row_nothing_is_kept(app):
    """A database emptied by hand: content still shows, read each time, and the next seed starts the cache again."""
    with app.app_context():
        seed()
        db.session.execute(db.delete(ContentState))
        db.session.commit()
    client = app.test_client()
    assert client.get(f"/routines/{SLUG}").status_code == 200
    with app.app_context():
        db.session.execute(db.update(Tip).where(Tip.id == load_content().tips[0].id).values(text="Changed by hand."))
        db.session.commit()
    assert "Changed by hand." in client.get("/tips").get_data(as_text=True)


def test_what_the_cache_hands_out_cannot_be_changed(seeded):
    with seeded.test_request_context("/"):
        kept = content_catalog.catalog()
        routine = kept.by_slug[SLUG]
        with pytest.raises(dataclasses.FrozenInstanceError):
            routine.title = "Changed by a view"
        with pytest.raises(dataclasses.FrozenInstanceError):
            routine.steps[0].seconds = 1
        with pytest.raises(TypeError):
            kept.sources[1] = None
        assert isinstance(routine.steps, tuple) and isinstance(routine.sources, tuple)
        assert isinstance(kept.tips, tuple) and isinstance(kept.routines, tuple)


def _database_catalog() -> content_catalog.Catalog:
    """The content as the pages read it before the cache: the rows themselves, from the database every time."""
    routines = db.session.scalars(
        select(Routine).where(Routine.is_stock.is_(True)).options(selectinload(Routine.steps))
        .order_by(Routine.position.is_(None), Routine.position, Routine.title)).all()
    tips = db.session.scalars(select(Tip).order_by(Tip.id)).all()
    sources = {s.id: s for s in db.session.scalars(select(Source).order_by(Source.id))}
    return content_catalog.Catalog(None, tuple(routines), tuple(tips), MappingProxyType(sources))


# What differs between any two requests: the CSRF token and the moment the level was worked out.
_PER_REQUEST = re.compile(r'(name="csrf_token" type="hidden" value="|name="csrf-token" content="|data-evaluated-at=")[^"]+')


def _paths(slugs: list[str], own: str) -> list[str]:
    pages = ["/", "/routines", "/routines?kind=relief", "/tips", "/tips?category=posture", "/sos", "/emergency",
             "/sw.js", f"/routines/{own}", f"/routines/{own}/play"]
    api = ["/api/v1/routines", "/api/v1/routines?kind=mobility", "/api/v1/routines?limit=2", "/api/v1/tips",
           "/api/v1/tips?category=lifting", "/api/v1/tips?limit=3", "/api/v1/sources", f"/api/v1/routines/{own}"]
    for slug in slugs:
        pages += [f"/routines/{slug}", f"/routines/{slug}/play"]
        api.append(f"/api/v1/routines/{slug}")
    return pages + api


def _answers(client, paths: list[str], headers: dict | None = None) -> dict[str, tuple[int, str]]:
    answers = {}
    for path in paths:
        response = client.get(path, headers=headers or {})
        answers[path] = (response.status_code, _PER_REQUEST.sub(r"\1", response.get_data(as_text=True)))
    return answers


def test_pages_and_answers_are_the_same_byte_for_byte_with_the_cache_as_without(seeded, web, monkeypatch):
    slugs = [r.slug for r in load_content().routines]
    signed_out = seeded.test_client()
    person = web.register()
    web.client.get("/")  # shows (and so uses up) the welcome message
    with seeded.app_context():
        owner = db.session.scalar(select(User.id).where(User.email == person["email"]))
    own = add_own_routine(seeded, owner, "Hip warm-up")
    _, token = Api(seeded.test_client()).register()
    bearer = {"Authorization": f"Bearer {token}"}
    paths = _paths(slugs, own)

    cached = [_answers(signed_out, paths), _answers(web.client, paths), _answers(signed_out, paths, bearer)]
    assert _answers(signed_out, paths) == cached[0]  # warm: the same again
    monkeypatch.setattr(routines_service, "catalog", _database_catalog)
    from_database = [_answers(signed_out, paths), _answers(web.client, paths), _answers(signed_out, paths, bearer)]

    for with_cache, without in zip(cached, from_database, strict=True):
        for path in paths:
            assert with_cache[path] == without[path], path
    assert cached[0][f"/routines/{own}"][0] == 404 and cached[2][f"/api/v1/routines/{own}"][0] == 404  # not theirs
    assert cached[1][f"/routines/{own}"][0] == 200 and "Hip warm-up" in cached[1]["/routines"][1]
    assert all(cached[0][f"/routines/{slug}"][0] == 200 for slug in slugs)


class _Statements:
    """Counts the SQL statements the app sends while it is active."""

    def __init__(self, engine):
        self.engine, self.sql = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args):
        self.sql.append(statement)


@pytest.mark.parametrize("path", [
    "/", "/routines", f"/routines/{SLUG}", f"/routines/{SLUG}/play", "/sos", "/tips", "/api/v1/routines",
    f"/api/v1/routines/{SLUG}", "/api/v1/tips", "/api/v1/sources",
])
def test_a_warm_content_page_signed_out_asks_the_database_one_small_question(seeded, path):
    client = seeded.test_client()
    assert client.get(path).status_code == 200  # the first request reads the content
    with seeded.app_context():
        engine = db.engine
    with _Statements(engine) as seen:
        response = client.get(path)
    assert response.status_code == 200
    assert seen.sql == [content_catalog.GENERATION_SQL], seen.sql


def test_signed_out_pages_make_no_session_cookie(seeded):
    client = seeded.test_client()
    for path in ("/", "/routines", f"/routines/{SLUG}", f"/routines/{SLUG}/play", "/sos", "/tips", "/emergency"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers.get("Set-Cookie") is None, path
        assert 'name="csrf-token" content=""' in response.get_data(as_text=True)


def test_links_follow_the_path_the_app_is_mounted_under(seeded):
    client = seeded.test_client()
    at_root = client.get("/routines").get_data(as_text=True)
    mounted = client.get("/routines", base_url="http://localhost/coach/").get_data(as_text=True)
    assert f'href="/routines/{SLUG}"' in at_root and 'href="/sos"' in at_root
    assert f'href="/coach/routines/{SLUG}"' in mounted and 'href="/coach/sos"' in mounted
    assert f'href="/routines/{SLUG}"' not in mounted
    assert f'href="/routines/{SLUG}"' in client.get("/routines").get_data(as_text=True)  # and back at the root


def test_a_signed_in_page_reads_the_generation_once_and_no_stock_content(seeded, web):
    web.register()
    web.client.get(f"/routines/{SLUG}")
    with seeded.app_context():
        engine = db.engine
    with _Statements(engine) as seen:
        page = web.client.get(f"/routines/{SLUG}")
    assert page.status_code == 200
    assert seen.sql.count(content_catalog.GENERATION_SQL) == 1
    assert not [sql for sql in seen.sql if re.search(r"FROM (routine_steps|tips|sources)\b", sql)], seen.sql
