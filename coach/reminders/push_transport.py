"""HTTP/2 to push services for coach/reminders/push.py (and only for it): libcurl (pycurl) with nghttp2.

Push services (FCM, Mozilla autopush, Apple, WNS) speak HTTP/2, where one connection carries many requests
at once as streams. `PushTransport` keeps one `CurlMulti` on a thread of its own; a batch handed over from
any thread is POSTed with every request in flight together, multiplexed on one connection per push service
(STREAMS_PER_CONNECTION at a time, the rest wait here), and the caller's thread waits for the answers. Easy
handles and connections are kept for the next batch.

Why libcurl, measured in docs/PERFORMANCE.md: its HTTP/2 (nghttp2) and HPACK are C; httpx with the
pure-Python h2 cost about 1,865 µs of client CPU per push, this transport 300-550 µs (both on a busy machine).
Why one thread owns the multi handle: libcurl handles are not thread-safe, and one multi handle per sender
thread would mean a connection per thread.

What the client is allowed to do: http and https only (ALPN picks h2 on https, HTTP/1.1 if a server only
has that; the loopback http:// endpoints tests use get h2c with prior knowledge); no redirects, no proxies
from the environment, certificates verified, at most MAX_RESPONSE_BYTES of an answer kept, headers with
line breaks refused before anything is written.
"""
from __future__ import annotations

import os
import select
import threading
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from wsgiref.headers import Headers

import pycurl

MAX_RESPONSE_BYTES = 64 * 1024
MAX_HOST_CONNECTIONS = 1  # HTTP/2 needs one; libcurl opened a second while the first was still connecting
STREAMS_PER_CONNECTION = 100  # what libcurl asks for by default; push services allow about as many
# Names the client writes itself from the request: a caller's value could contradict the body or the URL.
_OURS = frozenset(("host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade", "expect"))
# A connection the server closed between our requests (HTTP/2 GOAWAY after its stream quota, an idle
# timeout) fails the streams it had not answered; they go once more, on a new connection. The push Topic
# makes a repeat of one that did arrive harmless. (92 is CURLE_HTTP2_STREAM, which pycurl does not name.)
_AGAIN = frozenset((pycurl.E_HTTP2, 92, pycurl.E_GOT_NOTHING, pycurl.E_SEND_ERROR,
                    pycurl.E_RECV_ERROR))
# libcurl's own default bundle path is Red Hat's; Debian keeps the system's trusted roots here.
_SYSTEM_CAS = next((path for path in ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                                      "/etc/ssl/cert.pem") if os.path.exists(path)), None)


@dataclass(frozen=True)
class Answer:
    """A push service's answer: what push.classify reads (`headers.get` ignores case)."""

    status_code: int
    headers: Headers
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


@dataclass(eq=False)
class _Job:
    """One POST and what came back for it."""

    url: str
    origin: str
    body: bytes
    headers: list[str]
    batch: _Batch
    index: int
    attempt: int = 1
    status_lines: int = 0
    answer_headers: list = field(default_factory=list)
    content: bytearray = field(default_factory=bytearray)

    def on_header(self, line: bytes) -> None:
        text = line.decode("latin-1").strip()
        if text.startswith("HTTP/"):  # a new status line (after a 1xx, or on the resend): start over
            self.answer_headers.clear()
        elif ":" in text:
            name, _, value = text.partition(":")
            self.answer_headers.append((name.strip(), value.strip()))

    def on_data(self, chunk: bytes) -> None:
        # Keep at most the cap but take the rest off the wire: aborting would reset the stream for nothing.
        room = MAX_RESPONSE_BYTES - len(self.content)
        if room > 0:
            self.content += chunk[:room]


class _Batch:
    def __init__(self, size: int):
        self.answers: list[Answer | Exception | None] = [None] * size
        self.left = size
        self.done = threading.Event()
        if size == 0:
            self.done.set()

    def finish(self, index: int, answer: Answer | Exception) -> None:
        self.answers[index] = answer
        self.left -= 1
        if self.left == 0:
            self.done.set()


def _error(code: int, message: str) -> Exception:
    text = f"curl error {code}: {message}"
    if code == pycurl.E_OPERATION_TIMEDOUT:
        return TimeoutError(text)
    if code in (pycurl.E_UNSUPPORTED_PROTOCOL, pycurl.E_URL_MALFORMAT):
        return ValueError(text)
    return ConnectionError(text)  # refused, reset, TLS, DNS: push.classify makes it a retry


