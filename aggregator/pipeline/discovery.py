"""Look at a site: which feeds it offers and how to read its press page. Used by
`aggregator sources discover` and, for sources with only a homepage, by refreshes."""

from __future__ import annotations

from dataclasses import dataclass, field

from aggregator.core.kinds import Failure
from aggregator.errors import FetchError, HTTPStatusFailed
from aggregator.fetch.client import Fetched
from aggregator.parse.discover import (
    FeedLink,
    PageProposal,
    advertised_feeds,
    candidate_feed_urls,
    press_links,
    propose_page,
)
from aggregator.parse.feeds import looks_like_feed
from aggregator.parse.html import make_soup
from aggregator.pipeline.ports import Getter

MAX_CANDIDATES = 8


@dataclass
class Discovery:
    url: str
    advertised: list[FeedLink] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # feeds at common places, verified
    proposal: PageProposal | None = None
    error: str | None = None
    is_feed: bool = False


async def _is_feed(fetcher: Getter, url: str) -> bool:
    try:
        response = await fetcher.get(url)
    except FetchError:
        return False
    return isinstance(response, Fetched) and looks_like_feed(response.body)


async def discover(url: str, fetcher: Getter) -> Discovery:
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


@dataclass
class Targets:
    """Press targets found from a homepage: feeds and a listing page, as sources.yaml has them."""

    feeds: list[str] = field(default_factory=list)
    pages: list[dict[str, str | bool]] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    error: str | None = None  # why the start pages could not be read
    error_kind: Failure | None = None
    http_status: int | None = None  # what the start page answered, if it answered
    notes: list[str] = field(default_factory=list)  # for the operator: hints that failed

    @property
    def found(self) -> bool:
        return bool(self.feeds or self.pages)


MAX_PRESS_PAGES = 3  # press pages followed from one start page
MAX_FEED_GUESSES = 4  # common feed URLs tried when a site advertises none
MIN_HOMEPAGE_ITEMS = 3  # teasers on a homepage that make it the list of last resort


async def discover_targets(
    start_urls: list[str], fetcher: Getter, hints: tuple[str, ...] = ()
) -> Targets:
    """From a homepage (then the jobcenter's own site): advertised feeds, feeds at the
    common CMS places, and the press listing that reads best.

    `hints` are listings believed to exist (inferred from the paths of single releases):
    they are read first, and one that reads as a dated listing saves the search for
    press links. Bounded: the hints, then per start page the page itself, at most
    MAX_PRESS_PAGES press pages of the same host and MAX_FEED_GUESSES feed guesses; all
    through the polite fetcher.
    """
    result = Targets()
    best = await _read_hints(hints, result, fetcher)
    hinted = best is not None and best.dated > 0
    homepage: Fetched | None = None  # the first start page read, the list of last resort
    for start in start_urls:
        try:
            response = await fetcher.get(start)
        except FetchError as exc:
            result.error, result.error_kind = f"{start}: {exc}", exc.kind
            result.http_status = exc.status if isinstance(exc, HTTPStatusFailed) else None
            continue
        assert isinstance(response, Fetched)
        result.visited.append(start)
        if looks_like_feed(response.body):
            result.feeds.append(start)
            break
        homepage = homepage or response
        skip = None if hinted else set(hints)
        best = _best(best, await _search_start_page(response, result, fetcher, skip))
        if result.feeds or best:
            break  # the homepage answered; the jobcenter's own site is only a fallback
    if best:
        result.pages.append(best.entry)
    elif not result.feeds and homepage is not None:
        # No press section to be found: the press teasers on the homepage itself are the
        # list (the heuristic passes over menus, social-media posts and link lists).
        # every block of teasers, not only the best list (a lead, a grid, a list)
        teasers = propose_page(homepage.body, homepage.headers, homepage.final_url, True)
        if teasers is not None and teasers.items >= MIN_HOMEPAGE_ITEMS:
            result.pages.append(teasers.entry)
    if result.found:
        result.error = result.error_kind = None
    return result


def _best(best: PageProposal | None, proposal: PageProposal | None) -> PageProposal | None:
    if proposal and (best is None or _better(proposal, best)):
        return proposal
    return best


async def _read_hints(
    hints: tuple[str, ...], result: Targets, fetcher: Getter
) -> PageProposal | None:
    """The best of the hinted listings; a hint that reads as none is noted."""
    best: PageProposal | None = None
    for hint in hints:
        proposal = await _read_press_page(hint, result, fetcher)
        best = _best(best, proposal)
        if proposal is None and hint not in result.feeds:
            result.notes.append(f"hint {hint} is no listing (unreadable or no items): check it")
    return best


async def _search_start_page(
    response: Fetched, result: Targets, fetcher: Getter, skip: set[str] | None
) -> PageProposal | None:
    """From one start page: the feeds it advertises, the best of its press pages (not
    searched when `skip` is None: a hint already is a dated listing; the URLs in `skip`
    were read as hints), and, without an advertised feed, the first feed guess that is one."""
    soup = make_soup(response.body, response.headers)
    await _add_feeds(result, advertised_feeds(soup, response.final_url), fetcher)
    best: PageProposal | None = None
    links = [] if skip is None else press_links(soup, response.final_url, MAX_PRESS_PAGES)
    for page_url in (link for link in links if skip is None or link not in skip):
        best = _best(best, await _read_press_page(page_url, result, fetcher))
    if not result.feeds:
        for guess in candidate_feed_urls(response.final_url, soup)[:MAX_FEED_GUESSES]:
            if await _is_feed(fetcher, guess):
                result.feeds.append(guess)
                break
    return best


async def _read_press_page(url: str, result: Targets, fetcher: Getter) -> PageProposal | None:
    """A press page's own feeds (added to result) and how it reads as a dated listing."""
    try:
        page = await fetcher.get(url)
    except FetchError:
        return None
    assert isinstance(page, Fetched)
    result.visited.append(url)
    if looks_like_feed(page.body):
        if url not in result.feeds:
            result.feeds.append(url)
        return None
    soup = make_soup(page.body, page.headers)
    await _add_feeds(result, advertised_feeds(soup, page.final_url), fetcher)
    return propose_page(page.body, page.headers, page.final_url)


def _better(proposal: PageProposal, best: PageProposal) -> bool:
    """Dated items first (a listing that says when), then more items."""
    return (proposal.dated, proposal.items) > (best.dated, best.items)


async def _add_feeds(result: Targets, links: list[FeedLink], fetcher: Getter) -> None:
    for link in links:
        if link.url not in result.feeds and await _is_feed(fetcher, link.url):
            result.feeds.append(link.url)
