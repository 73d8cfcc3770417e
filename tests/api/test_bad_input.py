"""Bad input on every API endpoint gets a 4xx in the one error shape, never a 500 or HTML.

The endpoint list comes from the OpenAPI document, so endpoints added later are covered too.
"""
from __future__ import annotations

import re

import pytest

from tests.factories import user_data

WRONG_TYPES = {"string": 12345, "integer": "seven", "boolean": "yes", "number": "many", "array": "a,b", "object": "x"}


def _operations(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation, spec


def _body_schema(operation, spec):
    ref = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    if not ref:
        return None
    return spec["components"]["schemas"][ref.split("/")[-1]]


def _prop_type(prop: dict) -> str | None:
    if "type" in prop:
        return prop["type"]
    for option in prop.get("anyOf", []):
        if option.get("type") not in (None, "null"):
            return option["type"]
    return None


def _variants(schema: dict):
    yield "empty object", {}
    yield "a list", [1, 2]
    yield "unknown field", {"definitely_not_a_field": 1}
    for name, prop in schema.get("properties", {}).items():
        kind = _prop_type(prop)
        if kind in WRONG_TYPES:
            yield f"{name} wrong type", {name: WRONG_TYPES[kind]}
        if kind == "string":
            yield f"{name} oversized", {name: "x" * 100_000}
        if kind == "integer":
            yield f"{name} huge", {name: 10**30}
            yield f"{name} bool", {name: True}


def _assert_error_shape(response, allowed=range(400, 500)):
    assert response.status_code in allowed, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and isinstance(body["error"]["code"], str) and body["error"]["message"]
    assert "Traceback" not in response.get_data(as_text=True)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


def test_openapi_document_lists_every_api_route(app):
    documented = {(path, method) for path, method, _, _ in _operations(app)}
    routed = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == documented
    for path, method, operation, spec in _operations(app):
        assert "responses" in operation and operation["responses"], (method, path)
        if method in {"POST", "PATCH", "PUT"}:
            assert _body_schema(operation, spec) is not None or "204" in operation["responses"], (method, path)


def test_every_write_endpoint_refuses_bad_bodies(app, api):
    _, token = api.register()
    checked = 0
    for path, method, operation, spec in _operations(app):
        schema = _body_schema(operation, spec)
        if schema is None:
            continue
        url = _concrete(path)
        not_json = api.client.open(url, method=method, data="email=a", content_type="application/x-www-form-urlencoded",
                                   headers={"Authorization": f"Bearer {token}"})
        _assert_error_shape(not_json, {415})
        broken = api.client.open(url, method=method, data="{not json", content_type="application/json",
                                 headers={"Authorization": f"Bearer {token}"})
        _assert_error_shape(broken, {400})
        for label, body in _variants(schema):
            response = api.call(method, url, json=body, token=token)
            if response.status_code < 400:
                # A PATCH with {} legitimately changes nothing.
                assert label == "empty object" and method == "PATCH", (method, path, label, response.status_code)
                continue
            _assert_error_shape(response)
            checked += 1
    assert checked > 30


def test_unknown_fields_and_wrong_types_name_the_field(api):
    response = api.post("/api/v1/auth/register", json={**user_data(), "is_admin": True, "display_name": 7})
    body = response.get_json()["error"]
    assert response.status_code == 400 and body["code"] == "validation_error"
    assert body["fields"]["is_admin"] == "unknown field"
    assert "display_name" in body["fields"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus_Mons", "unknown time zone"),
        ("timezone", "../../etc/passwd", "unknown time zone"),
        ("timezone", "", "unknown time zone"),
        ("country", "XX", "unknown country"),
        ("country", "G", "unknown country"),
        ("email", "not-an-email", "enter an email"),
        ("display_name", "   ", "1 to 80"),
        ("role", "admin", "validation"),
    ],
)
def test_register_rejects_invalid_values(api, field, value, message):
    response = api.post("/api/v1/auth/register", json=user_data(**{field: value}))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert message in error["fields"].get(field, "") or message in error["code"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"country": "ZZ"}, "country"),
        ({"birth_year": 1800}, "birth_year"),
        ({"birth_year": 3000}, "birth_year"),
        ({"birth_year": "1980"}, "birth_year"),
        ({"osteoporosis": "true"}, "osteoporosis"),
        ({"osteoporosis": None}, "osteoporosis"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"email": "new@example.com"}, "email"),
    ],
)
def test_profile_patch_rejects_invalid_values(api, patch, field):
    _, token = api.register()
    response = api.patch("/api/v1/me", json=patch, token=token)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_oversized_body_gets_413(api):
    response = api.post("/api/v1/auth/register", json={"email": "a" * 400_000})
    _assert_error_shape(response, {413})


def test_unknown_api_path_and_wrong_method_are_json(api):
    _assert_error_shape(api.get("/api/v1/nothing-here"), {404})
    _assert_error_shape(api.call("PUT", "/api/v1/me"), {405})


def test_nul_characters_are_refused_everywhere(api, web, client):
    _, token = api.register()
    response = api.post("/api/v1/episodes", json={"started_at": "2026-01-01T10:00:00Z", "severity": 3, "notes": "a\x00b"}, token=token)
    _assert_error_shape(response, {400})
    assert response.get_json()["error"]["fields"] == {"notes": "must not contain NUL characters"}
    query = api.get("/api/v1/episodes", token=token, query_string={"cursor": "x\x00"})
    _assert_error_shape(query, {400})
    form = web.post("/register", user_data(display_name="Nul\x00Name"))
    assert form.status_code == 400
