"""The HTTP edge: feeds for subscribers, the dashboard, OPML, health and metrics.

Feed readers poll often and mostly get nothing new, so a feed document is
rendered (and gzipped) once per change of the database and kept; requests are
answered from that cache with a strong ETag, Last-Modified and 304s.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import re
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from lxml import etree
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aggregator.config.schema import Config
from aggregator.core.logs import event
from aggregator.core.lru import BoundedLRU
from aggregator.core.model import LAND_CODES, StoredItem
from aggregator.core.time import BERLIN
from aggregator.observe.alarms import RELOAD_REFUSED, Alarms
from aggregator.observe.metrics import Metrics
from aggregator.pipeline.ports import Getter
from aggregator.publish.atom import log_skipped
from aggregator.publish.dashboard import Dashboard, campaign_view, cards
from aggregator.publish.exports import campaign_tables
from aggregator.publish.feeds import (
    FeedSpec,
    feed_sources,
    feed_specs,
    render_page,
    resolve_document,
)
from aggregator.publish.health import SourceHealth, source_health
from aggregator.publish.jsonfeed import JSON_FEED_TYPE
from aggregator.publish.opml import CHOICES as OPML_CHOICES
from aggregator.publish.opml import Choice as OpmlChoice
from aggregator.publish.opml import render_opml
from aggregator.publish.pdf import html_to_pdf
from aggregator.publish.review import (
    campaign_pictures,
    campaign_review,
    render_review,
    style_hash,
)
from aggregator.publish.spreadsheets import to_csv, to_xlsx
from aggregator.store.database import Store, is_storage_failure
from aggregator.web.auth import Visitor, visitor
from aggregator.web.editing import Editing, item_path
from aggregator.web.hub import Document, Hub, HubBusy, HubRequestError
from aggregator.web.private import PRIVATE, PrivateAccess, feed_base, private_address

ATOM_TYPE = "application/atom+xml; charset=utf-8"
OPML_TYPE = "text/x-opml; charset=utf-8"
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_EXPORT = re.compile(r"^(?P<campaign>[a-z0-9][a-z0-9-]*)(?P<participation>/participation)?"
                     r"\.(?P<format>csv|xlsx)$")  # fmt: skip
_REVIEW = re.compile(r"^(?P<campaign>[a-z0-9][a-z0-9-]*)/review(?P<pdf>\.pdf)?$")
CACHE_CONTROL = "public, max-age=300"
# A full archive page of a feed whose members never change (all items, a jobcenter's, a
# Land's) is the same document for ever (RFC 5005); one of a campaign (its rules may be
# tuned), a joint release's group or a search is kept a day.
IMMUTABLE = "public, max-age=31536000, immutable"
ARCHIVE_CACHE_CONTROL = "public, max-age=86400"


def content_policy(style: str = "'self'", form: str = "'none'") -> str:
    """Our Content-Security-Policy: no script at all, styles and forms as a page needs."""
    return (f"default-src 'none'; style-src {style}; img-src 'self' data:; "
            f"frame-ancestors 'none'; base-uri 'none'; form-action {form}")  # fmt: skip


DASHBOARD_POLICY = content_policy(form="'self'")  # its search box submits to itself
STATIC = Path(__file__).parent / "static"


@dataclass
class Rendered:
    body: bytes
    gzipped: bytes
    etag: str  # of the body; the gzipped variant adds "-gz"
    last_modified: datetime


def _rendered_size(entry: tuple[object, Rendered]) -> int:
    return len(entry[1].body) + len(entry[1].gzipped) + 512


def _documents() -> BoundedLRU[tuple[str, ...], tuple[object, Rendered]]:
    """Every feed, archive page and OPML list, rendered: a few hundred of them."""
    return BoundedLRU(2_000, 256 * 2**20, _rendered_size)


def _queries() -> BoundedLRU[tuple[str, ...], tuple[object, Rendered]]:
    """Documents of `?q=` searches, which clients choose freely: kept apart and small,
    so that no number of different queries can grow the process or evict the feeds."""
    return BoundedLRU(200, 32 * 2**20, _rendered_size)


@dataclass
class AppState:
    """What the app reads from: the config (replaced on reload), a reading store."""

    config: Callable[[], Config]
    store: Store
    base_url: str
    scheduler_running: Callable[[], bool] = lambda: True
    metrics: Metrics | None = None
    alarms: Alarms = field(default_factory=Alarms)
    cache: BoundedLRU[tuple[str, ...], tuple[object, Rendered]] = field(default_factory=_documents)
    query_cache: BoundedLRU[tuple[str, ...], tuple[object, Rendered]] = field(
        default_factory=_queries
    )
    pdf_turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # one PDF at a time
    hub: Hub | None = None  # the WebSub hub, in the service
    changed: Callable[[], None] = lambda: None  # an editor changed what the feeds show
    getter: Getter | None = None  # the service's fetcher: editors add releases by address

    def version(self) -> object:
        return (self.store.data_version(), id(self.config()))

    def rendered(
        self, key: tuple[str, ...], render: Callable[[], bytes | None], query: bool = False
    ) -> Rendered | None:
        """From the cache while nothing changed; rendered and compressed once otherwise.

        Endpoints are coroutines, so this runs on the event loop's one thread."""
        cache = self.query_cache if query else self.cache
        version = self.version()
        cached = cache.get(key)
        if cached and cached[0] == version:
            return cached[1]
        body = render()
        if body is None:
            return None
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        now = datetime.now(UTC).replace(microsecond=0)
        if cached and cached[1].etag == etag:
            fresh = cached[1]  # the data changed elsewhere; this document did not
        else:
            fresh = Rendered(body, gzip.compress(body, 6, mtime=0), etag, now)
        cache.put(key, (version, fresh))
        return fresh

    def skipped(self, stored: StoredItem, exc: Exception) -> None:
        """An entry left out of a feed: logged once, counted every time."""
        log_skipped(stored, exc)
        if self.metrics is not None:
            self.metrics.entries_skipped.inc()


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


