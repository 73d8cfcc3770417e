"""The push transport (coach/reminders/push_http.py) against a scripted HTTP server on 127.0.0.1."""
from __future__ import annotations

import socket
import threading

import pytest

from coach.reminders.push_http import MAX_RESPONSE_BYTES, KeepAliveSession


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
                response = self.responses.pop(0)
                conn.sendall(response)
                if self.close_after_each or b"Connection: close" in response:
                    break  # unread requests on this connection are lost, as with a real server
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


OK = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"


class ReadsAllFirst:
    """Answers only after it has read `n` requests: a client that waited for each answer would stall."""

    def __init__(self, n: int, responses: list[bytes]):
        self.n, self.responses, self.bodies = n, responses, []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/push/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        conn, _ = self.listener.accept()
        reader = conn.makefile("rb")
        for _ in range(self.n):
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                head += reader.readline()
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            self.bodies.append(reader.read(length))
        conn.sendall(b"".join(self.responses))
        reader.close()
        conn.close()


def test_post_many_pipelines_the_requests_and_answers_each_in_order():
    server = ReadsAllFirst(5, [OK, OK, b"HTTP/1.1 410 Gone\r\nContent-Length: 4\r\n\r\ngone", OK, OK])
    answers = KeepAliveSession().post_many([(server.url + str(i), f"body {i}".encode(), {"Topic": f"t{i}"})
                                            for i in range(5)], timeout=5, depth=5)
    assert [a.status_code for a in answers] == [201, 201, 410, 201, 201]
    assert answers[2].text == "gone"
    assert server.bodies == [f"body {i}".encode() for i in range(5)]


def test_what_a_closing_server_left_unanswered_goes_again_on_a_new_connection():
    closing = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    server = Scripted(OK, closing, OK, OK, OK, OK)
    answers = KeepAliveSession().post_many([(server.url, str(i).encode(), {}) for i in range(5)], timeout=5, depth=5)
    assert [a.status_code for a in answers] == [201] * 5
    # The first two were answered on the first connection; the three it never answered went on a second.
    assert [body for _, body in server.requests][-3:] == [b"2", b"3", b"4"]
    assert server.connections == 2


def test_a_server_that_stalls_on_a_pipeline_gets_one_request_at_a_time_afterwards():
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/push/"
    seen = []

    def serve():  # answers the first request of each connection, then reads nothing more until it closes
        while True:
            conn, _ = listener.accept()
            data = conn.recv(65536)
            seen.append(data.count(b"POST "))
            conn.sendall(OK)
            conn.recv(65536)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    session = KeepAliveSession()
    answers = session.post_many([(url, b"x", {}) for _ in range(3)], timeout=0.5, depth=3)
    assert answers[0].status_code == 201
    assert all(isinstance(a, TimeoutError) for a in answers[1:])  # the dispatcher retries these later
    assert seen[0] == 3
    session.close()
    [again] = session.post_many([(url, b"x", {})], timeout=0.5, depth=3)
    assert again.status_code == 201


def test_post_many_keeps_one_answer_per_request_across_origins_and_bad_urls():
    a, b = Scripted(OK, OK), Scripted(OK)
    answers = KeepAliveSession().post_many([(a.url, b"1", {}), ("ftp://x/y", b"", {}), (b.url, b"2", {}),
                                            (a.url, b"3", {"Bad\nName": "x"}), (a.url, b"4", {})], timeout=5)
    assert [getattr(x, "status_code", type(x).__name__) for x in answers] == [201, "ValueError", 201, "ValueError", 201]
    assert [body for _, body in a.requests] == [b"1", b"4"] and [body for _, body in b.requests] == [b"2"]


def test_a_refused_connection_is_an_answer_not_an_exception():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    answers = KeepAliveSession().post_many([(f"http://127.0.0.1:{port}/p", b"1", {})] * 3, timeout=1, depth=2)
    assert all(isinstance(a, ConnectionRefusedError) for a in answers)
