"""The Node fake push service (bench/pushfake.mjs) that bench/dispatch.py posts 100,000 pushes to: it must accept
what the app's Sender sends over HTTP/2 and refuse, as a push service would, what a phone could not read or trust."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pywebpush import WebPusher

from coach.reminders.push import (
    EndpointPolicy,
    Push,
    Sender,
    VapidKeys,
    _public_of,
    _Request,
    b64url,
    encode_payload,
    parse_private_key,
)
from tests.reminder_helpers import VAPID_PRIVATE

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node (Node.js 20) is not installed")

FAKE = Path(__file__).resolve().parents[2] / "bench" / "pushfake.mjs"
PAYLOAD = encode_payload("Posture check", "Time for a posture check.", "/tips/posture", "r1-202611230900")


def _sender(private_key: str = VAPID_PRIVATE) -> Sender:
    vapid = parse_private_key(private_key)
    return Sender(VapidKeys(vapid, _public_of(vapid), "mailto:ops@example.com"), EndpointPolicy([], True))


class NodeFake:
    """bench/pushfake.mjs on a free port, expecting the app's VAPID key; its control endpoints over HTTP/1.1."""

    def __init__(self, *options: str):
        key = _public_of(parse_private_key(VAPID_PRIVATE))
        self.process = subprocess.Popen(["node", str(FAKE), "--port", "0", "--vapid-key", key, *options],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # printed once it listens
        assert line.startswith("fake push service on "), line
        self.origin = line.split()[4]

    def call(self, method: str, path: str, document: dict | None = None) -> dict:
        data = None if document is None else json.dumps(document).encode()
        request = urllib.request.Request(self.origin + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.load(answer)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(5)
        self.process.stdout.close()


@pytest.fixture
def fake():
    made = NodeFake()
    yield made
    made.close()


@pytest.fixture
def sender():
    made = _sender()
    yield made
    made.transport.close()


def _tampered(device: dict, sender: Sender) -> tuple[str, bytes, dict]:
    """A push encrypted and signed exactly as Sender does, then one byte of its ciphertext flipped."""
    request = _Request()
    WebPusher(device, requests_session=request).send(PAYLOAD, dict(sender.vapid_headers(device["endpoint"]),
                                                                   Topic="r2-202611230900"), ttl=60)
    body = bytearray(request.data)
    body[-20] ^= 1
    return request.url, bytes(body), request.headers


def test_a_correct_push_is_accepted_counted_by_topic_and_decrypts_to_the_payload(fake, sender):
    device = fake.call("POST", "/_devices", {"name": "phone"})
    result = sender.send(device, PAYLOAD, topic="r1-202611230900")
    assert (result.outcome, result.status) == ("sent", 201)
    assert fake.call("GET", "/_stats") == {"received": 1, "accepted": 1, "by_topic": {"r1-202611230900": 1},
                                           "invalid": 0, "faulted": 0, "decrypted": 1, "undecryptable": 0}
    last = fake.call("GET", "/_devices/phone")["last"]
    assert last["payload"] == json.loads(PAYLOAD) and last["error"] is None
    report = fake.call("GET", "/_arrivals")
    assert report["http_versions"] == {"2": 1} and report["connections"] == 1 and len(report["arrivals"]) == 1


def test_many_pushes_at_once_are_each_counted_once(fake, sender):
    devices = [fake.call("POST", "/_devices") for _ in range(3)]
    pushes = [Push(devices[i % 3], PAYLOAD, f"r{i}-202611230900") for i in range(150)]
    assert {r.outcome for r in sender.send_many(pushes)} == {"sent"}
    stats = fake.call("GET", "/_stats")
    assert stats["accepted"] == 150 and set(stats["by_topic"].values()) == {1}


def test_a_push_signed_with_another_vapid_key_is_refused_as_invalid(fake):
    device = fake.call("POST", "/_devices", {"name": "phone"})
    other = b64url(ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big"))
    stranger = _sender(other)
    try:
        result = stranger.send(device, PAYLOAD, topic="r1-202611230900")
    finally:
        stranger.transport.close()
    assert (result.outcome, result.status) == ("rejected", 400)
    assert "application server's public key" in result.detail
    stats = fake.call("GET", "/_stats")
    assert (stats["accepted"], stats["invalid"], stats["by_topic"]) == (0, 1, {})


def test_a_push_whose_body_was_changed_on_the_way_is_refused_as_invalid(fake, sender):
    device = fake.call("POST", "/_devices", {"name": "phone"})
    [answer] = sender.transport.post_many([_tampered(device, sender)])
    assert answer.status_code == 400
    assert fake.call("GET", "/_devices/phone")["last"]["error"] == "record does not decrypt (tag mismatch)"
    stats = fake.call("GET", "/_stats")
    assert (stats["accepted"], stats["invalid"]) == (0, 1)


def test_a_push_encrypted_for_another_phone_is_refused_as_invalid(fake, sender):
    phone, other = fake.call("POST", "/_devices"), fake.call("POST", "/_devices")
    result = sender.send({"endpoint": phone["endpoint"], "keys": other["keys"]}, PAYLOAD, topic="r1-202611230900")
    assert (result.outcome, result.status) == ("rejected", 400)
    assert fake.call("GET", "/_stats")["invalid"] == 1


def test_a_fault_window_answers_500_or_429_then_pushes_are_accepted_again(fake, sender):
    device = fake.call("POST", "/_devices")
    assert fake.call("POST", "/_fault", {"status": 500, "seconds": 1}) == {"fault": {"status": 500, "retry_after": 5}}
    failed = sender.send(device, PAYLOAD, topic="r1-202611230900")
    assert (failed.outcome, failed.status) == ("retry", 500)
    fake.call("POST", "/_fault", {"status": 429, "seconds": 1, "retry_after": 120})
    held = sender.send(device, PAYLOAD, topic="r1-202611230900")
    assert (held.outcome, held.retry_after) == ("rate_limited", 120.0)
    time.sleep(1.1)
    assert sender.send(device, PAYLOAD, topic="r1-202611230900").outcome == "sent"
    stats = fake.call("GET", "/_stats")
    assert (stats["received"], stats["faulted"], stats["accepted"]) == (3, 2, 1)
    assert stats["by_topic"] == {"r1-202611230900": 1}
    fake.call("POST", "/_reset")
    assert fake.call("GET", "/_stats")["received"] == 0


def test_decrypt_later_answers_201_at_once_and_decrypts_every_kept_push_when_counts_are_read(sender):
    """As in production: the push service checks VAPID and the header and answers; the phone decrypts, and a
    push it cannot read is counted, not lost from sight."""
    fake = NodeFake("--decrypt", "later")
    try:
        device = fake.call("POST", "/_devices", {"name": "phone"})
        assert sender.send(device, PAYLOAD, topic="r1-202611230900").outcome == "sent"
        [answer] = sender.transport.post_many([_tampered(device, sender)])
        assert answer.status_code == 201  # a push service cannot tell: only the phone can
        report = fake.call("GET", "/_arrivals")  # decrypts what was kept, and says what that cost
        assert len(report["arrivals"]) == 2 and report["decrypt_cpu_seconds"] > 0
        stats = fake.call("GET", "/_stats")
        assert (stats["accepted"], stats["decrypted"], stats["undecryptable"], stats["invalid"]) == (2, 1, 1, 0)
        assert fake.call("GET", "/_devices/phone")["last"]["error"] == "record does not decrypt (tag mismatch)"
        # What a push service can check is still refused at once: a body that is not aes128gcm.
        [short] = sender.transport.post_many([(device["endpoint"], b"too short", _tampered(device, sender)[2])])
        assert short.status_code == 400
        assert fake.call("GET", "/_stats")["invalid"] == 1
    finally:
        fake.close()