@cache
def _feed_view() -> etree.XSLT:
    return etree.XSLT(etree.parse(str(STATIC / "feed.xsl")))


def feed_page(atom: bytes) -> bytes:
    """An Atom document of ours as the page a browser shows (feed.xsl, applied here)."""
    result = _feed_view()(etree.fromstring(atom))
    page: bytes = etree.tostring(result, method="html", encoding="utf-8", doctype="<!DOCTYPE html>")
    return page


def _browser(request: Request) -> bool:
    """A person's browser opening a feed, not a feed reader: browsers mark a page they
    navigate to (Sec-Fetch-Dest: document) and ask for HTML; readers do neither, even
    those that send a browser-like Accept."""
    accept = request.headers.get("accept", "")
    navigating = request.headers.get("sec-fetch-dest") == "document"
    return navigating and "text/html" in accept and "application/atom+xml" not in accept


def feed_cache_control(spec: FeedSpec, page: int | None, text: str | None) -> str:
    """How long a feed document may be kept: the live one briefly, an archive page long."""
    if page is None:
        return CACHE_CONTROL
    fixed = spec.campaign_id is None and spec.group_id is None and text is None
    return IMMUTABLE if fixed else ARCHIVE_CACHE_CONTROL


def _send(
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
]  # fmt: skip


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


class BadQuery(ValueError):
    """A query parameter that no feed can answer: 400, with the reason."""


def search_text(request: Request) -> str | None:
    """The `?q=` words: at most 200 characters; control characters are refused."""
    raw = request.query_params.get("q", "")
    if _CONTROL.search(raw):
        raise BadQuery("q darf keine Steuerzeichen enthalten")
    return " ".join(raw.split())[:200] or None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
Endpoint = Callable[[Request], Awaitable[Response]]


def chosen_land(request: Request) -> str | None:
    """The Land the dashboard is narrowed to (`?land=BB`), if it is one."""
    code = request.query_params.get("land", "").strip().upper()
    return code if code in LAND_CODES else None


def in_land(config: Config, land: str | None) -> Config:
    """The configuration as far as one Land's sources go (all of it for None)."""
    if land is None:
        return config
    return config.model_copy(update={"sources": tuple(s for s in config.sources if s.land == land)})


def _templates() -> Environment:
    templates = Environment(
        loader=PackageLoader("aggregator.web", "templates"), autoescape=select_autoescape()
    )
    templates.filters["local"] = lambda value: value.astimezone(BERLIN).strftime("%d.%m.%Y")
    templates.filters["item_path"] = lambda item: item_path(item.source_id, item.key)
    templates.filters["localtime"] = lambda value: (
        value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") if value else "–"
    )
    return templates


