"""Undoing a tick of the safety check's urgent line: the bodies the page sends (data-undoes), through the endpoints
the outbox replays to, take back exactly what the tick saved; the page knows a cancer answer the profile already had."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from uuid import uuid4

import pytest

from tests.factories import WebSession


def _ticks(html: str) -> dict:
    """key -> (target, what the tick saves, what tapping it again sends), read from the page."""
    found = re.findall(r'data-urgent-item="(\w+)"\s+data-target="(\w+)" data-saves=\'([^\']+)\' data-undoes=\'([^\']+)\'', html)
    return {key: (target, json.loads(unescape(saves)), json.loads(unescape(undoes))) for key, target, saves, undoes in found}


def _signed_in(client) -> str:
    WebSession(client).register(country="GB")
    return client.get("/sync-state").get_json()["csrf_token"]


def _put(client, token, spasm, body):
    return client.put(f"/api/v1/episodes/by-client/{spasm}", json=body, headers={"X-CSRFToken": token})


@pytest.mark.parametrize("page", ["/sos", "/routines/floor-mobility/play"])
def test_every_tick_has_its_undo_on_the_page(client, seeded, page):
    ticks = _ticks(client.get(page).get_data(as_text=True))
    assert {key: undo for key, (_, _, undo) in ticks.items()} == {
        "fever": {"remove_symptoms": ["fever"]},
        "cancer_history": {"cancer_history": False},
        "weight_loss": {"remove_symptoms": ["weight_loss"]},
        "cannot_stand": {"remove_symptoms": ["cannot_stand"]},
        "locked_minutes": {"clear_if": {"locked_minutes": 61}},
    }


@pytest.mark.parametrize("key", ["fever", "weight_loss", "cannot_stand", "locked_minutes"])
def test_tick_then_undo_leaves_the_spasm_and_the_assessment_as_before(client, seeded, key):
    token = _signed_in(client)
    target, saves, undoes = _ticks(client.get("/sos").get_data(as_text=True))[key]
    assert target == "episode"
    spasm, started = uuid4(), (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    before = _put(client, token, spasm, {"started_at": started, "severity": 5, "locations": ["lower_back"]}).get_json()
    assert _put(client, token, spasm, {"started_at": started, **saves}).get_json()["assessment"]["level"] == "urgent"
    after = _put(client, token, spasm, {"started_at": started, **undoes})
    assert after.status_code == 200
    assert after.get_json()["episode"] == {**before["episode"], "updated_at": after.get_json()["episode"]["updated_at"]}
    assert after.get_json()["assessment"]["flags"] == before["assessment"]["flags"]
    assert after.get_json()["assessment"]["level"] == before["assessment"]["level"]


def test_the_page_carries_the_profiles_cancer_answer_only_for_the_signed_in_person(client, seeded):
    identity = re.compile(r"<span hidden data-identity[^>]*>")
    assert "data-cancer-history" not in identity.search(client.get("/sos").get_data(as_text=True)).group(0)
    token = _signed_in(client)
    assert 'data-cancer-history="false"' in identity.search(client.get("/sos").get_data(as_text=True)).group(0)
    assert client.patch("/api/v1/me", json={"cancer_history": True}, headers={"X-CSRFToken": token}).status_code == 200
    assert 'data-cancer-history="true"' in identity.search(client.get("/sos").get_data(as_text=True)).group(0)
    assert "From your profile" in client.get("/sos").get_data(as_text=True)  # shown by safety.js when it applies
