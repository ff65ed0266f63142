"""A real HTTP server on 127.0.0.1 serving tests/sites/, for tests and the benchmark.

It answers conditional requests (ETag, Last-Modified, 304) like a well-behaved
web server, and lets a test override any path with a status, body, headers or
delay, to play a broken or slow press office. It records every request.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITES = Path(__file__).parent / "sites"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".rdf": "application/rdf+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain; charset=utf-8",
    ".php": "text/html; charset=utf-8",
    "": "text/html; charset=utf-8",
}
FIXED_MTIME = email.utils.formatdate(1567000000, usegmt=True)  # 28.08.2019


@dataclass
class Route:
    """How to answer one path instead of serving the file."""

    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    conditional: bool = True
    streamed: bool = False  # no Content-Length: the body ends when the connection closes


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    status: int


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up early (timeouts, size caps) are part of the tests


class SiteServer:
    def __init__(self, root: Path = SITES) -> None:
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.active: list[str] = []  # paths being answered right now
        self.arrived: list[str] = []  # every request's path as it arrives (requests: answered)
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def file_for(self, path: str, query: str) -> tuple[Path, str] | None:
        """The file for a path and its type suffix.

        A query is served from `name@query`, or `name@query.xml` to give it a type of its own.
        """
        root = self.root.resolve()
        file = (root / unquote(path).lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if root not in file.parents:
            return None
        if query:
            wanted = f"{file.name}@{unquote(query)}"
            for variant in file.parent.glob("*@*"):
                rest = variant.name.removeprefix(wanted)
                if variant.name.startswith(wanted) and rest in ("", ".xml", ".rss", ".atom"):
                    return variant, rest or file.suffix
        return (file, file.suffix) if file.is_file() else None

    def page_requests(self, since: int = 0) -> list[Request]:
        """Requests from index `since` on, without the robots.txt look-ups."""
        return [r for r in self.requests[since:] if r.path != "/robots.txt"]

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if urlsplit(r.path).path == "/" + path.lstrip("/")]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    server.active.append(self.path)
                    server.arrived.append(self.path)
                try:
                    status = self._answer()
                finally:
                    with server._lock:
                        server.in_flight -= 1
                        server.active.remove(self.path)
                headers = {k: v for k, v in self.headers.items()}
                server.requests.append(Request(self.path, headers, status))

            def _answer(self) -> int:
                path = urlsplit(self.path).path
                route = server.routes.get(path) or server.routes.get(self.path)
                if route and route.delay:
                    time.sleep(route.delay)
                body, headers, status = self._resolve(path, route)
                if body is None:
                    return self._send(404, b"not found", {"Content-Type": "text/plain"})
                if status == 200 and (route is None or route.conditional):
                    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    headers.setdefault("ETag", etag)
                    headers.setdefault("Last-Modified", FIXED_MTIME)
                    if self._not_modified(headers):
                        return self._send(304, b"", {"ETag": headers["ETag"]})
                if route and route.streamed:
                    headers["Connection"] = "close"
                    headers["Content-Length"] = ""
                return self._send(status, body, headers)

            def _resolve(
                self, path: str, route: Route | None
            ) -> tuple[bytes | None, dict[str, str], int]:
                headers: dict[str, str] = {}
                status = 200
                body: bytes | None = None
                found = server.file_for(path, urlsplit(self.path).query)
                if found is not None:
                    file, suffix = found
                    body = file.read_bytes()
                    headers["Content-Type"] = CONTENT_TYPES.get(suffix, "application/octet-stream")
                if route:
                    status = route.status
                    if route.body is not None:
                        body = route.body
                    elif body is None:
                        body = b""
                    headers.update(route.headers)
                return body, headers, status

            def _not_modified(self, headers: dict[str, str]) -> bool:
                if_none_match = self.headers.get("If-None-Match")
                if if_none_match is not None:
                    return headers["ETag"] in [t.strip() for t in if_none_match.split(",")]
                return self.headers.get("If-Modified-Since") == headers["Last-Modified"]

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> int:
                self.send_response(status)
                for name, value in headers.items():
                    if value:
                        self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for start in range(0, len(body), 1 << 16):
                        self.wfile.write(body[start : start + (1 << 16)])
                except OSError:
                    pass  # the client stopped reading (a size cap): that is the point
                if headers.get("Connection") == "close":
                    self.close_connection = True
                return status

        return Handler