def guarded(state: AppState, name: str, endpoint: Endpoint) -> Endpoint:
    """A failure answers 500 with one short line, is logged as one event, turns
    /healthz unhealthy (until the same page renders again) and is counted."""

    async def run(request: Request) -> Response:
        what = f"{name} {request.url.path}"
        try:
            response = await endpoint(request)
        except BadQuery as exc:
            return Response(f"Ungültige Anfrage: {exc}\n", 400, media_type="text/plain")
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:300]
            kind = "database" if is_storage_failure(exc) else "render"
            state.alarms.fail(f"{kind}: {what}", reason, datetime.now(UTC))
            if state.metrics is not None:
                state.metrics.serve_failures.labels(name).inc()
            event("serving failed", logging.ERROR, path=request.url.path, error=reason,
                  traceback=traceback.format_exc(limit=8))  # fmt: skip
            return Response("Interner Fehler; siehe /healthz\n", 500, media_type="text/plain")
        state.alarms.ok(f"render: {what}")
        state.alarms.ok(f"database: {what}")
        return response

    return run


def feed_document(
    state: AppState, path: str, text: str | None, base: str | None = None
) -> tuple[Rendered | None, str, FeedSpec, int | None] | None:
    """A feed document below /feeds/ as the service serves it (from the cache while
    nothing changed): None for no such feed, a None document for no such archive page.
    `base`: the address its links start with (a reader's personal one, if private)."""
    config = state.config()
    found = resolve_document(config, path)
    if found is None:
        return None
    spec, page, suffix = found
    base = base or state.base_url

    def render() -> bytes | None:
        return render_page(spec, page, state.store, config, base, datetime.now(UTC),
                           text, state.skipped, suffix)  # fmt: skip

    key = ("feed", path, text or "", base)
    rendered = state.rendered(key, render, query=text is not None)
    return rendered, JSON_FEED_TYPE if suffix == ".json" else ATOM_TYPE, spec, page


def topic_document(state: AppState, topic: str) -> Document | None:
    """The current document of a WebSub topic: one of our feeds' URLs, with its `?q=`."""
    base = state.base_url
    private = f"{base}{PRIVATE}"
    if topic.startswith(private):  # a reader's personal address (access: private)
        token = topic[len(private) :].split("/", 1)[0]
        if state.store.user_by_feed_token(unquote(token)) is None:
            return None
        base = f"{private}{token}"
    elif state.config().access == "private":
        return None
    prefix = f"{base}/feeds/"
    if not topic.startswith(prefix):
        return None
    parts = urlsplit(topic)
    query = dict(parse_qsl(parts.query))
    if set(query) - {"q"}:
        return None
    text = " ".join(query.get("q", "").split())[:200] or None
    found = feed_document(state, topic[len(prefix) :].split("?", 1)[0], text, base)
    if found is None or found[0] is None or found[3] is not None:
        return None  # no such feed, or an archive page (those never change)
    return Document(found[0].body, found[0].etag, found[1])


