"""How the web edge answers: documents rendered once per change of the data and sent
with a strong ETag, Last-Modified, 304s and gzip; how long each may be kept; and the
security headers on every response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aggregator.publish.feeds import (
    FeedSpec,
)

ATOM_TYPE = "application/atom+xml; charset=utf-8"
OPML_TYPE = "text/x-opml; charset=utf-8"
CACHE_CONTROL = "public, max-age=300"
# A full archive page of a feed whose members never change (all items, a jobcenter's, a
# Land's) is the same document for ever (RFC 5005); one of a campaign (its rules may be
# tuned), a joint release's group or a search is kept a day.
IMMUTABLE = "public, max-age=31536000, immutable"
ARCHIVE_CACHE_CONTROL = "public, max-age=86400"


def content_policy(style: str = "'self'", form: str = "'none'") -> str:
    """Our Content-Security-Policy: no script at all, styles and forms as a page needs."""
    return (
        f"default-src 'none'; style-src {style}; img-src 'self' data:; "
        f"frame-ancestors 'none'; base-uri 'none'; form-action {form}"
    )


DASHBOARD_POLICY = content_policy(form="'self'")  # its search box submits to itself


@dataclass
class Rendered:
    body: bytes
    gzipped: bytes
    etag: str  # of the body; the gzipped variant adds "-gz"
    last_modified: datetime


def _not_modified(request: Request, rendered: Rendered, etag: str) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {t.strip() for t in match.split(",")}
        return "*" in tags or etag in tags or rendered.etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return rendered.last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def feed_cache_control(spec: FeedSpec, page: int | None, text: str | None) -> str:
    """How long a feed document may be kept: the live one briefly, an archive page long."""
    if page is None:
        return CACHE_CONTROL
    fixed = spec.campaign_id is None and spec.group_id is None and text is None
    return IMMUTABLE if fixed else ARCHIVE_CACHE_CONTROL


def send(
    request: Request,
    rendered: Rendered,
    media_type: str,
    extra: dict[str, str] | None = None,
    cache: str = CACHE_CONTROL,
) -> Response:
    wants_gzip = "gzip" in request.headers.get("accept-encoding", "")
    etag = rendered.etag[:-1] + '-gz"' if wants_gzip else rendered.etag
    headers = {
        "Vary": "Accept-Encoding",  # feeds add Accept: a browser gets them as a page
        **(extra or {}),
        "ETag": etag,
        "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        "Cache-Control": cache,
    }
    if _not_modified(request, rendered, etag):
        return Response(status_code=304, headers=headers)
    if wants_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(rendered.gzipped, media_type=media_type, headers=headers)
    return Response(rendered.body, media_type=media_type, headers=headers)


SECURITY_HEADERS = [
    # Nothing of ours runs script; styles come from our own stylesheet only.
    (b"content-security-policy", content_policy().encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]


class SecurityHeaders:
    """ASGI middleware: the security headers on every response (pages, feeds, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
