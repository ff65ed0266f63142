"""Look at a site once, for the operator: which feeds it offers and how to read its
press page. Used by `aggregator sources discover`."""

from __future__ import annotations

from dataclasses import dataclass, field

from aggregator.fetch import Fetched, Fetcher, FetchError
from aggregator.parse.discover import (
    FeedLink,
    PageProposal,
    advertised_feeds,
    candidate_feed_urls,
    propose_page,
)
from aggregator.parse.feeds import looks_like_feed
from aggregator.parse.html import make_soup

MAX_CANDIDATES = 8


@dataclass
class Discovery:
    url: str
    advertised: list[FeedLink] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # feeds at common places, verified
    proposal: PageProposal | None = None
    error: str | None = None
    is_feed: bool = False


async def _is_feed(fetcher: Fetcher, url: str) -> bool:
    try:
        response = await fetcher.get(url)
    except FetchError:
        return False
    return isinstance(response, Fetched) and looks_like_feed(response.body)


async def discover(url: str, fetcher: Fetcher) -> Discovery:
    """Fetch `url` and everything worth knowing about it as a source."""
    result = Discovery(url)
    try:
        response = await fetcher.get(url)
    except FetchError as exc:
        result.error = f"{exc.kind}: {exc}"
        return result
    assert isinstance(response, Fetched)
    if looks_like_feed(response.body):
        result.is_feed = True
        return result
    soup = make_soup(response.body, response.headers)
    result.advertised = advertised_feeds(soup, response.final_url)
    if not result.advertised:
        for candidate in candidate_feed_urls(response.final_url, soup)[:MAX_CANDIDATES]:
            if await _is_feed(fetcher, candidate):
                result.found.append(candidate)
    result.proposal = propose_page(response.body, response.headers, response.final_url)
    return result
