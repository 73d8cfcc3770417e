"""Web Push: the only module that talks to push services (pywebpush, VAPID keys, endpoint allow-list).

- VAPID keys come from the environment (VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY, VAPID_SUBJECT) or from
  instance/vapid.json, made once by `flask vapid init`; they are read lazily and never generated at
  start-up (a new key pair silently invalidates every subscription).
- The key is parsed once per process. The VAPID header (a signed JWT) is made from a fresh claims dict
  and reused per push-service origin for an hour (it is valid for 12): signing every push costs about a
  quarter of the CPU of a push.
- pywebpush encrypts (aes128gcm) and builds the request, which it hands to a stand-in for its requests
  session that only keeps it; coach/reminders/push_transport.py then POSTs a whole batch over HTTP/2 (libcurl
  with nghttp2 through pycurl: one connection per push service carries up to 100 at once, the rest wait their
  turn in the transport; no redirects, no proxies).
- Endpoints are user input that the server POSTs to: https and an allow-list of push-service hosts only;
  plain-http 127.0.0.1 only with PUSH_ALLOW_LOOPBACK (tests, local checks).
"""
from __future__ import annotations

import base64
import email.utils
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from .push_transport import PushTransport

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 2048  # the JSON plaintext; a 4 KB body holds at most 3,993 bytes
VAPID_FILE = "vapid.json"
VAPID_VALIDITY = 12 * 3600
VAPID_REUSE = 3600
URGENCIES = ("very-low", "low", "normal", "high")
DEFAULT_RETRY_AFTER = 60.0
MAX_RETRY_AFTER = 3600.0


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---------------------------------------------------------------- VAPID keys
@dataclass(frozen=True)
class VapidKeys:
    vapid: Vapid
    public_key: str  # base64url of the uncompressed P-256 point: the browser's applicationServerKey
    subject: str


def _public_of(vapid: Vapid) -> str:
    return b64url(vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def parse_private_key(text: str) -> Vapid:
    """A PEM, a base64url raw 32-byte key, or base64url DER (the forms `vapid` tools print)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return Vapid.from_pem(text.encode())
    return Vapid.from_string(text)


def load_vapid(config, instance_path: str) -> VapidKeys | None:
    """The configured key pair, or None when push is not set up (then only the inbox is used)."""
    stored: dict = {}
    path = Path(instance_path) / VAPID_FILE
    if not config.get("VAPID_PRIVATE_KEY") and path.exists():
        stored = json.loads(path.read_text())
    private = config.get("VAPID_PRIVATE_KEY") or stored.get("private_key")
    if not private:
        return None
    vapid = parse_private_key(private)
    public = _public_of(vapid)
    given = config.get("VAPID_PUBLIC_KEY") or stored.get("public_key")
    if given and given.rstrip("=") != public:
        raise ValueError("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY")
    subject = config.get("VAPID_SUBJECT") or stored.get("subject") or "mailto:admin@localhost"
    return VapidKeys(vapid=vapid, public_key=public, subject=subject)


def generate_vapid_file(instance_path: str, subject: str, *, force: bool = False) -> tuple[Path, VapidKeys]:
    """Make the key pair once (mode 0600). Refuses to replace one unless forced."""
    path = Path(instance_path) / VAPID_FILE
    if path.exists() and not force:
        raise FileExistsError(str(path))
    vapid = Vapid()
    vapid.generate_keys()
    raw = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    data = {"private_key": b64url(raw), "public_key": _public_of(vapid), "subject": subject}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.replace(tmp, path)
    return path, VapidKeys(vapid=vapid, public_key=data["public_key"], subject=subject)


# ---------------------------------------------------------------- endpoints and keys
@lru_cache(maxsize=65536)
def origin_of(endpoint: str) -> tuple[str, str]:
    """(scheme://host[:port], host) of an endpoint; cached, as the same endpoints come back every day."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}", (parts.hostname or "")


class EndpointPolicy:
    """Which push endpoints the server may POST to."""

    def __init__(self, allowed_hosts: str | list[str], allow_loopback: bool = False):
        if isinstance(allowed_hosts, str):
            allowed_hosts = allowed_hosts.split(",")
        self.patterns = [h.strip().lower() for h in allowed_hosts if h.strip()]
        self.allow_loopback = allow_loopback
        self._seen: dict[str, str | None] = {}

    def _host_allowed(self, host: str) -> bool:
        for pattern in self.patterns:
            if pattern.startswith("*.") and host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
            if host == pattern:
                return True
        return False

    def problem(self, endpoint: str) -> str | None:
        """None when allowed, else a reason for people."""
        cached = self._seen.get(endpoint, False)
        if cached is not False:
            return cached
        answer = self._problem(endpoint)
        if len(self._seen) < 65536:
            self._seen[endpoint] = answer
        return answer

    def _problem(self, endpoint: str) -> str | None:
        # A URL has no spaces or control characters; one with them would make a broken request line.
        if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in endpoint):
            return "must be a URL without spaces or control characters"
        try:
            parts = urlsplit(endpoint)
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError:
            return "must be a URL"
        if parts.username or parts.password or parts.fragment:
            return "must be a plain push service URL"
        if self.allow_loopback and host == "127.0.0.1" and parts.scheme in ("http", "https"):
            return None
        if parts.scheme != "https" or port not in (None, 443):
            return "must be an https URL of a push service"
        if not self._host_allowed(host):
            return "is not a known push service"
        return None


def key_problems(p256dh: str, auth: str) -> dict[str, str]:
    """The subscription's keys: a P-256 point (65 bytes) and a 16-byte auth secret, base64url."""
    errors = {}
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(p256dh))
    except (ValueError, TypeError):
        errors["keys.p256dh"] = "must be the browser's base64url P-256 public key"
    try:
        if len(b64url_decode(auth)) != 16:
            raise ValueError
    except (ValueError, TypeError):
        errors["keys.auth"] = "must be the browser's base64url 16-byte auth secret"
    return errors


