"""A fake web push service on 127.0.0.1, served by hypercorn: HTTP/2 (h2c, prior knowledge) and HTTP/1.1 on one port.

Each device made with `subscribe()` (or `POST /_devices`) has its own P-256 key pair and auth secret, as a
browser would. Every POST to a device's endpoint is checked the way a real push service and browser would:
the VAPID `Authorization: vapid t=<JWT>,k=<key>` header must carry an ES256 signature that verifies with `k`
(and `k` must be the app's public key when one is given), an `aud` equal to this server's origin, a future
`exp` within 24 hours and a mailto:/https `sub`; the body is decrypted with `http_ece` (aes128gcm) using the
device's private key. A device can be told how to answer (201, 410, 413, 429 with Retry-After, ...), one
answer per request, then 201; `POST /_fault` makes every push fail for a while.

Standalone (the soak and fault runs): `python -m tests.pushfake --host 127.0.0.1 --port 8099
[--vapid-key KEY] [--no-decrypt]`, with `POST /_devices`, `GET /_stats`, `POST /_fault`, `POST /_reset`.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from hypercorn.asyncio import serve
from hypercorn.config import Config


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
    answers: list = field(default_factory=list)  # int status, (status, headers) or (status, headers, body)

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
    http_version: str = "2"
    connection: tuple | None = None  # the client's (address, port): one per TCP connection


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
    _check_times(body)
    if not str(body.get("sub", "")).startswith(("mailto:", "https://")):
        raise ValueError("sub must be a mailto: or https: URL")
    return body


def _check_times(claims: dict) -> None:
    now = time.time()
    if not now < claims.get("exp", 0) <= now + 24 * 3600 + 60:
        raise ValueError("exp must be in the future and within 24 hours")


class FakePushService:
    """The fake push service; `with FakePushService(key) as service:` serves it on a thread of its own.

    `hold` (seconds) makes every push wait before it is answered, so a test can see how many are in flight
    at once. `fallback` names a device whose keys decrypt pushes to unknown names (a bench seeds thousands of
    subscriptions with one key pair); `decrypt=False` checks VAPID only. `max_requests` closes each connection
    (HTTP/2 GOAWAY) after that many requests, as push services do now and then. `tls` (certificate and key
    files) serves https, HTTP/2 by ALPN."""

    def __init__(self, expected_key: str | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 decrypt: bool = True, fallback: str | None = None, hold: float = 0.0,
                 keep_messages: bool = True, max_requests: int = 10**9, tls: tuple[str, str] | None = None):
        self.expected_key, self.decrypt, self.fallback, self.hold = expected_key, decrypt, fallback, hold
        self.max_requests, self.tls = max_requests, tls
        self.keep_messages = keep_messages
        self.devices: dict[str, Device] = {}
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        # Bound here, so the origin (and devices' endpoints) are known before the server runs.
        self.socket = socket.create_server((host, port), backlog=1024)
        self.origin = f"{'https' if tls else 'http'}://{host}:{self.socket.getsockname()[1]}"
        # A token that verified once verifies again (same bytes, same signature): only its times are rechecked.
        self._verified: dict[str, dict] = {}
        self.fault: dict | None = None
        self._stopping: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.received = self.accepted = self.invalid = self.faulted = 0
            self.by_topic: Counter[str] = Counter()
            self.arrivals: list[float] = []  # when each accepted push arrived
            self.clients: set[tuple] = set()  # one (address, port) per connection
            self.http_versions: Counter[str] = Counter()
            self.in_flight = self.max_in_flight = 0
            self.messages.clear()

    @property
    def connections(self) -> int:
        return len(self.clients)

    def stats(self) -> dict:
        with self.lock:
            return {"received": self.received, "accepted": self.accepted, "by_topic": dict(self.by_topic),
                    "invalid": self.invalid, "faulted": self.faulted}

    # ------------------------------------------------------------ serving
    def run(self) -> None:
        """Serve until stopped (this thread's own event loop)."""
        config = Config()
        config.bind = [f"fd://{os.dup(self.socket.fileno())}"]  # hypercorn closes its copy on shutdown
        config.accesslog = None
        config.errorlog = None
        config.keep_alive_timeout = 60
        config.keep_alive_max_requests = self.max_requests
        if self.tls:
            config.certfile, config.keyfile = self.tls

        async def main():
            self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
            await serve(self, config, shutdown_trigger=self._stopping.wait)

        asyncio.run(main())

    def __enter__(self):
        self.thread.start()
        while self._stopping is None:  # the loop is up; the socket was listening already
            time.sleep(0.001)
        return self

    def __exit__(self, *exc):
        self._loop.call_soon_threadsafe(self._stopping.set)
        self.thread.join(10)
        self.socket.close()

    async def __call__(self, scope, receive, send) -> None:
        """The ASGI application."""
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":  # the client went before the whole request came
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path, method = scope["path"], scope["method"]
        if path.startswith("/push/") and method == "POST":
            with self.lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
                self.clients.add(tuple(scope.get("client") or ()))
                self.http_versions[scope["http_version"]] += 1
            try:
                if self.hold:
                    await asyncio.sleep(self.hold)
                status, extra, content = self.handle(path, headers, body, scope["http_version"], scope.get("client"))
            finally:
                with self.lock:
                    self.in_flight -= 1
            await _answer(send, status, extra, content)
        else:
            status, document = self.control(method, path, body)
            await _answer(send, status, {"content-type": "application/json"}, json.dumps(document).encode())

    # ------------------------------------------------------------ devices and pushes
    def subscribe(self, name: str | None = None) -> Device:
        with self.lock:
            name = name or f"device-{len(self.devices) + 1}"
            device = Device(name, ec.generate_private_key(ec.SECP256R1()), os.urandom(16), f"{self.origin}/push/{name}")
            self.devices[name] = device
        return device

    def answer(self, name: str, *answers) -> None:
        """The next answers for a device: 410, 413, (429, {"Retry-After": "120"}), (400, {}, b"why"), ..."""
        self.devices[name].answers.extend(answers)

    def handle(self, path: str, headers: dict, body: bytes, http_version: str = "1.1",
               client: tuple | None = None) -> tuple[int, dict, bytes]:
        """Check and decrypt one push; (status, headers, body) of the answer."""
        name = path.rsplit("/", 1)[-1]
        device = self.devices.get(name) or self.devices.get(self.fallback or "")
        claims = payload = error = None
        status, extra, content = 404, {}, b""
        with self.lock:
            self.received += 1
            fault = self.fault if self.fault and self.fault["until"] > time.monotonic() else None
            if fault:
                self.faulted += 1
        if fault:
            status = fault["status"]
            extra = {"Retry-After": str(fault["retry_after"])} if status == 429 else {}
        elif device is not None:
            try:
                claims = self._vapid(headers.get("authorization", ""))
                if headers.get("content-encoding") != "aes128gcm":
                    raise ValueError("Content-Encoding must be aes128gcm")
                if self.decrypt:
                    payload = json.loads(http_ece.decrypt(body, private_key=device.private_key,
                                                          auth_secret=device.auth, version="aes128gcm"))
                status = 201
            except Exception as exc:  # record why, answer like a push service would
                error, status = f"{type(exc).__name__}: {exc}", 400
            with self.lock:
                if status == 201 and device.answers:
                    answer = device.answers.pop(0)
                    status, extra, content = (*answer, b"")[:3] if isinstance(answer, tuple) else (answer, {}, b"")
        with self.lock:
            if error:
                self.invalid += 1
            if status == 201:
                self.accepted += 1
                self.by_topic[headers.get("topic", "")] += 1
                self.arrivals.append(time.time())
            if self.keep_messages:
                self.messages.append(Message(name, status, headers, payload, claims, error, time.time(),
                                             http_version, tuple(client) if client else None))
        return status, extra, content

    def _vapid(self, header: str) -> dict:
        claims = self._verified.get(header)
        if claims is None:
            claims = verify_vapid(header, self.origin, self.expected_key)
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[header] = claims
        else:
            _check_times(claims)
        return claims

    def control(self, method: str, path: str, body: bytes) -> tuple[int, dict]:
        """The standalone mode's own endpoints (not part of any push service)."""
        if (method, path) == ("POST", "/_devices"):
            return 201, self.subscribe(f"d{os.urandom(6).hex()}").info()
        if (method, path) == ("GET", "/_stats"):
            return 200, self.stats()
        if (method, path) == ("POST", "/_reset"):
            self.reset()
            return 200, self.stats()
        if (method, path) == ("POST", "/_fault"):
            try:
                asked = json.loads(body or b"{}")
                status = asked.get("status")
                if status not in (None, 429, 500):
                    raise ValueError("status must be 429, 500 or null")
                until = time.monotonic() + float(asked.get("seconds", 60))
                retry_after = int(asked.get("retry_after", 5))
            except (ValueError, TypeError, AttributeError) as error:
                return 400, {"error": str(error)}
            with self.lock:
                self.fault = None if status is None else {"status": status, "until": until,
                                                          "retry_after": retry_after}
            return 200, {"fault": None if status is None else {"status": status, "retry_after": retry_after}}
        return 404, {"error": "not found"}

    def delivered(self, name: str | None = None) -> list[Message]:
        """Messages accepted (201), optionally for one device."""
        with self.lock:
            return [m for m in self.messages if m.status == 201 and (name is None or m.device == name)]


async def _answer(send, status: int, headers: dict, body: bytes = b"") -> None:
    fields = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]
    fields.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": fields})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--vapid-key", help="the application server's public key (base64url): any other is refused")
    parser.add_argument("--no-decrypt", action="store_true", help="check VAPID only, do not decrypt bodies")
    args = parser.parse_args()
    service = FakePushService(args.vapid_key, host=args.host, port=args.port, decrypt=not args.no_decrypt,
                              keep_messages=False)
    print(f"fake push service on {service.origin} (HTTP/2 prior knowledge and HTTP/1.1)", flush=True)
    try:
        service.run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
