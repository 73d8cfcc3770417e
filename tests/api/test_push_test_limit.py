"""POST /api/v1/push/test sends a real push to the person's phone, so it is rate-limited per account."""
from __future__ import annotations

from coach.reminders.push import sender_for
from tests.factories import Api
from tests.pushfake import FakePushService
from tests.reminder_helpers import push_config

TEST_PUSH = "/api/v1/push/test"


def test_a_sixth_test_push_in_a_minute_is_refused_and_only_five_reach_the_phone(app_factory):
    app = app_factory(**push_config())
    api = Api(app.test_client())
    _, token = api.register()
    _, other = api.register()
    with app.app_context():
        key = sender_for(app).keys.public_key
    with FakePushService(key) as service:
        device = service.subscribe("phone")
        assert api.post("/api/v1/push/subscriptions", json=device.info(), token=token).status_code == 201
        sent = [api.post(TEST_PUSH, json={"endpoint": device.endpoint}, token=token) for _ in range(5)]
        assert [response.get_json()["outcome"] for response in sent] == ["sent"] * 5
        refused = api.post(TEST_PUSH, json={"endpoint": device.endpoint}, token=token)
        assert len(service.delivered("phone")) == 5
    # The API's one error shape, and how long to wait.
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Counted per account: someone else's test push is not held up (their device is unknown here: 404).
    assert api.post(TEST_PUSH, json={"endpoint": device.endpoint}, token=other).status_code == 404


def test_the_limit_is_in_the_api_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/push/test"]["post"]
    assert "429" in operation["responses"]
    assert "429" in operation["description"] and "Retry-After" in operation["description"]
