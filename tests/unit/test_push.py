"""coach/reminders/push.py without an app: endpoint allow-list, topics, payload cap, Retry-After, answers, keys."""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from coach.reminders.push import (
    MAX_PAYLOAD_BYTES,
    EndpointPolicy,
    classify,
    encode_payload,
    key_problems,
    make_topic,
    parse_retry_after,
)

DEFAULT_HOSTS = "fcm.googleapis.com,*.push.services.mozilla.com,web.push.apple.com,*.notify.windows.com"


@pytest.mark.parametrize(
    ("endpoint", "loopback", "allowed"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", False, True),
        ("https://updates.push.services.mozilla.com/wpush/v2/x", False, True),
        ("https://web.push.apple.com/QGx", False, True),
        ("https://wns2-par02p.notify.windows.com/w/?token=x", False, True),
        ("https://push.services.mozilla.com/x", False, False),  # *. needs a subdomain
        ("https://fcm.googleapis.com.evil.example/x", False, False),
        ("https://evilfcm.googleapis.com/x", False, False),
        ("http://fcm.googleapis.com/x", False, False),
        ("https://fcm.googleapis.com:444/x", False, False),
        ("https://user@fcm.googleapis.com/x", False, False),
        ("ftp://fcm.googleapis.com/x", False, False),
        ("not a url", False, False),
        ("http://127.0.0.1:8080/push/1", False, False),
        ("http://127.0.0.1:8080/push/1", True, True),
        ("http://localhost:8080/push/1", True, False),
        ("http://[::1]:8080/push/1", True, False),
        ("http://10.0.0.1/push/1", True, False),
        ("https://fcm.googleapis.com/fcm/send/a b", False, False),  # would make a broken request line
        ("https://fcm.googleapis.com/fcm/send/a\tb", False, False),
        ("https://fcm.googleapis.com/fcm/send/a\x7fb", False, False),
        ("http://127.0.0.1:8080/push/a b", True, False),
    ],
)
def test_endpoint_allow_list(endpoint, loopback, allowed):
    assert (EndpointPolicy(DEFAULT_HOSTS, loopback).problem(endpoint) is None) is allowed


def test_topic_is_short_base64url_and_in_utc():
    moment = datetime(2026, 3, 29, 7, 30, tzinfo=UTC)
    topic = make_topic(123456789, moment)
    assert topic == "r123456789-202603290730" and len(topic) <= 32
    assert all(c.isalnum() or c in "-_" for c in topic)
    assert len(make_topic(10**30, moment)) == 32


def test_payload_is_the_four_fields_and_stays_well_under_4kb():
    assert json.loads(encode_payload("Floor mobility", "Time for it.", "/routines/floor-mobility/play", "r1-x")) == {
        "title": "Floor mobility", "body": "Time for it.", "url": "/routines/floor-mobility/play", "tag": "r1-x"}
    huge = encode_payload("T" * 5000, "é" * 5000, "/", "r1-x")
    assert len(huge) <= MAX_PAYLOAD_BYTES < 3993
    assert json.loads(huge)["tag"] == "r1-x"


def test_retry_after_in_seconds_or_as_a_date():
    now = time.time()
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after(None, now) == 60
    assert parse_retry_after("soon", now) == 60
    assert parse_retry_after("999999", now) == 3600
    assert parse_retry_after("0", now) == 1
    later = format_datetime(datetime.fromtimestamp(now + 300, UTC), usegmt=True)
    assert 295 <= parse_retry_after(later, now) <= 301


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(201, "sent"), (202, "sent"), (404, "gone"), (410, "gone"), (413, "too_large"), (429, "rate_limited"),
     (400, "rejected"), (401, "rejected"), (403, "rejected"), (301, "rejected"), (500, "retry"), (503, "retry")],
)
def test_what_each_answer_means(status, outcome):
    result = classify(status, {"Retry-After": "30"}, "", time.time())
    assert result.outcome == outcome
    if outcome == "rate_limited":
        assert result.retry_after == 30


def test_subscription_keys_must_be_a_real_point_and_a_16_byte_secret():
    good = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    assert key_problems(good, "tBHItJI5svbpez7KI4CCXg") == {}
    not_on_curve = "B" + "A" * 86
    assert set(key_problems(not_on_curve, "!!")) == {"keys.p256dh", "keys.auth"}
