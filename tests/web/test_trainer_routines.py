"""The routine builder's pages through the test client: a trainer builds, reorders, saves drafts, publishes
and deletes; the form works with no script; nobody else reaches a trainer's routine; trainer text is escaped."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from coach.extensions import db
from coach.models import Assignment, Routine, RoutineSession, RoutineStep, RoutineVersion, TrainerLink, User

from ..factories import WebSession, page_text

T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def _form(title="Hip opener", kind="mobility", steps=(("Lunge", "Step forward and sink.", "40"),
                                                      ("Breathe", "Slow breaths.", "30")), **extra) -> dict:
    data = {"title": title, "kind": kind, "summary": "Before squats."}
    for i, (step_title, instruction, seconds) in enumerate(steps):
        data.update({f"steps-{i}-title": step_title, f"steps-{i}-instruction": instruction,
                     f"steps-{i}-seconds": seconds})
    data.update(extra)
    return data


@pytest.fixture
def trainer(web):
    return web.register(role="trainer", display_name="Coach Kim")


def _only_routine(app) -> Routine:
    with app.app_context():
        routine = db.session.scalar(select(Routine).where(Routine.is_stock.is_(False)))
        db.session.expunge_all()
        return routine


def _steps(app, routine_id) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(RoutineStep.title).where(RoutineStep.routine_id == routine_id)
                                       .order_by(RoutineStep.position)))


def test_a_trainer_builds_a_routine_and_sees_it_listed(app, web, trainer):
    response = web.post("/trainer/routines/new", _form(action="save"))
    assert response.status_code == 302
    routine = _only_routine(app)
    assert response.headers["Location"].endswith(f"/trainer/routines/{routine.id}")
    assert (routine.version, routine.has_draft, routine.owner_id is not None) == (1, False, True)
    assert _steps(app, routine.id) == ["Lunge", "Breathe"]
    text = page_text(web.client.get("/trainer/routines").get_data(as_text=True))
    assert "Hip opener" in text and "Version 1" in text and "Not assigned" in text and "Draft" not in text


def test_errors_are_named_beside_their_fields_and_nothing_typed_is_lost(app, web, trainer):
    response = web.post("/trainer/routines/new", _form(
        title="", steps=(("Lunge", "Step forward.", "abc"), ("", "Slow breaths.", "30"))), page="/trainer/routines/new")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    text = page_text(html)
    assert "Routine title: Required." in text or "Routine title: Must not be empty." in text
    assert "Step 1 seconds: Must be a whole number of seconds from 1 to 3,600." in text
    assert "Step 2 title:" in text
    assert 'value="abc"' in html and "Step forward." in html and 'value="Lunge"' in html
    assert _only_routine(app) is None


def test_the_form_reorders_adds_and_removes_steps_without_script(app, web, trainer):
    page = "/trainer/routines/new"
    steps = (("One", "First.", "10"), ("Two", "Second.", "10"), ("Three", "Third.", "10"))
    moved = web.post(page, _form(steps=steps, action="up-2"))
    assert moved.status_code == 200
    html = moved.get_data(as_text=True)
    assert html.index('value="Three"') < html.index('value="Two"')
    assert 'id="steps-1-up" data-step-action="up" autofocus' in html  # the focus stays on the moved step
    added = web.post(page, _form(steps=steps, action="add"))
    assert 'name="steps-3-title"' in added.get_data(as_text=True)
    removed = web.post(page, _form(steps=steps, action="remove-0"))
    assert 'value="One"' not in removed.get_data(as_text=True)
    saved = web.post(page, _form(steps=(("Three", "Third.", "10"), ("One", "First.", "10")), action="save"))
    assert saved.status_code == 302
    assert _steps(app, _only_routine(app).id) == ["Three", "One"]


def test_a_step_from_the_library_is_added_with_its_words_and_time(seeded, web, trainer):
    with seeded.app_context():
        stock = db.session.scalar(select(RoutineStep).join(Routine).where(Routine.is_stock.is_(True))
                                  .order_by(RoutineStep.id))
        expected = (stock.id, stock.title, stock.seconds)
    response = web.post("/trainer/routines/new", _form(action="add-stock", library_step=str(expected[0])))
    html = response.get_data(as_text=True)
    assert f'name="steps-2-stock_step" value="{expected[0]}"' in html
    assert f'name="steps-2-title" maxlength="40" value="{expected[1]}"' in html or f'value="{expected[1]}"' in html
    data = _form(action="save")
    data.update({"steps-2-title": "", "steps-2-instruction": "", "steps-2-seconds": "", "steps-2-stock_step": str(expected[0])})
    assert web.post("/trainer/routines/new", data).status_code == 302
    with seeded.app_context():
        routine = db.session.scalar(select(Routine).where(Routine.is_stock.is_(False)))
        assert (routine.steps[2].title, routine.steps[2].seconds) == expected[1:]


def _assign(app, routine_id, name, ended=False) -> int:
    with app.app_context():
        trainer_id = db.session.scalar(select(Routine.owner_id).where(Routine.id == routine_id))
        client = User(email=f"{name.lower()}@example.com", password_hash="x", display_name=name, role="athlete",
                      timezone="Europe/London", country="GB")
        db.session.add(client)
        db.session.flush()
        db.session.add(TrainerLink(trainer_id=trainer_id, client_id=client.id, linked_at=T0))
        assignment = Assignment(trainer_id=trainer_id, client_id=client.id, routine_id=routine_id, routine_version=1,
                                schedule={"type": "daily", "times": ["07:30"]}, ended_at=T0 if ended else None)
        db.session.add(assignment)
        db.session.commit()
        return assignment.id


def test_a_draft_changes_nothing_clients_play_until_it_is_published(app, web, trainer):
    web.post("/trainer/routines/new", _form(action="save"))
    routine = _only_routine(app)
    active = _assign(app, routine.id, "Ana")
    ended = _assign(app, routine.id, "Ben", ended=True)
    with app.app_context():
        db.session.add(RoutineSession(user_id=db.session.get(Assignment, active).client_id, routine_id=routine.id,
                                      routine_slug=routine.slug, routine_title="Hip opener", routine_version=1,
                                      assignment_id=active, started_at=T0, completed=True, completed_steps=[1, 2],
                                      steps_total=2))
        db.session.commit()
    edit = f"/trainer/routines/{routine.id}"
    response = web.post(edit, _form(title="Hip opener plus", steps=(("Squat", "Sit back.", "20"),), action="save"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Routine, routine.id).has_draft is True
        assert db.session.get(Assignment, active).routine_version == 1
    assert "Draft" in page_text(web.client.get("/trainer/routines").get_data(as_text=True))

    confirm = page_text(web.client.get(f"{edit}/publish").get_data(as_text=True))
    assert "Publish version 2?" in confirm and "Ana" in confirm and "Ben" not in confirm
    response = web.post(f"{edit}/publish", {}, page=f"{edit}/publish")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Routine, routine.id).version == 2
        assert db.session.get(Assignment, active).routine_version == 2
        assert db.session.get(Assignment, ended).routine_version == 1
        session = db.session.scalar(select(RoutineSession))
        assert (session.routine_version, session.routine_title, session.steps_total) == (1, "Hip opener", 2)
        v2 = db.session.scalar(select(RoutineVersion).where(RoutineVersion.version == 2))
        assert [s["title"] for s in v2.steps] == ["Squat"]
    assert "Nothing new to publish" in page_text(web.client.get(f"{edit}/publish").get_data(as_text=True))


def test_publish_page_says_nobody_when_it_is_not_assigned(app, web, trainer):
    web.post("/trainer/routines/new", _form(action="save"))
    routine = _only_routine(app)
    web.post(f"/trainer/routines/{routine.id}", _form(title="Changed", action="publish"))
    text = page_text(web.client.get(f"/trainer/routines/{routine.id}/publish").get_data(as_text=True))
    assert "Nobody yet" in text


def test_preview_plays_the_working_copy_and_records_nothing(app, web, trainer):
    web.post("/trainer/routines/new", _form(action="save"))
    routine = _only_routine(app)
    web.post(f"/trainer/routines/{routine.id}", _form(title="Draft title", action="save"))
    html = web.client.get(f"/trainer/routines/{routine.id}/preview").get_data(as_text=True)
    assert 'data-preview="true"' in html and "data-assignment-id" not in html
    assert "Draft title" in html and "Preview: nothing is recorded" in page_text(html)


def test_delete_ends_its_assignments(app, web, trainer):
    web.post("/trainer/routines/new", _form(action="save"))
    routine = _only_routine(app)
    _assign(app, routine.id, "Ana")
    assert "Ana" in page_text(web.client.get(f"/trainer/routines/{routine.id}/delete").get_data(as_text=True))
    page = f"/trainer/routines/{routine.id}/delete"
    assert web.post(page, {}).status_code == 302
    with app.app_context():
        assert db.session.get(Routine, routine.id) is None
        assert db.session.scalars(select(Assignment).where(Assignment.ended_at.is_(None))).all() == []


def test_only_the_author_reaches_the_pages(app, web, trainer):
    web.post("/trainer/routines/new", _form(action="save"))
    routine = _only_routine(app)
    paths = [f"/trainer/routines/{routine.id}", f"/trainer/routines/{routine.id}/preview",
             f"/trainer/routines/{routine.id}/publish", f"/trainer/routines/{routine.id}/delete"]
    for path in paths + ["/trainer/routines"]:
        assert app.test_client().get(path).status_code == 302  # signed out: to sign-in
    other = WebSession(app.test_client())
    other.register(role="trainer")
    for path in paths:
        assert other.client.get(path).status_code == 404
    assert other.post(paths[0], _form(title="Mine now", action="save"), page="/trainer/routines/new").status_code == 404
    assert "Hip opener" not in other.client.get("/trainer/routines").get_data(as_text=True)
    athlete = WebSession(app.test_client())
    athlete.register()
    for path in paths + ["/trainer/routines", "/trainer/routines/new"]:
        assert athlete.client.get(path).status_code == 403
    assert _only_routine(app).title == "Hip opener"


def test_trainer_text_is_escaped_on_every_page(app, web, trainer):
    evil = "<script>alert(1)</script>"
    web.post("/trainer/routines/new", _form(title=evil, steps=((evil, evil, "10"),), action="save"))
    routine = _only_routine(app)
    for path in ("/trainer/routines", f"/trainer/routines/{routine.id}", f"/trainer/routines/{routine.id}/preview",
                 f"/trainer/routines/{routine.id}/publish", f"/trainer/routines/{routine.id}/delete"):
        html = web.client.get(path).get_data(as_text=True)
        assert evil not in html and "&lt;script&gt;" in html, path
