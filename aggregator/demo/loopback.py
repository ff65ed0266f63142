"""A web server on 127.0.0.1 that behaves like a well-kept press site: the one the demo,
the tests and the real-page benchmark serve their pages from.

It answers conditional requests (ETag, Last-Modified, 304), can delay, stream
without a length or answer any status, records every request, and counts how many
are in flight (what politeness tests assert). What to answer is decided by a
resolver: a function from the request's path (with its query) to an `Answer`, or
None for 404. The bench's site farm, which must hold thousands of slow connections
on many addresses at once, runs on uvicorn instead but answers with the same
`validators` and `not_modified`.
"""

from __future__ import annotations

import email.utils
import hashlib
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

LAST_MODIFIED = email.utils.formatdate(1567000000, usegmt=True)  # 28.08.2019
CHUNK = 1 << 16


@dataclass(frozen=True)
class Answer:
    """How to answer one request."""

    body: bytes
    content_type: str | None = None
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)  # an empty value drops the header
    delay: float = 0.0  # seconds before answering: a slow site
    conditional: bool = True  # a 200 carries validators and may become a 304
    streamed: bool = False  # no Content-Length: the body ends when the connection closes


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    status: int
    client_port: int = 0  # the connection it came on: shows reuse


Resolver = Callable[[str], Answer | None]
NOT_FOUND = Answer(b"Seite nicht gefunden", "text/plain; charset=utf-8", status=404)


def validators(body: bytes) -> dict[str, str]:
    """The ETag (from the body) and Last-Modified a 200 carries."""
    return {"ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"', "Last-Modified": LAST_MODIFIED}


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, current: Mapping[str, str]
) -> bool:
    """Whether a conditional request may be answered 304 (If-None-Match wins, RFC 9110)."""
    if if_none_match is not None:
        return current["ETag"] in [tag.strip() for tag in if_none_match.split(",")]
    return if_modified_since is not None and if_modified_since == current["Last-Modified"]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (for a child process to bind)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up early (timeouts, size caps) are expected


class LoopbackSite:
    """Serves what `resolve` says on `host` (a free port unless given) until stopped."""

    def __init__(self, resolve: Resolver, host: str = "127.0.0.1", port: int = 0) -> None:
        self.resolve = resolve
        self.requests: list[Request] = []  # answered, in order
        self.arrived: list[str] = []  # every request's path as it arrives
        self.active: list[str] = []  # paths being answered right now
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"site": self})
        self._server = _QuietServer((host, port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _arrive(self, path: str) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.active.append(path)
            self.arrived.append(path)

    def _leave(self, path: str, headers: dict[str, str], status: int, port: int) -> None:
        with self._lock:
            self.in_flight -= 1
            self.active.remove(path)
            self.requests.append(Request(path, headers, status, port))


class _Handler(BaseHTTPRequestHandler):
    """Answers for `site`, set on a subclass per site."""

    site: LoopbackSite
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # the aggregator's log tells the story

    def do_GET(self) -> None:
        self.site._arrive(self.path)
        self._recorded = False
        try:
            self._answer(self.site.resolve(self.path) or NOT_FOUND)
        finally:
            self._record(500)  # if the answer failed before it was sent

    def _record(self, status: int) -> None:
        """Log the request before its answer goes out: whoever got the answer finds it."""
        if not self._recorded:
            self._recorded = True
            port = int(self.client_address[1])
            self.site._leave(self.path, dict(self.headers.items()), status, port)

    def _answer(self, answer: Answer) -> int:
        if answer.delay:
            time.sleep(answer.delay)
        headers = {"Content-Type": answer.content_type or ""}
        if answer.status == 200 and answer.conditional:
            headers.update(validators(answer.body))
        headers.update(answer.headers)
        if answer.status == 200 and answer.conditional:
            since = self.headers.get("If-Modified-Since")
            if not_modified(self.headers.get("If-None-Match"), since, headers):
                return self._send(304, b"", {"ETag": headers["ETag"]})
        if answer.streamed:
            headers["Connection"] = "close"
            headers["Content-Length"] = ""
        return self._send(answer.status, answer.body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> int:
        self._record(status)
        self.send_response(status)
        for name, value in headers.items():
            if value:
                self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for start in range(0, len(body), CHUNK):
                self.wfile.write(body[start : start + CHUNK])
        except OSError:
            pass  # the client stopped reading (a size cap)
        if headers.get("Connection") == "close":
            self.close_connection = True
        return status
