"""A WebSub subscriber on loopback, as a feed reader runs one: it confirms the intent of
the subscriptions it asked for (echoes the challenge), refuses others, and keeps every
delivery it receives with its headers, checking the signature with its secret. It can
answer deliveries with given statuses first (a failing subscriber)."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes

    def signed_with(self, secret: str) -> bool:
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("x-hub-signature", ""), expected)


@dataclass
class Subscriber:
    url: str = ""
    wanted: set[tuple[str, str]] = field(default_factory=set)  # (mode, topic) it asked for
    verifications: list[dict[str, str]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to the next deliveries


def _handler(subscriber: Subscriber) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, status: int, body: bytes = b"") -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # the hub verifies an intent
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            subscriber.verifications.append(query)
            if (query.get("hub.mode", ""), query.get("hub.topic", "")) in subscriber.wanted:
                self._answer(200, query.get("hub.challenge", "").encode())
            else:
                self._answer(404)

        def do_POST(self) -> None:  # the hub delivers content
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            subscriber.deliveries.append(Delivery(self.path, headers, body))
            self._answer(subscriber.statuses.pop(0) if subscriber.statuses else 204)

    return Handler


@contextmanager
def websub_subscriber() -> Iterator[Subscriber]:
    subscriber = Subscriber()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(subscriber))
    subscriber.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield subscriber
    finally:
        server.shutdown()
        server.server_close()
