"""The HTTP/1.1 transport of coach/push.py (and only of it): POSTs to push services over kept-alive sockets."""
from __future__ import annotations

import http.client
import socket
import ssl
from functools import lru_cache
from urllib.parse import urlsplit

MAX_RESPONSE_BYTES = 64 * 1024
_OURS = frozenset(("host", "content-length", "connection", "transfer-encoding"))


@lru_cache(maxsize=65536)
def _target(url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("push endpoints are http(s) URLs")
    return parts.scheme, parts.hostname, parts.port, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _request(path: str, authority: str, data, headers) -> bytes:
    """A POST on the wire: request line, Host, Content-Length, the caller's headers (checked for
    injection; ours are not overridable), the body."""
    body = data.encode() if isinstance(data, str) else (data or b"")
    fields = [f"POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {len(body)}\r\n"]
    for name, value in (headers or {}).items():
        name, value = str(name), str(value)
        text = name + value
        if "\r" in text or "\n" in text or "\0" in text or ":" in name:
            raise ValueError(f"bad header {name!r}")
        if name.lower() not in _OURS:
            fields.append(f"{name}: {value}\r\n")
    fields.append("\r\n")
    return "".join(fields).encode("latin-1") + body


class _Headers(dict):
    """Response headers, looked up without regard to case."""

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def __contains__(self, key):
        return super().__contains__(key.lower())


class _Response:
    """The parts of a requests.Response that pywebpush and the sender read."""

    def __init__(self, status: int, reason: str, headers: _Headers, content: bytes):
        self.status_code, self.reason, self.headers, self.content = status, reason, headers, content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class _Connection:
    def __init__(self, scheme: str, host: str, port: int | None, timeout: float, context: ssl.SSLContext):
        default = 443 if scheme == "https" else 80
        sock = socket.create_connection((host, port or default), timeout)
        if scheme == "https":
            sock = context.wrap_socket(sock, server_hostname=host)
        self.sock, self.reader = sock, sock.makefile("rb")

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class KeepAliveSession:
    """A requests-like `post` (and a pipelined `post_many`) speaking plain HTTP/1.1 over one kept-alive
    socket per origin: no redirects, no proxies from the environment, certificates verified. It costs a
    fraction of the CPU of requests (and of http.client's header parsing), which matters at thousands of
    pushes a second. Not thread-safe: one per worker thread."""

    def __init__(self):
        self._connections: dict[tuple, _Connection] = {}
        self._context = ssl.create_default_context()
        self._serial: set[tuple] = set()  # origins that stalled on a pipeline: one request at a time

    def post(self, url: str, data=None, headers=None, timeout: float | None = 10.0) -> _Response:
        """One request (pywebpush calls this); the answer, or the error raised."""
        [answer] = self.post_many([(url, data, headers)], timeout=timeout, depth=1)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def post_many(self, requests: list[tuple[str, bytes | str | None, dict | None]], *,
                  timeout: float | None = 10.0, depth: int = 16) -> list[_Response | Exception]:
        """Several POSTs, pipelined: per origin, up to `depth` requests are written at once and their answers
        read back in order (RFC 9112 section 9.3.2), so a burst costs a few system calls on each side
        instead of two per push. Returns an answer per request: its response, or the error that stopped it.
        Requests left unanswered when the server closes the connection (Connection: close, a kept-alive
        socket it had dropped) are written again on a fresh one; a request that was written but never
        answered may so arrive twice, which the push Topic makes harmless."""
        timeout = 10.0 if timeout is None or timeout > 300 else timeout
        answers: list = [None] * len(requests)
        by_origin: dict[tuple, list[tuple[int, bytes]]] = {}
        for index, (url, data, headers) in enumerate(requests):
            try:
                scheme, host, port, path = _target(url)
                default = 443 if scheme == "https" else 80
                authority = host if port in (None, default) else f"{host}:{port}"
                raw = _request(path, authority, data, headers)
            except ValueError as error:
                answers[index] = error
                continue
            by_origin.setdefault((scheme, host, port), []).append((index, raw))
        for key, items in by_origin.items():
            self._pipeline(key, items, timeout, 1 if key in self._serial else max(1, depth), answers)
        return answers

    def _pipeline(self, key, items: list[tuple[int, bytes]], timeout: float, depth: int, answers: list) -> None:
        while items:
            window, conn = items[:depth], self._connections.get(key)
            fresh, answered = conn is None, 0
            try:
                if fresh:
                    conn = self._connections[key] = _Connection(*key, timeout, self._context)
                conn.sock.settimeout(timeout)
                conn.sock.sendall(b"".join(raw for _, raw in window))
                for index, _ in window:
                    answers[index] = self._read(conn, key)
                    answered += 1
                    if self._connections.get(key) is not conn:
                        break  # closed after this answer: the rest go again on a new connection
            except ConnectionError as error:
                self._drop(key)
                if answered == 0 and fresh:  # a new connection that answered nothing: give up on this window
                    for index, _ in window:
                        answers[index] = error
                    answered = len(window)
                # else: a dead kept-alive socket, or answers then a close: the rest on a new connection
            except (OSError, http.client.HTTPException) as error:  # timeouts, TLS and protocol errors
                self._drop(key)
                if answered and isinstance(error, TimeoutError):
                    # It answered the first requests of the pipeline, then nothing: a server that does not
                    # read ahead. From now on this origin gets one request at a time.
                    self._serial.add(key)
                for index, _ in window[answered:]:
                    answers[index] = error
                answered = len(window)
            except BaseException:
                self._drop(key)
                raise
            items = window[answered:] + items[depth:]

    def _read(self, conn: _Connection, key) -> _Response:
        reader = conn.reader
        while True:
            line = reader.readline(8192)
            if not line:
                raise ConnectionResetError("the push service closed the connection")
            version, _, rest = line.partition(b" ")
            code, _, reason = rest.partition(b" ")
            if not version.startswith(b"HTTP/1.") or not code.isdigit():
                raise http.client.BadStatusLine(line[:100].decode("latin-1"))
            headers = _Headers()
            for _ in range(200):
                field = reader.readline(8192)
                if field in (b"\r\n", b"\n", b""):
                    break
                name, _, value = field.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            status = int(code)
            if status >= 200:
                break  # 1xx answers (100 Continue) come before the real one
        close = headers.get("connection", "").lower() == "close" or version == b"HTTP/1.0"
        if status in (204, 304):
            content = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            content = self._chunked(reader)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            content = reader.read(min(length, MAX_RESPONSE_BYTES))
            close = close or length > MAX_RESPONSE_BYTES
        else:
            content, close = reader.read(MAX_RESPONSE_BYTES), True
        if close:
            self._drop(key)
        return _Response(status, reason.strip().decode("latin-1"), headers, content)

    @staticmethod
    def _chunked(reader) -> bytes:
        content = b""
        while True:
            size = int(reader.readline(1024).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while reader.readline(8192) not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return content[:MAX_RESPONSE_BYTES]
            if len(content) + size > 4 * MAX_RESPONSE_BYTES:
                raise http.client.HTTPException("response too large")
            content += reader.read(size)
            reader.readline(8)

    def _drop(self, key) -> None:
        conn = self._connections.pop(key, None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for key in list(self._connections):
            self._drop(key)
