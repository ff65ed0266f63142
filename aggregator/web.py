"""The HTTP edge: feeds for subscribers, the dashboard, OPML, health and metrics.

Feed readers poll often and mostly get nothing new, so a feed document is
rendered (and gzipped) once per change of the database and kept; requests are
answered from that cache with a strong ETag, Last-Modified and 304s.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from aggregator.dashboard import Dashboard, campaign_view, cards
from aggregator.health import SourceHealth, summarize
from aggregator.model import LAND_CODES, Config
from aggregator.opml import render_opml
from aggregator.parse.dates import BERLIN
from aggregator.publish import feed_specs, render_page, resolve
from aggregator.store import Store

ATOM_TYPE = "application/atom+xml; charset=utf-8"
OPML_TYPE = "text/x-opml; charset=utf-8"
CACHE_CONTROL = "public, max-age=300"
STATIC = Path(__file__).parent / "static"


@dataclass
class Rendered:
    body: bytes
    gzipped: bytes
    etag: str  # of the body; the gzipped variant adds "-gz"
    last_modified: datetime


@dataclass
class AppState:
    """What the app reads from: the config (replaced on reload), a reading store."""

    config: Callable[[], Config]
    store: Store
    base_url: str
    scheduler_running: Callable[[], bool] = lambda: True
    registry: CollectorRegistry | None = None
    cache: dict[tuple[str, ...], tuple[object, Rendered]] = field(default_factory=dict)

    def version(self) -> object:
        return (self.store.data_version(), id(self.config()))

    def rendered(self, key: tuple[str, ...], render: Callable[[], bytes | None]) -> Rendered | None:
        """From the cache while nothing changed; rendered and compressed once otherwise.

        Endpoints are coroutines, so this runs on the event loop's one thread."""
        version = self.version()
        cached = self.cache.get(key)
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
        self.cache[key] = (version, fresh)
        return fresh


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


def _send(request: Request, rendered: Rendered, media_type: str) -> Response:
    wants_gzip = "gzip" in request.headers.get("accept-encoding", "")
    etag = rendered.etag[:-1] + '-gz"' if wants_gzip else rendered.etag
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
    }
    if _not_modified(request, rendered, etag):
        return Response(status_code=304, headers=headers)
    if wants_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(rendered.gzipped, media_type=media_type, headers=headers)
    return Response(rendered.body, media_type=media_type, headers=headers)


def create_app(state: AppState) -> Starlette:
    templates = Environment(
        loader=PackageLoader("aggregator", "templates"), autoescape=select_autoescape()
    )
    templates.filters["local"] = lambda value: value.astimezone(BERLIN).strftime("%d.%m.%Y")
    templates.filters["localtime"] = lambda value: (
        value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") if value else "–"
    )

    async def feed(request: Request) -> Response:
        config = state.config()
        path = request.path_params["path"]
        found = resolve(config, path)
        if found is None:
            return Response("Feed nicht gefunden", status_code=404, media_type="text/plain")
        spec, page = found
        text = request.query_params.get("q", "").strip()[:200] or None
        key = ("feed", path, text or "")

        def render() -> bytes | None:
            now = datetime.now(UTC)
            return render_page(spec, page, state.store, config, state.base_url, now, text)

        rendered = state.rendered(key, render)
        if rendered is None:
            return Response("Archivseite nicht gefunden", status_code=404, media_type="text/plain")
        return _send(request, rendered, ATOM_TYPE)

    async def opml(request: Request) -> Response:
        config = state.config()
        rendered = state.rendered(
            ("opml",), lambda: render_opml(config, state.base_url, datetime.now(UTC))
        )
        assert rendered is not None
        return _send(request, rendered, OPML_TYPE)

    async def dashboard(request: Request) -> Response:
        config = state.config()
        now = datetime.now(UTC)
        counts = state.store.item_counts(since=now - timedelta(days=30))
        health = tuple(
            summarize(s.id, state.store.fetch_states(s.id), *counts.get(s.id, (0, 0)))
            for s in config.sources
        )
        view = Dashboard(
            campaigns=tuple(
                campaign_view(config, c, state.store.items(limit=None, campaign_id=c.id))
                for c in config.campaigns
            ),
            latest=cards(state.store.items(limit=60)),
            health=tuple(sorted(health, key=_health_order)),
            sources={s.id: s for s in config.sources},
        )
        page = templates.get_template("dashboard.html").render(
            view=view, base_url=state.base_url, lands=LAND_CODES, now=now,
            specs=[s for s in feed_specs(config) if not s.name.startswith("source:")],
        )  # fmt: skip
        return HTMLResponse(page)

    async def healthz(request: Request) -> Response:
        reasons = []
        try:
            state.store.count()
        except Exception as exc:  # any database failure makes us unhealthy
            reasons.append(f"database: {exc}")
        if not state.scheduler_running():
            reasons.append("scheduler: not running")
        status = 503 if reasons else 200
        return JSONResponse({"status": "fail" if reasons else "ok", "reasons": reasons}, status)

    async def metrics(request: Request) -> Response:
        if state.registry is None:
            return Response(status_code=404)
        return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/", dashboard),
            Route("/feeds/{path:path}", feed),
            Route("/sources.opml", opml),
            Route("/healthz", healthz),
            Route("/metrics", metrics),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )


def _health_order(row: SourceHealth) -> tuple[bool, str]:
    return (not row.sick, row.source_id)
