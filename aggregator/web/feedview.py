"""A feed opened in a browser: the Atom document turned into a page with feed.xsl, here
rather than in the browser (which shows Atom as text and is dropping XSLT)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree
from starlette.requests import Request

STATIC = Path(__file__).parent / "static"


@cache
def _feed_view() -> etree.XSLT:
    return etree.XSLT(etree.parse(str(STATIC / "feed.xsl")))


def feed_page(atom: bytes) -> bytes:
    """An Atom document of ours as the page a browser shows (feed.xsl, applied here)."""
    result = _feed_view()(etree.fromstring(atom))
    page: bytes = etree.tostring(result, method="html", encoding="utf-8", doctype="<!DOCTYPE html>")
    return page


def is_browser(request: Request) -> bool:
    """A person's browser opening a feed, not a feed reader: browsers mark a page they
    navigate to (Sec-Fetch-Dest: document) and ask for HTML; readers do neither, even
    those that send a browser-like Accept."""
    accept = request.headers.get("accept", "")
    navigating = request.headers.get("sec-fetch-dest") == "document"
    return navigating and "text/html" in accept and "application/atom+xml" not in accept