class _Pages:
    """The endpoints, over the app's state and templates."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.templates = _templates()

    async def feed(self, request: Request) -> Response:
        text = search_text(request)
        base = feed_base(request.scope, self.state.base_url)
        found = feed_document(self.state, request.path_params["path"], text, base)
        if found is None:
            return Response("Feed nicht gefunden", status_code=404, media_type="text/plain")
        rendered, media_type, spec, page = found
        if rendered is None:
            return Response("Archivseite nicht gefunden", status_code=404, media_type="text/plain")
        extra = {"Vary": "Accept, Sec-Fetch-Dest, Accept-Encoding"}
        if page is None and self.state.config().websub.enabled:  # WebSub discovery
            extra["Link"] = (f'<{self.state.base_url}/websub>; rel="hub", '
                             f'<{request.url}>; rel="self"')  # fmt: skip
        cache = feed_cache_control(spec, page, text)
        if media_type == ATOM_TYPE and _browser(request):
            # A person, not a reader: the feed as a page, made with the stylesheet the
            # document names (feed.xsl) here rather than in the browser, which shows
            # Atom as text and is dropping XSLT
            atom = rendered.body
            page_key = ("feed-page", request.path_params["path"], text or "", base)
            rendered_page = self.state.rendered(page_key, lambda: feed_page(atom))
            assert rendered_page is not None
            return _send(request, rendered_page, "text/html; charset=utf-8", extra, cache=cache)
        return _send(request, rendered, media_type, extra, cache=cache)

    async def websub(self, request: Request) -> Response:
        """The hub's endpoint: a subscription request, answered 202 and then verified."""
        hub = self.state.hub
        if hub is None or not self.state.config().websub.enabled:
            return Response("Kein WebSub-Hub hier", status_code=404, media_type="text/plain")
        body = await request.body()
        if len(body) > 8192:
            return Response("Anfrage zu groß", status_code=413, media_type="text/plain")
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        try:
            accepted = await hub.parse(form)
        except HubBusy as exc:
            headers = {"Retry-After": "60"}
            return Response(f"{exc}\n", status_code=429, media_type="text/plain", headers=headers)
        except HubRequestError as exc:
            return Response(f"{exc}\n", status_code=400, media_type="text/plain")
        hub.accept(accepted)
        return Response("Wird geprüft\n", status_code=202, media_type="text/plain")

    async def export(self, request: Request) -> Response:
        """/campaigns/ID.csv|.xlsx (the items) and /campaigns/ID/participation.csv|.xlsx;
        /campaigns/ID/review(.pdf), the press review."""
        config = self.state.config()
        path = request.path_params["path"]
        if _REVIEW.match(path):
            return await self.review(request, path)
        found = _EXPORT.match(path)
        campaign = next(
            (c for c in config.campaigns if found and c.id == found.group("campaign")), None
        )
        if found is None or campaign is None:
            return Response("Kampagne nicht gefunden", status_code=404, media_type="text/plain")
        kind, extension = bool(found.group("participation")), found.group("format")

        def render() -> bytes:
            items, per_jobcenter = campaign_tables(
                config, self.state.store, campaign, datetime.now(UTC)
            )
            if extension == "csv":
                return to_csv(per_jobcenter if kind else items)
            return to_xlsx(per_jobcenter, items) if kind else to_xlsx(items, per_jobcenter)

        rendered = self.state.rendered(("export", path), render)
        assert rendered is not None
        name = f"{campaign.id}-{'beteiligung' if kind else 'meldungen'}.{extension}"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        return _send(request, rendered, EXPORT_TYPES[extension], disposition)

    async def review(self, request: Request, path: str) -> Response:
        """The press review as a page (print stylesheet) or as PDF, made in a thread one
        at a time: a PDF takes a second, and the feeds must not wait for it."""
        config = self.state.config()
        found = _REVIEW.match(path)
        assert found is not None
        campaign = next((c for c in config.campaigns if c.id == found.group("campaign")), None)
        if campaign is None:
            return Response("Kampagne nicht gefunden", status_code=404, media_type="text/plain")
        pdf = found.group("pdf") is not None

        def page() -> bytes:
            document = campaign_review(
                config, self.state.store, campaign, datetime.now(UTC), self.state.base_url
            )
            return render_review(document).encode("utf-8")

        key = ("review", path)
        cached = self.state.cache.get(key)
        if pdf and not (cached and cached[0] == self.state.version()):
            html = page().decode("utf-8")
            async with self.state.pdf_turn:
                body = await asyncio.to_thread(html_to_pdf, html)
            rendered = self.state.rendered(key, lambda: body)
        else:
            rendered = self.state.rendered(key, page)
        assert rendered is not None
        if pdf:
            name = {"Content-Disposition": f'inline; filename="pressespiegel-{campaign.id}.pdf"'}
            return _send(request, rendered, "application/pdf", name)
        policy = {"Content-Security-Policy": content_policy(style=style_hash())}
        return _send(request, rendered, "text/html; charset=utf-8", policy)

    async def opml(self, request: Request) -> Response:
        """/sources.opml: the one feed of everything; ?feeds=kampagnen, laender or
        jobcenter: one feed per campaign, Land or jobcenter (publish.opml)."""
        config = self.state.config()
        choice = request.query_params.get("feeds", "empfohlen")
        if choice not in OPML_CHOICES:
            raise BadQuery(f"feeds ist eines von: {', '.join(OPML_CHOICES)}")
        chosen: OpmlChoice = choice
        base = feed_base(request.scope, self.state.base_url)
        rendered = self.state.rendered(
            ("opml", chosen, base), lambda: render_opml(config, base, datetime.now(UTC), chosen)
        )
        assert rendered is not None
        return _send(request, rendered, OPML_TYPE)

    async def dashboard(self, request: Request) -> Response:
        """The coordinators' page: campaigns newest first with map and timeline, the
        latest items (or those matching `?q=`), the sources' health."""
        land = chosen_land(request)
        config = in_land(self.state.config(), land)
        store = self.state.store
        who = visitor(request, store)
        now = datetime.now(UTC)
        query = search_text(request)
        health = tuple(source_health(config, store, now))
        sources = feed_sources(config, store)
        ids = [s.id for s in config.sources] if land else None
        views, pictures = [], {}
        for campaign in sorted(config.campaigns, key=lambda c: c.first_day, reverse=True):
            items = store.items(limit=None, campaign_id=campaign.id, source_ids=ids)
            views.append(campaign_view(config, campaign, items, health))
            pictures[campaign.id] = campaign_pictures(views[-1], items, sources)
        view = Dashboard(
            campaigns=tuple(views),
            latest=cards(store.items(limit=60, source_ids=ids, without_held=True)),
            health=tuple(sorted(health, key=_health_order)),
            sources={s.id: s for s in config.sources},
        )
        found = (
            cards(store.items(limit=100, text=query, source_ids=ids, without_held=True), limit=100)
            if query
            else None
        )
        refused = [a.reason for a in self.state.alarms.active(now) if a.name == RELOAD_REFUSED]
        page = self.templates.get_template("dashboard.html").render(
            view=view, base_url=self.state.base_url, lands=LAND_CODES, now=now,
            config_problem=refused[0] if refused else None,
            specs=[s for s in feed_specs(config) if not s.name.startswith("source:")],
            pictures=pictures, query=query, found=found, land=land, who=who,
            feed_root=self._feed_root(config, who),
            search_feed=f"{self.state.base_url}/feeds/all.atom?{urlencode({'q': query or ''})}",
        )  # fmt: skip
        return HTMLResponse(page, headers={"Content-Security-Policy": DASHBOARD_POLICY})

    def _feed_root(self, config: Config, who: Visitor | None) -> str:
        """Where the dashboard's feed links start: the reader's personal address when
        the service is private (a feed reader cannot log in)."""
        account = self.state.store.user(who.name) if who is not None else None
        if config.access == "private" and account is not None:
            return private_address(self.state.base_url, account.feed_token)
        return self.state.base_url

    async def healthz(self, request: Request) -> Response:
        now = datetime.now(UTC)
        reasons = []
        try:
            self.state.store.count()
            problem = await asyncio.to_thread(self.state.store.file_problem)
            if problem:
                reasons.append(f"database: {problem}")
        except Exception as exc:  # any database failure makes us unhealthy
            reasons.append(f"database: {exc}")
        if not self.state.scheduler_running():
            reasons.append("scheduler: not running")
        reasons += [
            f"{alarm.name}: {alarm.reason} ({alarm.count}× since {alarm.since:%H:%M:%S} UTC)"
            for alarm in self.state.alarms.active(now)
        ]
        status = 503 if reasons else 200
        return JSONResponse({"status": "fail" if reasons else "ok", "reasons": reasons}, status)

    async def metrics(self, request: Request) -> Response:
        if self.state.metrics is None:
            return Response(status_code=404)
        body = generate_latest(self.state.metrics.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)


def create_app(state: AppState) -> Starlette:
    pages = _Pages(state)
    editing = Editing(state, pages.templates)
    return Starlette(
        routes=[
            Route("/", guarded(state, "dashboard", pages.dashboard)),
            Route("/login", guarded(state, "login", editing.login_page), methods=["GET"]),
            Route("/login", guarded(state, "login", editing.login), methods=["POST"]),
            Route("/logout", guarded(state, "logout", editing.logout), methods=["POST"]),
            Route("/item", guarded(state, "item", editing.item)),
            Route("/curate", guarded(state, "curate", editing.decide), methods=["POST"]),
            Route("/feeds/{path:path}", guarded(state, "feed", pages.feed)),
            Route("/campaigns/{path:path}", guarded(state, "export", pages.export)),
            Route("/sources.opml", guarded(state, "opml", pages.opml)),
            Route("/websub", guarded(state, "websub", pages.websub), methods=["POST"]),
            Route("/healthz", pages.healthz),
            Route("/metrics", pages.metrics),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                PrivateAccess, config=state.config, store=state.store, base_url=state.base_url
            ),
        ],
    )


def _health_order(row: SourceHealth) -> tuple[bool, str]:
    return (not row.sick, row.source_id)
