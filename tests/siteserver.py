"""The shared loopback site (aggregator.demo.loopback) serving tests/sites/, for tests.

A test overrides any path with a Route (a status, body, headers or delay) to play a
broken or slow press office; everything else is the file under tests/sites/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from aggregator.demo.loopback import Answer, LoopbackSite, Request

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


@dataclass
class Route:
    """How to answer one path instead of serving the file (body None: the file's)."""

    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    conditional: bool = True
    streamed: bool = False  # no Content-Length: the body ends when the connection closes


class SiteServer(LoopbackSite):
    def __init__(self, root: Path = SITES) -> None:
        super().__init__(self._resolve)
        self.root = root
        self.routes: dict[str, Route] = {}

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

    def _resolve(self, raw: str) -> Answer | None:
        parts = urlsplit(raw)
        route = self.routes.get(parts.path) or self.routes.get(raw)
        found = self.file_for(parts.path, parts.query)
        body, content_type = None, None
        if found is not None:
            file, suffix = found
            body = file.read_bytes()
            content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
        if route is None:
            return Answer(body, content_type) if body is not None else None
        return Answer(
            route.body if route.body is not None else (body or b""),
            content_type,
            route.status,
            route.headers,
            route.delay,
            route.conditional,
            route.streamed,
        )
