"""Schemathesis fuzzes every operation of our own OpenAPI document through WSGI.

It generates valid and invalid requests from the document and checks that the app never answers 5xx
and that every answer matches the documented status codes and schemas.
"""
from __future__ import annotations

from datetime import UTC

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from coach import create_app
from tests.conftest import make_config
from tests.factories import Api

# The document only needs the routes, not a database: a throwaway app serves it at collection time.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(make_config("sqlite://")))


@pytest.fixture
def fuzz_token(app):
    _, token = Api(app.test_client()).register()
    return token


def _fresh_token(app) -> str:
    """A new account for operations that end the account or the token (the rate limit is not the subject here)."""
    from datetime import datetime

    from coach.auth.service import Registration, issue_token, register_user
    from tests.factories import user_data

    now = datetime.now(UTC)
    data = user_data()
    with app.app_context():
        user = register_user(Registration(**data), now)
        raw, _ = issue_token(user, now, ttl_days=1)
    return raw


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_matches_its_document(case, app, fuzz_token):
    destructive = case.method == "DELETE" and case.path in ("/api/v1/me", "/api/v1/auth/token")
    token = _fresh_token(app) if destructive else fuzz_token
    # Requests that fit the schema may still break a rule the schema cannot say (a wrong password,
    # a cursor we never issued, a date in the future): those 4xx answers are correct, so that check is off.
    case.call_and_validate(
        app=app,
        # Schemathesis's WSGI transport asks for gzip but does not decode it; compression has its own tests
        # (tests/web/test_compression.py), so the fuzzer reads plain bodies.
        headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
