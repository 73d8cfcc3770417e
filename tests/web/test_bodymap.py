"""The body map (templates/_bodymap.html): the same named buttons in the SOS quick log and the detailed log form."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from coach.domain import codes
from coach.extensions import db
from coach.models import Episode
from coach.relief.bodymap import BACK_REGIONS, FRONT_REGIONS, css
from coach.seed import seed

ROOT = Path(__file__).resolve().parents[2]
BUTTON = re.compile(
    r'<button type="button" class="region bm-(\w+)-(\w+)-(\w+)" data-location="(\w+)"(?: data-side="(\w+)")? '
    r'aria-pressed="(true|false)"><span class="visually-hidden">([^<]+)</span></button>'
)


@pytest.fixture
def seeded(app):
    with app.app_context():
        seed()
    return app


def _buttons(html: str) -> list[tuple[str, str, str | None, str, str]]:
    """(view, location, side, pressed, name) for every region button."""
    return [(m[0], m[3], m[4] or None, m[5], m[6]) for m in BUTTON.findall(html)]


def test_every_location_can_be_chosen_with_its_side_on_the_sos_map(client, seeded):
    html = client.get("/sos").get_data(as_text=True)
    buttons = _buttons(html)
    names = {name for _, _, _, _, name in buttons}
    assert {"Jaw", "Hand, left", "Hand, right", "Lower back, left", "Lower back, middle", "Lower back, right",
            "Between shoulder blades", "Chest, middle", "Belly, left", "Foot, right", "Calf, left", "Neck"} <= names
    assert {location for _, location, _, _, _ in buttons} == set(codes.LOCATIONS)
    # A place with a side has a left and a right button; one with only a middle has no side word.
    for location in codes.LOCATIONS:
        sides = {side for _, loc, side, _, _ in buttons if loc == location}
        assert sides in ({"central"}, {"left", "right"}, {"left", "central", "right"}), location
    assert all(pressed == "false" for *_, pressed, _ in buttons)
    assert 'data-view="back" role="group" aria-label="Back of the body"' in html
    assert 'data-view="front" role="group" aria-label="Front of the body" hidden' in html
    assert 'data-bodymap="single"' in html and 'type="checkbox" name="location"' not in html


def test_seen_from_behind_the_left_is_on_the_left_and_from_the_front_on_the_right():
    def x(regions, location, side):
        return next(r.box[0] for r in regions if (r.location, r.side) == (location, side))

    assert x(BACK_REGIONS, "lower_back", "left") < x(BACK_REGIONS, "lower_back", "right")
    assert x(FRONT_REGIONS, "hand", "left") > x(FRONT_REGIONS, "hand", "right")


def test_no_two_regions_of_a_view_overlap():
    for regions in (BACK_REGIONS, FRONT_REGIONS):
        for i, a in enumerate(regions):
            for b in regions[i + 1:]:
                ax, ay, aw, ah = a.box
                bx, by, bw, bh = b.box
                assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah), (a, b)


def test_the_stylesheet_places_every_region_as_the_data_says():
    """static/css/bodymap.css carries the generated places (the page's CSP allows no inline styles)."""
    sheet = (ROOT / "static/css/bodymap.css").read_text()
    assert css() in sheet, "regenerate: python -m coach.relief.bodymap, and paste it at the end of bodymap.css"


def test_the_detailed_form_shows_the_map_and_keeps_a_list_of_checkboxes(web):
    web.register()
    html = web.client.get("/log").get_data(as_text=True)
    assert 'data-bodymap="multi" data-name="locations"' in html
    boxes = re.findall(r'<input type="checkbox" id="[\w-]+" name="locations" value="(\w+)"', html)
    assert boxes == list(codes.LOCATIONS)  # the form's values, and what works without script
    assert {"Jaw", "Hand, left"} <= {name for *_, name in _buttons(html)}
    assert re.search(r'<input[^>]+name="side"[^>]+value="left"', html)


def test_editing_a_log_shows_its_places_and_side_pressed(web, app):
    web.register()
    page = web.client.get("/log").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    client_id = re.search(r'name="client_id" type="hidden" value="([^"]+)"', page)[1]
    response = web.client.post("/log", data={
        "csrf_token": token, "client_id": client_id, "severity": "6", "started_date": "2026-03-02",
        "started_time": "08:30", "locations": ["hand", "jaw"], "side": "left",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        episode_id = db.session.scalar(select(Episode.id))
    edit = web.client.get(f"/episodes/{episode_id}/edit").get_data(as_text=True)
    pressed = {name for *_, p, name in _buttons(edit) if p == "true"}
    assert pressed == {"Hand, left", "Jaw"}
    assert re.search(r'<input checked[^>]+name="locations" value="hand"|name="locations" value="hand" checked', edit)
