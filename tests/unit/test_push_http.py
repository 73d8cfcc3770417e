"""The push transport (coach/push_http.py) against a scripted HTTP server on 127.0.0.1."""
from __future__ import annotations

import socket
import threading

import pytest

from coach.push_http import MAX_RESPONSE_BYTES, KeepAliveSession


class Scripted:
    """Accepts connections and answers each request with the next scripted raw response."""

    def __init__(self, *responses: bytes, close_after_each: bool = False):
        self.responses, self.requests, self.connections = list(responses), [], 0
        self.close_after_each = close_after_each
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/push/abc?x=1"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while self.responses:
            conn, _ = self.listener.accept()
            self.connections += 1
            reader = conn.makefile("rb")
            while self.responses:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        break
                    head += line
                if not head:
                    break
                length = int(next((h.split(b":")[1] for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")), b"0"))
                self.requests.append((head, reader.read(length)))
                conn.sendall(self.responses.pop(0))
                if self.close_after_each:
                    break
            reader.close()
            conn.close()


def test_posts_the_body_with_its_headers_and_keeps_the_connection():
    server = Scripted(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
                      b"HTTP/1.1 429 Too Many Requests\r\nretry-AFTER: 30\r\nContent-Length: 4\r\n\r\nslow")
    session = KeepAliveSession()
    first = session.post(server.url, data=b"\x00\x01secret", headers={"TTL": "60", "Topic": "r1-x"}, timeout=5)
    second = session.post(server.url, data=b"again", headers={}, timeout=5)
    assert first.status_code == 201 and second.status_code == 429
    assert second.headers.get("Retry-After") == "30" and second.text == "slow"
    head, body = server.requests[0]
    assert head.startswith(b"POST /push/abc?x=1 HTTP/1.1\r\n") and b"\r\nTTL: 60\r\n" in head and body == b"\x00\x01secret"
    assert server.connections == 1
    session.close()


def test_chunked_and_read_until_close_answers():
    server = Scripted(b"HTTP/1.1 400 Bad\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbad \r\n3\r\nkey\r\n0\r\n\r\n",
                      b"HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\nno length")
    session = KeepAliveSession()
    assert session.post(server.url, data=b"x", timeout=5).text == "bad key"
    assert session.post(server.url, data=b"x", timeout=5).text == "no length"


def test_a_connection_the_server_closed_is_reopened_once():
    server = Scripted(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
                      b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", close_after_each=True)
    session = KeepAliveSession()
    assert session.post(server.url, data=b"1", timeout=5).status_code == 201
    assert session.post(server.url, data=b"2", timeout=5).status_code == 201
    assert server.connections == 2


def test_oversized_answers_are_cut_and_the_connection_dropped():
    big = b"x" * (MAX_RESPONSE_BYTES + 10)
    server = Scripted(b"HTTP/1.1 413 Too Large\r\nContent-Length: %d\r\n\r\n" % len(big) + big)
    response = KeepAliveSession().post(server.url, data=b"1", timeout=5)
    assert response.status_code == 413 and len(response.content) == MAX_RESPONSE_BYTES


@pytest.mark.parametrize("headers", [{"Topic": "a\r\nX-Evil: 1"}, {"Bad\nName": "x"}, {"Na:me": "x"}])
def test_header_injection_is_refused(headers):
    with pytest.raises(ValueError):
        KeepAliveSession().post("http://127.0.0.1:9/push", data=b"", headers=headers)


def test_nothing_but_http_urls():
    with pytest.raises(ValueError):
        KeepAliveSession().post("file:///etc/passwd", data=b"")
