"""Schemathesis fuzzes every operation of our own OpenAPI document through WSGI, with every check it has.

It generates requests that fit the document and requests that do not, and checks that the app never answers 5xx,
that every answer matches the documented status codes, headers and schemas, that requests breaking the document
are refused, and that requests fitting it are accepted. Every operation is called signed in: trainer operations
with a trainer's token, so they get past the role check and are really exercised.

Some rules cannot be said in JSON Schema: a password that is not yours, a cursor or invite code we never issued,
a routine that does not exist, a date in the future of now, a start after an end. A request that fits the document
and breaks one of them is refused with a 400 naming the field, and is right to be. RULES lists each of them per
operation, field and message; for those operations the acceptance check takes a 400, and `refusal_names_a_rule`
then checks that every such 400 is one of those rules and nothing else. Unknown ids (404), conflicts (409) and
the role (403) are schemathesis's own allowances.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from coach import create_app
from coach.auth.service import Registration, issue_token, register_user
from coach.pagination import BAD_CURSOR
from tests.conftest import make_config
from tests.factories import user_data

# A moment's place relative to now: not in the future (a few minutes of clock skew aside), not a century ago.
FUTURE = (r"cannot be in the future|can't be more than \d+ minutes in the future|cannot be before 1900"
          r"|can't be more than 100 years ago|can't be before your birth year \(\d+\)")
COMMON = r"this password is too common; try a short phrase only you would think of|don't use your email address .*"
BIRTH = r"enter a year from 1900 to \d+"  # the latest is this year
NO_ROUTINE = r"no such routine.*|unknown routine .*"
SCHEDULE = {  # the schedule's start before its end, its one time still to come
    r"schedule\.end": "must be later than start on the same day",
    r"schedule\.at": "must be in the future|use an ISO 8601 date-time with a UTC offset.*",
}
MEDICINE = r"names a medicine \(.*\); the app never does"
ROUTINE = {  # the stock step named must exist; a stock step copied may be optional; no medicine is named
    "title": MEDICINE, "summary": MEDICINE, r"steps\.\d+\.(title|instruction)": MEDICINE,
    r"steps\.\d+\.stock_step": "no such stock step", "steps": "at least one step must not be optional",
}
EPISODE = {"started_at": FUTURE, "remove_symptoms": r".*: cannot be added and removed at once",
           r"clear_if\.locked_minutes": "cannot be set and cleared at once"}

# A refusal that only says what a schema cannot, per operation: "field": "message" (regular expressions, each
# matched in full).
RULES: dict[str, dict[str, str]] = {
    "POST /api/v1/auth/register": {"password": COMMON, "birth_year": BIRTH,
                                   "email": "enter an email address like name@example.com"},
    "PATCH /api/v1/me": {"birth_year": BIRTH, "quiet_start": "set both the start and the end, or neither",
                         "quiet_end": "set both the start and the end, or neither|must differ from the start"},
    "POST /api/v1/me/password": {"current_password": "this is not your current password", "new_password": COMMON},
    "DELETE /api/v1/me": {"password": "this is not your password"},
    "POST /api/v1/episodes": EPISODE,
    "PUT /api/v1/episodes/by-client/{client_id}": {**EPISODE, "started_at": f"required.*|{FUTURE}"},
    "PATCH /api/v1/episodes/{episode_id}": EPISODE,
    "POST /api/v1/episodes/{episode_id}/follow-ups": {"at": f"{FUTURE}|can't be before the spasm started"},
    "GET /api/v1/assessment": {"at": FUTURE},
    "POST /api/v1/sessions": {
        "routine": NO_ROUTINE, "started_at": FUTURE, "ended_at": f"cannot be before started_at|{FUTURE}",
        "stop_reason": "unknown code; use one of .*|a completed session has no stop reason",
        "completed_steps": r"step \d+ is not in this routine .*",
        "assignment_id": "not a routine assigned to you|assigned for another routine",
        "routine_version": r"must be a published version of this routine, .*",
    },
    "POST /api/v1/reminders": {**SCHEDULE, "routine": f"{NO_ROUTINE}|required for a routine reminder.*|only for "
                               r"routine reminders \(kind routine\)"},
    "PATCH /api/v1/reminders/{reminder_id}": {**SCHEDULE, "routine": f"{NO_ROUTINE}|required for a routine reminder"
                                              r".*|only for routine reminders \(kind routine\)"},
    "POST /api/v1/push/subscriptions": {"endpoint": "is not a known push service",
                                        r"keys\.p256dh": "must be the browser's base64url P-256 public key"},
    "POST /api/v1/links": {"code": "This code is not valid: ask your trainer for a new one."},
    "POST /api/v1/trainer/assignments": {**SCHEDULE, "routine": NO_ROUTINE},
    "PATCH /api/v1/trainer/assignments/{assignment_id}": SCHEDULE,
    "POST /api/v1/trainer/routines": ROUTINE,
    "PATCH /api/v1/trainer/routines/{routine_id}": ROUTINE,
}

# The document, from a throwaway app (only the routes are needed, not a database).
_document_app = create_app(make_config("sqlite://"))
_document = _document_app.test_client().get("/api/v1/openapi.json").get_json()
for _path, _operations in _document["paths"].items():
    for _method, _operation in _operations.items():
        if any(parameter["name"] == "cursor" for parameter in _operation.get("parameters", [])):
            # A cursor of the documented form that this API never issued (one page's id, position or values).
            RULES.setdefault(f"{_method.upper()} {_path}", {})["cursor"] = re.escape(BAD_CURSOR)

# Only where RULES says which 400 is right does the acceptance check take one; refusal_names_a_rule narrows it.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
_config = SchemathesisConfig.from_dict({"operations": [
    {"include-name": label, "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}}}
    for label in RULES
]})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app, config=_config)


def _left_empty_by_unknown_stock_step(field: str, message: str, fields: dict) -> bool:
    # A step that names a stock step that does not exist has no words or time to copy: "required" follows.
    step = re.fullmatch(r"(steps\.\d+)\.(title|instruction|seconds)", field)
    return bool(step) and message == "required" and fields.get(f"{step[1]}.stock_step") == "no such stock step"


def refusal_names_a_rule(ctx, response, case) -> None:
    """A request that fits the document, answered 400: every field the answer names must be one of RULES."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return
    label = f"{case.method.upper()} {case.path}"
    fields = (response.json().get("error") or {}).get("fields") or {"body": "(no fields)"}
    allowed = RULES.get(label, {}).items()
    wrong = {field: message for field, message in fields.items()
             if not any(re.fullmatch(name, field) and re.fullmatch(rule, message) for name, rule in allowed)
             and not _left_empty_by_unknown_stock_step(field, message, fields)}
    assert not wrong, f"{label} refused a request that fits its document: {wrong}"