class PushTransport:
    """POSTs to push services over HTTP/2, many at a time; thread-safe (one thread drives every request)."""

    def __init__(self, *, timeout: float = 10.0):
        self.timeout = timeout
        self._start = threading.Lock()
        self._loop: _Loop | None = None

    def post_many(self, requests: Sequence[tuple[str, bytes, dict]]) -> list[Answer | Exception]:
        """POST each (url, body, headers), all in flight at once; an answer per request, in order: the
        push service's answer, or the error that stopped that request (ValueError for a bad URL or header,
        TimeoutError or ConnectionError for the network). Never raises for one request's trouble."""
        batch = _Batch(len(requests))
        jobs = []
        for index, (url, body, headers) in enumerate(requests):
            try:
                parts = urlsplit(url)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    raise ValueError("push endpoints are http(s) URLs")
                lines = [f"{name}: {value}" for name, value in clean_headers(headers).items()]
            except ValueError as error:
                batch.finish(index, ValueError(str(error)))
                continue
            # Without these, libcurl would add a form Content-Type and, on HTTP/1.1, wait for 100-continue.
            if not any(line.lower().startswith("content-type:") for line in lines):
                lines.append("Content-Type:")
            lines.append("Expect:")
            jobs.append(_Job(url, f"{parts.scheme}://{parts.netloc}", bytes(body), lines, batch, index))
        if jobs:
            with self._start:
                if self._loop is None:
                    self._loop = _Loop(self.timeout)
                self._loop.submit(jobs)
        batch.done.wait()
        return batch.answers  # type: ignore[return-value]

    def close(self) -> None:
        """Close the connections and stop the thread (a later post starts them again)."""
        with self._start:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop()


