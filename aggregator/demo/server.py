"""The demo's sample press sites on a loopback port: a plain web server in a thread that
answers conditional requests (ETag, Last-Modified, 304) as a well-kept site does."""

from __future__ import annotations

import email.utils
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from aggregator.demo.sites import Page

LAST_MODIFIED = email.utils.formatdate(1567000000, usegmt=True)  # 28.08.2019
ROBOTS = Page(b"User-agent: *\nDisallow: /intern/\n", "text/plain; charset=utf-8")


class SampleSites:
    """Serves `pages` (path with query -> Page) on 127.0.0.1 until stopped."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.pages: dict[str, Page] = {"/robots.txt": ROBOTS}
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SampleSites:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sites = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = sites.pages.get(self.path) or sites.pages.get(unquote(self.path))
                if page is None:
                    self._send(404, b"Seite nicht gefunden", "text/plain; charset=utf-8", {})
                    return
                etag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
                validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
                if self.headers.get("If-None-Match") == etag or (
                    not self.headers.get("If-None-Match")
                    and self.headers.get("If-Modified-Since") == LAST_MODIFIED
                ):
                    self._send(304, b"", None, validators)
                    return
                self._send(200, page.body, page.content_type, validators)

            def _send(
                self, status: int, body: bytes, content_type: str | None, headers: dict[str, str]
            ) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the aggregator's log tells the story

        return Handler
