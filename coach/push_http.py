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
        self.host = host if port in (None, default) else f"{host}:{port}"

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class KeepAliveSession:
    """A requests-like `post` speaking plain HTTP/1.1 over one kept-alive socket per origin: no redirects,
    no proxies from the environment, certificates verified. It costs a fraction of the CPU of requests
    (and of http.client's header parsing), which matters at thousands of pushes a second.
    Not thread-safe: one per worker thread."""

    def __init__(self):
        self._connections: dict[tuple, _Connection] = {}
        self._context = ssl.create_default_context()

    def post(self, url: str, data=None, headers=None, timeout: float | None = 10.0) -> _Response:
        scheme, host, port, path = _target(url)
        key = (scheme, host, port)
        body = data.encode() if isinstance(data, str) else (data or b"")
        timeout = 10.0 if timeout is None or timeout > 300 else timeout
        fields = []
        for name, value in (headers or {}).items():
            name, value = str(name), str(value)
            text = name + value
            if "\r" in text or "\n" in text or "\0" in text or ":" in name:
                raise ValueError(f"bad header {name!r}")
            if name.lower() not in _OURS:
                fields.append(f"{name}: {value}\r\n")
        for attempt in range(2):
            conn = self._connections.get(key)
            fresh = conn is None
            try:
                if fresh:
                    conn = self._connections[key] = _Connection(scheme, host, port, timeout, self._context)
                conn.sock.settimeout(timeout)
                head = f"POST {path} HTTP/1.1\r\nHost: {conn.host}\r\nContent-Length: {len(body)}\r\n{''.join(fields)}\r\n"
                conn.sock.sendall(head.encode("latin-1") + body)
                return self._read(conn, key)
            except ConnectionError:
                self._drop(key)
                if fresh or attempt:
                    raise
                # A kept-alive connection the server had closed: one fresh try (a repeat is harmless: Topic).
            except BaseException:
                self._drop(key)
                raise
        raise AssertionError("unreachable")

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
