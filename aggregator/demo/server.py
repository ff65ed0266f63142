"""The demo's sample press sites on a loopback port: its pages served by the shared
loopback site, with a robots.txt that keeps crawlers out of one folder."""

from __future__ import annotations

from urllib.parse import unquote

from aggregator.demo.loopback import Answer, LoopbackSite
from aggregator.demo.sites import Page

ROBOTS = Page(b"User-agent: *\nDisallow: /intern/\n", "text/plain; charset=utf-8")


class SampleSites(LoopbackSite):
    """Serves `pages` (path with query -> Page) on 127.0.0.1 until stopped."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(self._page, host, port)
        self.pages: dict[str, Page] = {"/robots.txt": ROBOTS}

    def _page(self, path: str) -> Answer | None:
        page = self.pages.get(path) or self.pages.get(unquote(path))
        return Answer(page.body, page.content_type) if page is not None else None
