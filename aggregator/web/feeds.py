"""The feeds as the service serves them: documents below /feeds/ (Atom or JSON Feed,
archive pages, a reader's personal address when private), WebSub topics, OPML, and the
hub's endpoint."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from aggregator.publish.feeds import (
    FeedSpec,
    render_page,
    resolve_document,
)
from aggregator.publish.jsonfeed import JSON_FEED_TYPE
from aggregator.publish.opml import CHOICES as OPML_CHOICES
from aggregator.publish.opml import Choice as OpmlChoice
from aggregator.publish.opml import render_opml
from aggregator.web.feedview import feed_page, is_browser
from aggregator.web.hub import Document, HubBusy, HubRequestError
from aggregator.web.private import PRIVATE, feed_base
from aggregator.web.requests import BadQuery, search_text
from aggregator.web.responses import (
    ATOM_TYPE,
    OPML_TYPE,
    Rendered,
    feed_cache_control,
    send,
)
from aggregator.web.state import AppState


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
        return render_page(
            spec, page, state.store, config, base, datetime.now(UTC), text, state.skipped, suffix
        )

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


class FeedPages:
    """The feed endpoints, over the app's state."""

    def __init__(self, state: AppState) -> None:
        self.state = state

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
            extra["Link"] = (
                f'<{self.state.base_url}/websub>; rel="hub", <{request.url}>; rel="self"'
            )
        cache = feed_cache_control(spec, page, text)
        if media_type == ATOM_TYPE and is_browser(request):
            # A person, not a reader: the feed as a page, made with the stylesheet the
            # document names (feed.xsl) here rather than in the browser, which shows
            # Atom as text and is dropping XSLT
            atom = rendered.body
            page_key = ("feed-page", request.path_params["path"], text or "", base)
            rendered_page = self.state.rendered(page_key, lambda: feed_page(atom))
            assert rendered_page is not None
            return send(request, rendered_page, "text/html; charset=utf-8", extra, cache=cache)
        return send(request, rendered, media_type, extra, cache=cache)

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
        return send(request, rendered, OPML_TYPE)
