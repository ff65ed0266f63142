"""The coordinators' pages: the dashboard, exports, the press review; and health and
metrics for monitoring."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from aggregator.config.schema import Config
from aggregator.core.model import LAND_CODES
from aggregator.core.time import BERLIN
from aggregator.observe.alarms import RELOAD_REFUSED
from aggregator.publish.dashboard import Dashboard, campaign_view, cards
from aggregator.publish.exports import campaign_tables, resonance_table
from aggregator.publish.feeds import (
    feed_sources,
    feed_specs,
)
from aggregator.publish.health import SourceHealth, source_health
from aggregator.publish.pdf import html_to_pdf
from aggregator.publish.review import (
    campaign_pictures,
    campaign_review,
    render_review,
    style_hash,
)
from aggregator.publish.spreadsheets import to_csv, to_xlsx
from aggregator.web.auth import Visitor, visitor
from aggregator.web.editing import item_path
from aggregator.web.private import private_address
from aggregator.web.requests import chosen_land, in_land, search_text
from aggregator.web.responses import (
    DASHBOARD_POLICY,
    content_policy,
    send,
)
from aggregator.web.state import AppState

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_EXPORT = re.compile(
    r"^(?P<campaign>[a-z0-9][a-z0-9-]*)(?P<participation>/participation|/resonance)?"
    r"\.(?P<format>csv|xlsx)$"
)
_REVIEW = re.compile(r"^(?P<campaign>[a-z0-9][a-z0-9-]*)/review(?P<pdf>\.pdf)?$")


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


class Pages:
    """The page endpoints, over the app's state and templates."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.templates = _templates()

    async def export(self, request: Request) -> Response:
        """/campaigns/ID.csv|.xlsx (the items), /campaigns/ID/participation.csv|.xlsx,
        /campaigns/ID/resonance.csv|.xlsx (the press's echo); /campaigns/ID/review(.pdf),
        the press review."""
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
        part, extension = found.group("participation") or "", found.group("format")
        kind = part == "/participation"

        def render() -> bytes:
            if part == "/resonance":  # the press's echo of the campaign (issue 35)
                table = resonance_table(config, self.state.store, campaign)
                return to_csv(table) if extension == "csv" else to_xlsx(table)
            items, per_jobcenter = campaign_tables(
                config, self.state.store, campaign, datetime.now(UTC)
            )
            if extension == "csv":
                return to_csv(per_jobcenter if kind else items)
            return to_xlsx(per_jobcenter, items) if kind else to_xlsx(items, per_jobcenter)

        rendered = self.state.rendered(("export", path), render)
        assert rendered is not None
        what = {"/participation": "beteiligung", "/resonance": "medienecho"}.get(part, "meldungen")
        name = f"{campaign.id}-{what}.{extension}"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        return send(request, rendered, EXPORT_TYPES[extension], disposition)

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
            return send(request, rendered, "application/pdf", name)
        policy = {"Content-Security-Policy": content_policy(style=style_hash())}
        return send(request, rendered, "text/html; charset=utf-8", policy)

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
            view=view,
            base_url=self.state.base_url,
            lands=LAND_CODES,
            now=now,
            config_problem=refused[0] if refused else None,
            specs=[s for s in feed_specs(config) if not s.name.startswith("source:")],
            pictures=pictures,
            query=query,
            found=found,
            land=land,
            who=who,
            has_press=bool(self.state.config().press),
            echo_counts=store.echo_counts() if self.state.config().press else {},
            feed_root=self._feed_root(config, who),
            search_feed=f"{self.state.base_url}/feeds/all.atom?{urlencode({'q': query or ''})}",
        )
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


def _health_order(row: SourceHealth) -> tuple[bool, str]:
    return (not row.sick, row.source_id)