# ---------------------------------------------------------------- payload
def make_topic(reminder_id: int, fire_at: datetime) -> str:
    """`r<id>-<yyyymmddHHMM>` (UTC): the push Topic and the notification tag, at most 32 base64url chars."""
    return f"r{reminder_id}-{fire_at.astimezone(UTC):%Y%m%d%H%M}"[:32]


_PAYLOAD_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_payload(title: str, body: str | None, url: str, tag: str) -> bytes:
    """The JSON the service worker shows: {title, body, url, tag}, capped well under 4 KB."""
    title, body = title[:120], (body or "")[:600]
    while True:
        data = _PAYLOAD_JSON.encode({"title": title, "body": body, "url": url, "tag": tag}).encode("utf-8")
        if len(data) <= MAX_PAYLOAD_BYTES:
            return data
        body = body[: len(body) // 2]
        if not body:
            title = title[: len(title) // 2]


# ---------------------------------------------------------------- sending
@dataclass(frozen=True)
class PushResult:
    """outcome: sent | gone (404/410) | too_large (413) | rate_limited (429) | rejected (4xx, not retried)
    | retry (5xx, network error) | refused (endpoint not allowed)."""

    outcome: str
    status: int | None = None
    retry_after: float | None = None
    detail: str = ""


def parse_retry_after(value: str | None, now: float) -> float:
    """Seconds to wait: Retry-After is either seconds or an HTTP date."""
    if not value:
        return DEFAULT_RETRY_AFTER
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError):
            return DEFAULT_RETRY_AFTER
    return min(max(seconds, 1.0), MAX_RETRY_AFTER)


def classify(status: int, headers, text: str, now: float) -> PushResult:
    if 200 <= status <= 202:
        return PushResult("sent", status)
    if status in (404, 410):
        return PushResult("gone", status)
    if status == 413:
        return PushResult("too_large", status, detail=text[:200])
    if status == 429:
        return PushResult("rate_limited", status, parse_retry_after(headers.get("Retry-After"), now))
    if status >= 500:
        return PushResult("retry", status, detail=text[:200])
    return PushResult("rejected", status, detail=text[:200])


@dataclass(frozen=True)
class Push:
    subscription: dict  # {"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}
    payload: bytes
    topic: str


class _Request:
    """Stands in for pywebpush's requests session: keeps the encrypted request it is given."""

    status_code, text, headers = 201, "", {}
    url = data = None

    def post(self, url, data=None, headers=None, timeout=None, **kwargs):
        self.url, self.data, self.headers = url, data, dict(headers or {})
        return self


class Sender:
    """Encrypts pushes and sends them a batch at a time. Thread-safe: one HTTP/2 transport serves every thread."""

    def __init__(self, keys: VapidKeys, policy: EndpointPolicy, *, ttl: int = 4 * 3600, timeout: float = 10.0,
                 clock=time.time):
        self.keys, self.policy, self.ttl, self.timeout, self.clock = keys, policy, ttl, timeout, clock
        self.transport = PushTransport(timeout=timeout)
        self._headers: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def vapid_headers(self, endpoint: str) -> dict:
        origin = origin_of(endpoint)[0]
        now = self.clock()
        with self._lock:
            cached = self._headers.get(origin)
            if cached and cached[0] - VAPID_VALIDITY + VAPID_REUSE > now:
                return dict(cached[1])
        # A fresh claims dict for every signature: py_vapid and pywebpush both write into the one they get.
        expires = int(now) + VAPID_VALIDITY
        headers = self.keys.vapid.sign({"sub": self.keys.subject, "aud": origin, "exp": expires})
        with self._lock:
            self._headers[origin] = (expires, headers)
        return dict(headers)

    def send(self, subscription: dict, payload: bytes, *, topic: str, urgency: str = "normal",
             ttl: int | None = None) -> PushResult:
        """One push (the test button, a retry): `send_many` with one."""
        return self.send_many([Push(subscription, payload, topic)], urgency=urgency, ttl=ttl)[0]

    def send_many(self, pushes: list[Push], *, urgency: str = "normal", ttl: int | None = None) -> list[PushResult]:
        """Encrypt each push with pywebpush, then POST them all at once (HTTP/2 streams on one connection
        per push service); a result per push, in order."""
        results: list[PushResult | None] = [None] * len(pushes)
        requests, indexes = [], []
        urgency = urgency if urgency in URGENCIES else "normal"
        ttl = self.ttl if ttl is None else ttl
        for index, push in enumerate(pushes):
            endpoint = push.subscription.get("endpoint", "")
            problem = self.policy.problem(endpoint)
            if problem:
                log.error("push: refusing endpoint host %s: %s", origin_of(endpoint)[1], problem)
                results[index] = PushResult("refused", detail=problem)
                continue
            headers = self.vapid_headers(endpoint)
            headers.update({"Topic": push.topic, "Urgency": urgency})
            request = _Request()
            try:  # pywebpush encrypts and builds the request; _Request keeps it instead of sending it
                WebPusher(push.subscription, requests_session=request).send(push.payload, headers, ttl=ttl,
                                                                           timeout=self.timeout)
            except (ValueError, TypeError, WebPushException) as error:  # keys the browser never made
                log.error("push: cannot encrypt for subscription at %s: %s", origin_of(endpoint)[1], error)
                results[index] = PushResult("rejected", detail=f"{type(error).__name__}: {error}"[:200])
                continue
            requests.append((request.url, request.data, request.headers))
            indexes.append(index)
        answers = self.transport.post_many(requests)
        now = self.clock()
        for index, answer in zip(indexes, answers, strict=True):
            if isinstance(answer, Exception):
                results[index] = PushResult("retry", detail=f"{type(answer).__name__}: {answer}"[:200])
                continue
            result = results[index] = classify(answer.status_code, answer.headers, answer.text, now)
            if result.outcome == "rejected":
                # 400/401/403: a VAPID key or subject the push service does not accept. Loud: it affects every push.
                log.error("push: %s from %s refused our request (VAPID key or subject?): %s",
                          result.status, origin_of(pushes[index].subscription["endpoint"])[1], result.detail)
        return results  # type: ignore[return-value]


def sender_for(app) -> Sender | None:
    """The app's sender (made on first use), or None when no VAPID key is configured."""
    sender = app.extensions.get("push_sender")
    if sender is None:
        keys = load_vapid(app.config, app.instance_path)
        if keys is None:
            return None
        policy = EndpointPolicy(app.config["PUSH_ALLOWED_HOSTS"], app.config.get("PUSH_ALLOW_LOOPBACK", False))
        sender = app.extensions["push_sender"] = Sender(keys, policy, ttl=app.config.get("PUSH_TTL_SECONDS", 14400))
    return sender


def endpoint_policy(app) -> EndpointPolicy:
    return EndpointPolicy(app.config["PUSH_ALLOWED_HOSTS"], app.config.get("PUSH_ALLOW_LOOPBACK", False))