class _Loop:
    """The thread that owns the CurlMulti: takes jobs from any thread and drives libcurl's sockets."""

    def __init__(self, timeout: float):
        self.timeout_ms = max(1, int(timeout * 1000))
        self.multi = pycurl.CurlMulti()
        self.multi.setopt(pycurl.M_PIPELINING, pycurl.PIPE_MULTIPLEX)
        self.multi.setopt(pycurl.M_MAX_HOST_CONNECTIONS, MAX_HOST_CONNECTIONS)
        self.multi.setopt(pycurl.M_MAX_CONCURRENT_STREAMS, STREAMS_PER_CONNECTION)
        self.multi.setopt(pycurl.M_SOCKETFUNCTION, self._on_socket)
        self.multi.setopt(pycurl.M_TIMERFUNCTION, self._on_timer)
        self.poll = select.poll()
        self.deadline: float | None = None
        self.idle: list[pycurl.Curl] = []
        self.running: set[pycurl.Curl] = set()
        # Jobs wait here, not in libcurl, until their push service has a free stream: libcurl's timeout
        # starts when a handle is added, and a push queued behind a slow one should not time out for that.
        self.waiting: dict[str, deque[_Job]] = {}
        self.active: Counter[str] = Counter()
        self.inbox: list[_Job] = []
        self.inbox_lock = threading.Lock()
        self.stopping = False
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        self.poll.register(self.wake_read, select.POLLIN)
        self.thread = threading.Thread(target=self._run, name="push-http2", daemon=True)
        self.thread.start()

    # ------------------------------------------------------------ any thread
    def submit(self, jobs: list[_Job]) -> None:
        with self.inbox_lock:
            self.inbox.extend(jobs)
        os.write(self.wake_write, b"x")

    def stop(self) -> None:
        self.stopping = True
        os.write(self.wake_write, b"x")
        self.thread.join(10)

    # ------------------------------------------------------------ libcurl's callbacks (loop thread)
    def _on_socket(self, what: int, fd: int, multi, data) -> None:
        if what == pycurl.POLL_REMOVE:
            try:
                self.poll.unregister(fd)
            except KeyError:
                pass
            return
        mask = (select.POLLIN if what & pycurl.POLL_IN else 0) | (select.POLLOUT if what & pycurl.POLL_OUT else 0)
        try:
            self.poll.modify(fd, mask)
        except FileNotFoundError:
            self.poll.register(fd, mask)

    def _on_timer(self, timeout_ms: int) -> None:
        self.deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000

    # ------------------------------------------------------------ the loop
    def _run(self) -> None:
        try:
            while not self.stopping:
                self._take_inbox()
                self._start_waiting()
                self._wait_and_act()
                self._collect()
        finally:
            self._shut()

    def _take_inbox(self) -> None:
        with self.inbox_lock:
            jobs, self.inbox = self.inbox, []
        for job in jobs:
            self.waiting.setdefault(job.origin, deque()).append(job)

    def _start_waiting(self) -> None:
        room = MAX_HOST_CONNECTIONS * STREAMS_PER_CONNECTION
        for origin, queue in list(self.waiting.items()):
            while queue and self.active[origin] < room:
                self._add(queue.popleft())
            if not queue:
                del self.waiting[origin]

    def _add(self, job: _Job) -> None:
        handle = self.idle.pop() if self.idle else self._new_handle()
        handle.job = job
        handle.setopt(pycurl.URL, job.url)
        handle.setopt(pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_2TLS if job.url.startswith("https:")
                      else pycurl.CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)  # plain http is loopback test services
        handle.setopt(pycurl.POSTFIELDS, job.body)
        handle.setopt(pycurl.HTTPHEADER, job.headers)
        handle.setopt(pycurl.HEADERFUNCTION, job.on_header)
        handle.setopt(pycurl.WRITEFUNCTION, job.on_data)
        self.active[job.origin] += 1
        self.running.add(handle)
        self.multi.add_handle(handle)

    def _new_handle(self) -> pycurl.Curl:
        handle = pycurl.Curl()
        handle.setopt(pycurl.NOSIGNAL, 1)
        handle.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        handle.setopt(pycurl.REDIR_PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        handle.setopt(pycurl.FOLLOWLOCATION, 0)
        handle.setopt(pycurl.PROXY, "")  # no proxy, whatever the environment says
        handle.setopt(pycurl.NOPROXY, "*")
        handle.setopt(pycurl.SSL_VERIFYPEER, 1)
        handle.setopt(pycurl.SSL_VERIFYHOST, 2)
        if _SYSTEM_CAS:
            handle.setopt(pycurl.CAINFO, _SYSTEM_CAS)
        handle.setopt(pycurl.PIPEWAIT, 1)  # a new stream waits for the connection being made, not a second one
        handle.setopt(pycurl.CONNECTTIMEOUT_MS, self.timeout_ms)
        handle.setopt(pycurl.TIMEOUT_MS, self.timeout_ms)
        handle.setopt(pycurl.POST, 1)
        return handle

    def _wait_and_act(self) -> None:
        wait = 1000 if self.deadline is None else max(0, int((self.deadline - time.monotonic()) * 1000))
        for fd, events in self.poll.poll(min(wait, 1000)):
            if fd == self.wake_read:
                while True:
                    try:
                        if not os.read(self.wake_read, 4096):
                            break
                    except BlockingIOError:
                        break
                continue
            flags = ((pycurl.CSELECT_IN if events & (select.POLLIN | select.POLLHUP) else 0)
                     | (pycurl.CSELECT_OUT if events & select.POLLOUT else 0)
                     | (pycurl.CSELECT_ERR if events & (select.POLLERR | select.POLLNVAL) else 0))
            self.multi.socket_action(fd, flags)
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.deadline = None
            self.multi.socket_action(pycurl.SOCKET_TIMEOUT, 0)

    def _collect(self) -> None:
        while True:
            left, done, failed = self.multi.info_read()
            for handle in done:
                job = self._release(handle)
                status = handle.getinfo(pycurl.RESPONSE_CODE)
                job.batch.finish(job.index, Answer(status, Headers(job.answer_headers), bytes(job.content)))
            for handle, code, message in failed:
                job = self._release(handle)
                if code in _AGAIN and job.attempt == 1:
                    job.attempt = 2
                    job.answer_headers.clear()
                    job.content.clear()
                    self.waiting.setdefault(job.origin, deque()).append(job)
                else:
                    job.batch.finish(job.index, _error(code, message))
            if not left:
                return

    def _release(self, handle: pycurl.Curl) -> _Job:
        self.multi.remove_handle(handle)
        self.running.discard(handle)
        job = handle.job
        handle.job = None
        self.active[job.origin] -= 1
        self.idle.append(handle)
        return job

    def _shut(self) -> None:
        # Whoever still waits gets an answer rather than hanging.
        self._take_inbox()
        leftovers = [job for queue in self.waiting.values() for job in queue]
        leftovers += [self._release(handle) for handle in list(self.running)]
        for handle in self.idle:
            handle.close()
        for job in leftovers:
            job.batch.finish(job.index, ConnectionError("push transport closed"))
        self.multi.close()
        os.close(self.wake_read)
        os.close(self.wake_write)
