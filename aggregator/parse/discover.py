"""What a homepage or press page offers: advertised feeds, likely feed URLs, and how
to read it as a listing (a preset that fits, or selectors from the heuristic)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from aggregator.config.presets import PRESETS
from aggregator.config.schema import PageTarget
from aggregator.parse.html import base_url
from aggregator.parse.labels import label_rank
from aggregator.parse.pages import parse_listing

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/rdf+xml": "rdf",
    "application/feed+json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
# TYPO3 news' feed page type and tt_news' one, WordPress, and names many sites use.
_COMMON_QUERIES = ("type=9818", "type=100")
_COMMON_PATHS = ("feed/", "rss.xml", "feed.xml", "atom.xml", "rss/", "index.rss")


@dataclass(frozen=True)
class FeedLink:
    url: str
    kind: str
    title: str


@dataclass(frozen=True)
class PageProposal:
    """A `pages:` entry that reads the page, and how many dated items it found."""

    entry: dict[str, str | bool]
    items: int
    dated: int
    how: str


def advertised_feeds(soup: BeautifulSoup, page_url: str) -> list[FeedLink]:
    """`<link rel="alternate" type="application/rss+xml|atom+xml">` and kin, in page order."""
    base = base_url(soup, page_url)
    found: dict[str, FeedLink] = {}
    for link in soup.find_all("link", href=True):
        rel = {r.lower() for r in (link.get("rel") or [])}
        kind = FEED_TYPES.get(str(link.get("type") or "").split(";")[0].strip().lower())
        if "alternate" in rel and kind:
            url = urljoin(base, str(link["href"]))
            found.setdefault(url, FeedLink(url, kind, str(link.get("title") or "").strip()))
    return list(found.values())


def candidate_feed_urls(page_url: str, soup: BeautifulSoup) -> list[str]:
    """URLs where feeds usually live for this page, to be tried one by one."""
    parts = urlsplit(page_url)
    page_without_query = urlunsplit(parts._replace(query="", fragment=""))
    generator = soup.find("meta", attrs={"name": "generator"})
    is_typo3 = generator is not None and "typo3" in str(generator.get("content", "")).lower()
    candidates = [f"{page_without_query}?{query}" for query in _COMMON_QUERIES] if is_typo3 else []
    root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    directory = urljoin(page_without_query, "./")
    for folder in dict.fromkeys((directory, root)):
        candidates += [urljoin(folder, path) for path in _COMMON_PATHS]
    return list(dict.fromkeys(candidates))


def propose_page(
    body: bytes, headers: Mapping[str, str], url: str, homepage: bool = False
) -> PageProposal | None:
    """The preset that reads most dated items off this page; else the bare URL, which the
    heuristic reads, if it finds items; else None. A `homepage` read as the list is read
    for every block of teasers (all_teasers)."""
    best: PageProposal | None = None
    for name in PRESETS:
        target = PageTarget(url=url, preset=name)
        listing = parse_listing(body, headers, url, target, preset_fallback=False)
        dated = sum(1 for e in listing.entries if e.published and e.link)
        if dated >= 2 and (best is None or dated > best.dated):
            best = PageProposal(
                {"url": url, "preset": name}, len(listing.entries), dated, f"preset {name}"
            )
    if best is not None:
        return best
    listing = parse_listing(body, headers, url, PageTarget(url=url, all_teasers=homepage))
    if not listing.entries:
        return None
    dated = sum(1 for e in listing.entries if e.published)
    entry: dict[str, str | bool] = {"url": url} | ({"all_teasers": True} if homepage else {})
    return PageProposal(entry, len(listing.entries), dated, listing.method)


# Links that only switch a tab, sort, filter or print the page they are on.
_PAGE_STATE = re.compile(r"activetab|[?&](sort|order|print|druck|filter)\w*=", re.IGNORECASE)


def press_links(soup: BeautifulSoup, page_url: str, limit: int = 3) -> list[str]:
    """Links on the same host labelled like a press section, best label first."""
    base = base_url(soup, page_url)
    host = urlsplit(page_url).hostname
    ranked: dict[str, int] = {}
    for link in soup.find_all("a", href=True):
        label = " ".join(link.get_text(" ", strip=True).split()) or str(link.get("title") or "")
        rank = label_rank(label)
        if rank is None:
            continue
        url = urljoin(base, str(link["href"])).split("#")[0]
        if _PAGE_STATE.search(url) or url.rstrip("/") == page_url.split("#")[0].rstrip("/"):
            continue
        if urlsplit(url).hostname != host or urlsplit(url).scheme not in ("http", "https"):
            continue
        ranked[url] = min(rank, ranked.get(url, rank))
    return sorted(ranked, key=lambda url: ranked[url])[:limit]