@pytest.fixture
def fuzz_app(app_factory):
    # Rate limits are proven by their own tests; here they would turn the fuzzer's requests into 429s.
    return app_factory(RATELIMIT_ENABLED=False)


def _token(app, role: str = "athlete") -> str:
    """A fresh account's bearer token (for trainer operations a trainer's, for DELETEs that end it a new one)."""
    now = datetime.now(UTC)
    with app.app_context():
        user = register_user(Registration(**user_data(role=role)), now)
        raw, _ = issue_token(user, now, ttl_days=1)
    return raw


@pytest.fixture
def tokens(fuzz_app):
    return {"athlete": _token(fuzz_app), "trainer": _token(fuzz_app, "trainer")}


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_matches_its_document(case, fuzz_app, tokens):
    role = "trainer" if case.path.startswith("/api/v1/trainer/") else "athlete"
    ends_it = case.method == "DELETE" and case.path in ("/api/v1/me", "/api/v1/auth/token")
    token = _token(fuzz_app, role) if ends_it else tokens[role]
    case.call_and_validate(
        app=fuzz_app,
        # Schemathesis's WSGI transport asks for gzip but does not decode it; compression has its own tests
        # (tests/web/test_compression.py), so the fuzzer reads plain bodies.
        headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
        additional_checks=[refusal_names_a_rule],
    )
