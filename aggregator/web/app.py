"""The HTTP edge put together: the routes of the feeds (web.feeds), the pages
(web.pages), the editors' pages (web.editing), health and metrics, behind the security
headers and, for a private service, the access check (web.private).

Feed readers poll often and mostly get nothing new, so a feed document is
rendered (and gzipped) once per change of the database and kept; requests are
answered from that cache with a strong ETag, Last-Modified and 304s (web.responses).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from aggregator.web.editing import Editing
from aggregator.web.feeds import FeedPages
from aggregator.web.feedview import STATIC
from aggregator.web.pages import Pages
from aggregator.web.private import PrivateAccess
from aggregator.web.requests import guarded
from aggregator.web.responses import (
    SecurityHeaders,
)
from aggregator.web.state import AppState


def create_app(state: AppState) -> Starlette:
    pages, feeds = Pages(state), FeedPages(state)
    editing = Editing(state, pages.templates)
    return Starlette(
        routes=[
            Route("/", guarded(state, "dashboard", pages.dashboard)),
            Route("/login", guarded(state, "login", editing.login_page), methods=["GET"]),
            Route("/login", guarded(state, "login", editing.login), methods=["POST"]),
            Route("/logout", guarded(state, "logout", editing.logout), methods=["POST"]),
            Route("/item", guarded(state, "item", editing.item)),
            Route("/curate", guarded(state, "curate", editing.decide), methods=["POST"]),
            Route("/feeds/{path:path}", guarded(state, "feed", feeds.feed)),
            Route("/campaigns/{path:path}", guarded(state, "export", pages.export)),
            Route("/sources.opml", guarded(state, "opml", feeds.opml)),
            Route("/websub", guarded(state, "websub", feeds.websub), methods=["POST"]),
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
