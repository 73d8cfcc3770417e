"""A fake web push service on 127.0.0.1 for the tests.

Each device made with `subscribe()` has its own P-256 key pair and auth secret, as a browser would. Every
POST to a device's endpoint is checked the way a real push service and browser would: the VAPID
`Authorization: vapid t=<JWT>,k=<key>` header must carry an ES256 signature that verifies with `k`
(and `k` must be the app's public key when one is given), an `aud` equal to this server's origin, a
future `exp` within 24 hours and a mailto:/https `sub`; the body is decrypted with `http_ece`
(aes128gcm) using the device's private key. A device can be told how to answer (201, 410, 413,
429 with Retry-After, ...), one answer per request, then 201.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    name: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    endpoint: str
    answers: list = field(default_factory=list)  # int status or (status, headers)

    def info(self) -> dict:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}


@dataclass
class Message:
    device: str
    status: int
    headers: dict
    payload: dict | None
    claims: dict | None
    error: str | None
    at: float


def verify_vapid(header: str, origin: str, expected_key: str | None) -> dict:
    """The claims of a valid VAPID header; raises ValueError saying what is wrong."""
    scheme, _, params = (header or "").partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"Authorization scheme {scheme!r}, expected vapid")
    parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
    token, key = parts.get("t", ""), parts.get("k", "")
    if expected_key is not None and key.rstrip("=") != expected_key:
        raise ValueError("k is not the application server's public key")
    signing_input, _, signature = token.rpartition(".")
    raw = unb64url(signature)
    if len(raw) != 64:
        raise ValueError("ES256 signature must be 64 bytes")
    der = utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    try:
        public.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("VAPID signature does not verify") from None
    head, body = (json.loads(unb64url(piece)) for piece in signing_input.split("."))
    if head.get("alg") != "ES256":
        raise ValueError("alg must be ES256")
    if body.get("aud") != origin:
        raise ValueError(f"aud {body.get('aud')!r} is not {origin!r}")
    now = time.time()
    if not now < body.get("exp", 0) <= now + 24 * 3600 + 60:
        raise ValueError("exp must be in the future and within 24 hours")
    if not str(body.get("sub", "")).startswith(("mailto:", "https://")):
        raise ValueError("sub must be a mailto: or https: URL")
    return body


class FakePushService:
    def __init__(self, expected_key: str | None = None):
        self.expected_key = expected_key
        self.devices: dict[str, Device] = {}
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        service = self

        self.connections = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with service.lock:
                    service.connections += 1

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers = service.handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self, name: str | None = None) -> Device:
        name = name or f"device-{len(self.devices) + 1}"
        device = Device(name, ec.generate_private_key(ec.SECP256R1()), os.urandom(16), f"{self.origin}/push/{name}")
        self.devices[name] = device
        return device

    def answer(self, name: str, *answers) -> None:
        """The next answers for a device: 410, 413, (429, {"Retry-After": "120"}), ..."""
        self.devices[name].answers.extend(answers)

    def handle(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        name = path.rsplit("/", 1)[-1]
        device = self.devices.get(name)
        headers = {k.lower(): v for k, v in headers.items()}
        claims = payload = error = None
        status, extra = 404, {}
        if device is not None:
            try:
                claims = verify_vapid(headers.get("authorization", ""), self.origin, self.expected_key)
                if headers.get("content-encoding") != "aes128gcm":
                    raise ValueError("Content-Encoding must be aes128gcm")
                plain = http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth,
                                         version="aes128gcm")
                payload = json.loads(plain)
                status = 201
            except Exception as exc:  # record why, answer like a push service would
                error, status = f"{type(exc).__name__}: {exc}", 400
            with self.lock:
                if status == 201 and device.answers:
                    answer = device.answers.pop(0)
                    status, extra = answer if isinstance(answer, tuple) else (answer, {})
        with self.lock:
            self.messages.append(Message(name, status, headers, payload, claims, error, time.time()))
        return status, extra

    def delivered(self, name: str | None = None) -> list[Message]:
        """Messages accepted (201), optionally for one device."""
        with self.lock:
            return [m for m in self.messages if m.status == 201 and (name is None or m.device == name)]
