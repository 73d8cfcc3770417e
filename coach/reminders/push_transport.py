"""HTTP/2 to push services for coach/reminders/push.py (and only for it): httpx with h2, many pushes per connection.

Push services (FCM, Mozilla autopush, Apple, WNS) speak HTTP/2, where one connection carries many requests
at once as streams. `PushTransport` keeps httpx's async transports on an event loop thread of its own; a
batch handed over from any thread is POSTed with every request in flight together (up to what the server's
SETTINGS_MAX_CONCURRENT_STREAMS allows, which httpcore honours) and the caller's thread waits for the answers.

Why this shape, measured in docs/PERFORMANCE.md: a sync `httpx.Client(http2=True)` shared by threads corrupts
the connection's h2 state (httpcore serialises nothing across threads: pydantic/httpx2 PR #1153; here the
server answered PROTOCOL_ERROR within seconds), and a client per thread would mean a connection per thread.

What the client is allowed to do: https (ALPN picks h2, HTTP/1.1 if a server only has that) and, for the
loopback endpoints tests use, h2c with prior knowledge; no redirects, no proxies or certificates from the
environment, certificates verified, at most MAX_RESPONSE_BYTES of an answer read, headers with line breaks
refused before anything is written (h2 would put them on the wire and the server would drop the connection
with every stream on it).
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

MAX_RESPONSE_BYTES = 64 * 1024
# Names the client writes itself from the request: a caller's value could contradict the body or the URL.
_OURS = frozenset(("host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade"))
# A connection the server closed between our requests (HTTP/2 GOAWAY after its stream quota, an idle
# timeout) fails the streams it had not started; they go once more on a new connection. httpcore does not
# retry these itself (encode/httpx#3324). The push Topic makes a repeat of one that did arrive harmless.
_AGAIN = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


@dataclass(frozen=True)
class Answer:
    """A push service's answer: what push.classify reads."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


def clean_headers(headers: dict | None) -> dict[str, str]:
    """The caller's headers, minus those the client writes; ValueError for one that could split a header."""
    out = {}
    for name, value in (headers or {}).items():
        name, value = str(name), str(value)
        text = name + value
        if "\r" in text or "\n" in text or "\0" in text or ":" in name or not name.strip():
            raise ValueError(f"bad header {name!r}")
        if name.lower() not in _OURS:
            out[name] = value
    return out


class PushTransport:
    """POSTs to push services over HTTP/2, many at a time; thread-safe (every request runs on one loop).

    It drives httpx's transports directly (`handle_async_request`): the client layer above them adds
    redirects, cookies, auth and event hooks, none of which a push wants, and its cookie handling alone
    cost about a fifth of the transport's CPU per push (profiled)."""

    def __init__(self, *, timeout: float = 10.0):
        self.timeout = httpx.Timeout(timeout).as_dict()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._transports: dict[str, httpx.AsyncHTTPTransport] = {}
        self._start = threading.Lock()

    @staticmethod
    def _new_transports() -> dict[str, httpx.AsyncHTTPTransport]:
        # HTTP/2 needs one connection per push service; more only where a server falls back to HTTP/1.1.
        common = {"verify": True, "trust_env": False,
                  "limits": httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=60.0)}
        return {
            "https": httpx.AsyncHTTPTransport(http2=True, **common),
            # Plain http only reaches loopback test services (EndpointPolicy): HTTP/2 by prior knowledge.
            "http": httpx.AsyncHTTPTransport(http1=False, http2=True, **common),
        }

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._start:
            if self._loop is None:
                self._transports = self._new_transports()
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="push-http2", daemon=True).start()
            return self._loop

    def post_many(self, requests: Sequence[tuple[str, bytes, dict]]) -> list[Answer | Exception]:
        """POST each (url, body, headers), all in flight at once; an answer per request, in order: the
        push service's answer, or the error that stopped that request (ValueError for a bad URL or header,
        an httpx.TransportError for the network)."""
        if not requests:
            return []
        loop = self._running_loop()
        return asyncio.run_coroutine_threadsafe(self._post_all(requests), loop).result()

    async def _post_all(self, requests: Sequence[tuple[str, bytes, dict]]) -> list[Answer | Exception]:
        return await asyncio.gather(*(self._post(url, body, headers) for url, body, headers in requests))

    async def _post(self, url: str, body: bytes, headers: dict) -> Answer | Exception:
        try:
            request = httpx.Request("POST", url, content=body, headers=clean_headers(headers),
                                    extensions={"timeout": self.timeout})
            transport = self._transports.get(request.url.scheme)
            if transport is None:
                raise ValueError("push endpoints are http(s) URLs")
        except (ValueError, httpx.InvalidURL) as error:
            return ValueError(str(error))
        for attempt in (1, 2):
            try:
                return await self._send(transport, request)
            except _AGAIN as error:
                if attempt == 2:
                    return error
            except httpx.TransportError as error:  # refused, timed out, TLS: not worth a second try now
                return error
        raise AssertionError("unreachable")

    @staticmethod
    async def _send(transport: httpx.AsyncHTTPTransport, request: httpx.Request) -> Answer:
        response = await transport.handle_async_request(request)
        try:
            content = b""
            async for chunk in response.stream:
                content += chunk
                if len(content) >= MAX_RESPONSE_BYTES:  # a push service says little; stop reading at the cap
                    content = content[:MAX_RESPONSE_BYTES]
                    break
        finally:
            await response.aclose()
        return Answer(response.status_code, response.headers, content)

    def close(self) -> None:
        """Close the connections and stop the loop (a later post starts them again)."""
        with self._start:
            loop, transports, self._loop, self._transports = self._loop, self._transports, None, {}
        if loop is not None:
            for transport in transports.values():
                asyncio.run_coroutine_threadsafe(transport.aclose(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
