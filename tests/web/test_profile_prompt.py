"""The profile prompt: one skippable card after the first logged spasm, on home and the diary."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from coach.episodes.service import log_episode
from coach.extensions import db
from coach.models import RISK_FIELDS, User

CARD = "A few questions about you"
MEDICINES = "Medicines are a decision for your doctor. Don&#39;t start, stop or change them yourself."


def _user(app) -> User:
    return db.session.scalars(db.select(User)).one()


def _log_spasm(app) -> None:
    with app.app_context():
        now = datetime.now(UTC)
        log_episode(_user(app), {"started_at": now - timedelta(hours=2), "severity": 4}, now)
        db.session.remove()


def _prompt_form(html: str) -> dict:
    start = html.index("data-profile-prompt")
    form = html[start:html.index("</form>", start)]
    return {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1],
        "back": re.search(r'name="back" type="hidden" value="(\w*)"', form)[1],
    }


def test_never_shown_before_a_first_spasm(web, client):
    web.register()
    assert CARD not in client.get("/").get_data(as_text=True)
    assert CARD not in client.get("/diary").get_data(as_text=True)


@pytest.mark.parametrize("page", ["/", "/diary"])
def test_after_the_first_spasm_the_card_asks_the_birth_year_and_the_risk_questions(app, web, client, page):
    web.register()
    _log_spasm(app)
    html = client.get(page).get_data(as_text=True)
    assert CARD in html and 'name="birth_year"' in html
    assert "Some of the app&#39;s warning rules depend on your age. The year is enough." in html
    for name in RISK_FIELDS:
        assert f'name="{name}"' in html
    card = html[html.index("data-profile-prompt"):]
    # The fixed medicine copy sits beside the medicine question, tied to it for a screen reader.
    assert re.search(r'id="new_medicine_4_weeks"[^>]*aria-describedby="new_medicine_4_weeks-hint"|'
                     r'aria-describedby="new_medicine_4_weeks-hint"[^>]*id="new_medicine_4_weeks"', card)
    assert MEDICINES in card[card.index('id="new_medicine_4_weeks-hint"') - 200:][:400]
    assert 'name="skip"' in card


def test_a_known_birth_year_is_not_asked_again(app, web, client):
    web.register(birth_year="1970")
    _log_spasm(app)
    html = client.get("/").get_data(as_text=True)
    assert CARD in html and 'name="birth_year"' not in html


def test_answers_are_saved_to_the_profile_and_the_card_goes(app, web, client):
    web.register()
    _log_spasm(app)
    fields = _prompt_form(client.get("/diary").get_data(as_text=True))
    response = client.post("/me/about-you", data={**fields, "birth_year": "1961", "osteoporosis": "y",
                                                  "long_term_steroids": "y", "save": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/diary")
    with app.app_context():
        user = _user(app)
        assert user.birth_year == 1961 and user.osteoporosis and user.long_term_steroids
        assert not user.cancer_history and user.profile_prompt_done_at is not None
    assert CARD not in client.get("/").get_data(as_text=True)
    assert CARD not in client.get("/diary").get_data(as_text=True)


def test_skip_hides_it_for_good_and_changes_nothing(app, web, client):
    web.register()
    _log_spasm(app)
    fields = _prompt_form(client.get("/").get_data(as_text=True))
    response = client.post("/me/about-you", data={**fields, "birth_year": "1961", "cancer_history": "y", "skip": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    _log_spasm(app)  # another spasm does not bring it back
    assert CARD not in client.get("/").get_data(as_text=True)
    with app.app_context():
        user = _user(app)
        assert user.birth_year is None and not user.cancer_history and user.profile_prompt_done_at is not None


def test_an_impossible_year_keeps_every_answer_and_the_card(app, web, client):
    web.register()
    _log_spasm(app)
    fields = _prompt_form(client.get("/").get_data(as_text=True))
    response = client.post("/me/about-you", data={**fields, "birth_year": "2099", "kidney_disease": "y", "save": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Enter a year from 1900 to {datetime.now(UTC).year}." in html
    assert 'value="2099"' in html
    assert re.search(r'<input checked[^>]*name="kidney_disease"|name="kidney_disease"[^>]*checked', html)
    with app.app_context():
        user = _user(app)
        assert user.birth_year is None and not user.kidney_disease and user.profile_prompt_done_at is None
    assert CARD in client.get("/").get_data(as_text=True)


def test_a_ticked_answer_from_elsewhere_shows_ticked_in_the_card(app, web, client):
    """The SOS urgent line may have saved 'I have ever had cancer' already: the card starts from the profile."""
    web.register()
    with app.app_context():
        _user(app).cancer_history = True
        db.session.commit()
    _log_spasm(app)
    card = client.get("/").get_data(as_text=True)
    card = card[card.index("data-profile-prompt"):]
    assert re.search(r'<input checked[^>]*name="cancer_history"|name="cancer_history"[^>]*checked', card)
