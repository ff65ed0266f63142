"""What the crawl knows of listing pages without reading one: a listing URL's identity
(to notice a loop of pages) and the note for a page that is one release. Kept apart
from pages.py so that the process that fetches need not import the HTML readers."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SINGLE_RELEASE = (
    "this page is a single release, not a listing (lists on it point at related pages); "
    "configure the press listing it belongs to"
)


def listing_identity(url: str) -> str:
    """A listing URL with repeated parameters folded (some CMS append them page after page)."""
    parts = urlsplit(url)
    folded = dict(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(query=urlencode(sorted(folded.items()), safe="[]/,:")))
