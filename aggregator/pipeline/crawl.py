"""Read one target of a source: a feed, or a listing page with its pages (bounded)
and the detail pages of new items.

Politeness is built into the walk: page 2 is only fetched when everything on
page 1 was new (otherwise we have caught up), a loop of pagination links is
noticed, and a detail page is fetched once per new item, never again unless the
listing shows that the item changed. Sites that serve the other kind of document
than configured (HTML at a feed URL, a feed at a listing URL) are read anyway
and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from aggregator.config.schema import PageTarget
from aggregator.core.kinds import GUESSED, Confidence, Failure, FoundBy, Status
from aggregator.core.model import DetailQueueChange, Entry, FetchOutcome, Item, QueuedDetail
from aggregator.errors import FetchError, HTTPStatusFailed, ParseError, WorkerError
from aggregator.fetch.client import Fetched
from aggregator.normalize.entries import canonical_or_none
from aggregator.parse.feeds import looks_like_feed, looks_like_html
from aggregator.parse.listings import SINGLE_RELEASE, listing_identity
from aggregator.pipeline.attempt import Attempt, attempt, failure
from aggregator.pipeline.decide import keep_paging, needs_detail
from aggregator.pipeline.ports import Refresh
from aggregator.worker.tasks import (
    FeedReading,
    ListingReading,
    Origin,
    read_detail_page,
    read_feed_document,
    read_listing_page,
)

MAX_DETAILS_PER_REFRESH = 30
# The first refresh of a listing reads every detail page its new items need (paced per
# host like every request): an undated listing's items would otherwise wait five more
# refreshes for their dates. Later refreshes stay at MAX_DETAILS_PER_REFRESH.
MAX_DETAILS_FIRST_REFRESH = 500
# A press listing shows 10 to 100 releases a page; a page of 50,000 links is a site gone
# wrong (or hostile): its first MAX_ITEMS_PER_PAGE are read, and the source is flagged.
MAX_ITEMS_PER_PAGE = 500


@dataclass
class TargetResult:
    outcomes: list[FetchOutcome] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    queued: list[QueuedDetail] = field(default_factory=list)  # detail pages left for later
    read: list[str] = field(default_factory=list)  # keys whose queued page was read
    failed: list[str] = field(default_factory=list)  # keys whose queued page failed again

    @property
    def details(self) -> DetailQueueChange:
        return DetailQueueChange(tuple(self.queued), tuple(self.read), tuple(self.failed))

    def moved(self, done: Attempt) -> None:
        if done.moved_to:
            self.notes.append(
                f"{done.url} moved permanently to {done.moved_to}; update sources.yaml"
            )


@dataclass
class _Found:
    entry: Entry
    item: Item
    base: str  # the listing's base URL, against which the entry's links resolve
    known: bool  # already stored
    needs_detail: bool


def _origin(fetched_from: str, ctx: Refresh) -> Origin:
    return Origin(ctx.source.id, fetched_from, ctx.now)


# A feed up to this size is read in the event loop's process: a few milliseconds of
# lxml and normalising, about what the round trip to a worker costs, and a list of feeds
# alone then starts no worker at all. Larger feeds, and HTML pages (BeautifulSoup is most
# of a refresh's CPU), are read by the workers, so that none holds up the event loop.
INLINE_FEED_BYTES = 256 * 1024


async def _read_feed(response: Fetched, fetched_from: str, ctx: Refresh) -> FeedReading:
    """Parse and normalise a feed document, here or where the offload runs it; raises
    ParseError."""
    origin = _origin(fetched_from, ctx)
    document = (response.body, response.headers, response.final_url, origin)
    if len(response.body) <= INLINE_FEED_BYTES:
        return read_feed_document(*document)
    return await ctx.parsing.run(read_feed_document, *document)


async def _advertised_feed(
    response: Fetched, url: str, ctx: Refresh
) -> tuple[str, FeedReading] | None:
    """HTML where a feed was expected: the first feed the page advertises, read."""
    from aggregator.parse.discover import advertised_feeds  # the HTML stack, seldom needed
    from aggregator.parse.html import make_soup

    for link in advertised_feeds(make_soup(response.body, response.headers), response.final_url):
        try:
            fetched = await ctx.http.get(link.url, timeouts=ctx.policy.timeouts)
            if isinstance(fetched, Fetched):
                return link.url, await _read_feed(fetched, url, ctx)
        except (FetchError, ParseError, WorkerError):
            continue
    return None


async def read_feed(url: str, ctx: Refresh) -> TargetResult:
    """The items of one feed (none when it is unchanged or failed), with its outcome."""
    result = TargetResult()
    done = await attempt(url, ctx)
    result.moved(done)
    if done.failure:
        result.outcomes.append(done.failure)
        return result
    response = done.response
    if not isinstance(response, Fetched):
        result.outcomes.append(done.outcome(Status.NOT_MODIFIED, "304 Not Modified"))
        return result
    try:
        reading = await _read_feed(response, url, ctx)
        message = ""
    except WorkerError as exc:
        result.outcomes.append(failure(url, ctx, Failure.WORKER, str(exc), done.elapsed_ms))
        return result
    except ParseError as exc:
        html = looks_like_html(response.body)
        found = await _advertised_feed(response, url, ctx) if html else None
        if found is None:
            kind, message = (
                (Failure.NOT_A_FEED, "HTML instead of a feed") if html else (Failure.PARSE, "")
            )
            message = f"{message}: {exc}" if message else str(exc)
            result.outcomes.append(failure(url, ctx, kind, message, done.elapsed_ms))
            return result
        feed_url, reading = found
        message = f"; HTML instead of a feed: read the feed it advertises, {feed_url}"
        result.notes.append(f"{url} serves HTML; it advertises {feed_url}: update sources.yaml")
    result.items = reading.items
    result.notes.extend(reading.notes)
    result.outcomes.append(
        done.outcome(Status.OK, f"{len(result.items)} items{message}", len(result.items))
    )
    return result


def _report(listing: ListingReading, count: int) -> str:
    guessed = listing.how in GUESSED or listing.how is FoundBy.SINGLE_RELEASE
    return listing.method if guessed else f"{listing.method}: {count} items"


def _empty_listing_message(listing: ListingReading) -> str:
    method = listing.method
    if listing.how is FoundBy.SINGLE_RELEASE:
        return SINGLE_RELEASE
    if listing.how in GUESSED:
        return "found no press items without configuration; set a preset or selectors"
    return f"selectors matched 0 items ({method}); has the page changed its markup?"


async def crawl_listing(target: PageTarget, ctx: Refresh) -> TargetResult:
    """Items of one listing target, with one outcome per listing page fetched."""
    result = TargetResult()
    found: list[_Found] = []
    url: str | None = target.url
    visited: set[str] = set()
    shape = None
    first_refresh = False
    for page_number in range(1, target.max_pages + 1):
        if url is None:
            break
        if listing_identity(url) in visited:
            result.notes.append(f"pagination of {target.url} leads back to {url}; stopped")
            break
        visited.add(listing_identity(url))
        done = await attempt(url, ctx)
        result.moved(done)
        if done.failure:
            result.outcomes.append(done.failure)
            break
        response = done.response
        if not isinstance(response, Fetched):
            result.outcomes.append(done.outcome(Status.NOT_MODIFIED, "304 Not Modified"))
            break
        if looks_like_feed(response.body):
            return await _listing_is_a_feed(target, done, response, ctx, result)
        earlier = done.state if page_number == 1 else None
        known = earlier.listing_shape if earlier is not None else None
        first_refresh = first_refresh or (page_number == 1 and earlier is None)
        try:
            listing = await ctx.parsing.run(
                read_listing_page,
                response.body,
                response.headers,
                response.final_url,
                target,
                shape,
                _origin(target.url, ctx),
                known,
            )
        except (ParseError, WorkerError) as exc:
            kind = Failure.WORKER if isinstance(exc, WorkerError) else Failure.PARSE
            result.outcomes.append(failure(url, ctx, kind, str(exc), done.elapsed_ms))
            break
        shape = listing.shape
        result.notes.extend(note for note in listing.notes if note not in result.notes)
        if not listing.found and page_number == 1:
            message = _empty_listing_message(listing)
            result.outcomes.append(failure(url, ctx, Failure.NO_ITEMS, message, done.elapsed_ms))
            break
        flood = _flood(listing, url, result)
        page_found = _listing_items(listing.found[:MAX_ITEMS_PER_PAGE], listing.base, target, ctx)
        found.extend(page_found)
        count = len(page_found)
        outcome = done.outcome(Status.OK, _report(listing, count) + flood, count)
        shape_known = page_number == 1 and _worth_remembering(listing)
        outcome = replace(
            outcome, found_by=listing.how, listing_shape=listing.shape if shape_known else None
        )
        result.outcomes.append(outcome)
        if not keep_paging([f.known for f in page_found], listing.next_url):
            break  # caught up with what we have, or the listing ends here
        url = listing.next_url
    budget = MAX_DETAILS_FIRST_REFRESH if first_refresh else MAX_DETAILS_PER_REFRESH
    result.items = await _with_details(found, target, ctx, result, budget)
    return result


def _flood(listing: ListingReading, url: str, result: TargetResult) -> str:
    """What to say of a page with more items than a press listing has ('' if none);
    also said in the refresh's notes."""
    if len(listing.found) <= MAX_ITEMS_PER_PAGE:
        return ""
    said = (
        f"; the page lists {len(listing.found)} items, far more than a press listing: "
        f"only the first {MAX_ITEMS_PER_PAGE} read, check the page"
    )
    result.notes.append(url + said)
    return said


REMEMBER_FROM = 3  # items a confident guess found before its shape is remembered


def _worth_remembering(listing: ListingReading) -> bool:
    """A shape the heuristic found on its own, surely or likely, with several items: on
    a later refresh it reads the page even when a single item is left."""
    confident = listing.confidence in (Confidence.SURE, Confidence.LIKELY)
    return confident and listing.shape is not None and len(listing.found) >= REMEMBER_FROM


async def _listing_is_a_feed(
    target: PageTarget, done: Attempt, response: Fetched, ctx: Refresh, result: TargetResult
) -> TargetResult:
    try:
        reading = await _read_feed(response, target.url, ctx)
    except (ParseError, WorkerError) as exc:
        kind = Failure.WORKER if isinstance(exc, WorkerError) else Failure.PARSE
        result.outcomes.append(failure(target.url, ctx, kind, str(exc)))
        return result
    result.items = reading.items
    result.notes.extend(reading.notes)
    result.notes.append(f"{target.url} is a feed; list it under feeds: in sources.yaml")
    count = len(result.items)
    result.outcomes.append(
        done.outcome(Status.OK, f"a feed at a listing URL: {count} items", count)
    )
    return result


def _listing_items(
    pairs: list[tuple[Entry, Item]], base: str, target: PageTarget, ctx: Refresh
) -> list[_Found]:
    found = []
    for entry, item in pairs:
        stored = ctx.memory.stored_fingerprint(item)
        detail = needs_detail(
            bool(item.url), target.follow, item.date_is_guess, stored, item.fingerprint
        )
        found.append(_Found(entry, item, base, stored is not None, detail))
    return found


async def _with_details(
    found: list[_Found], target: PageTarget, ctx: Refresh, result: TargetResult, cap: int
) -> list[Item]:
    """Read the detail pages of new items (full text, and the date a listing lacks),
    those that earlier refreshes left in the queue first. What the budget does not
    cover waits in the queue for the next refresh, so every item's page is read once."""
    items = []
    budget = cap
    fresh = {each.item.key for each in found if each.needs_detail}
    for waiting in ctx.memory.queued_details(ctx.source.id, target.url, budget):
        if waiting.key in fresh:
            continue  # on the listing again, new or changed: read below
        budget -= 1
        item, read = await _detail(waiting.entry, waiting.base, target, ctx, result)
        (result.read if read else result.failed).append(waiting.key)
        if item is not None:
            items.append(item)
    left = 0
    progress = _Progress(ctx, target.url, min(budget, sum(each.needs_detail for each in found)))
    for each in found:
        if not each.needs_detail:
            items.append(each.item)
            continue
        if budget == 0:
            left += 1
            items.append(each.item)
            result.queued.append(QueuedDetail(each.item.key, target.url, each.entry, each.base))
            continue
        budget -= 1
        item, read = await _detail(each.entry, each.base, target, ctx, result)
        progress.step()
        items.append(item if item is not None else each.item)
        if read:
            result.read.append(each.item.key)  # no longer waiting, if it was
        else:
            result.queued.append(QueuedDetail(each.item.key, target.url, each.entry, each.base))
    if left:
        result.notes.append(
            f"detail pages capped at {cap} per refresh; {left} queued for the next refreshes"
        )
    return items


PROGRESS_FROM = 20  # detail pages to read before a refresh says how far it is
PROGRESS_EVERY = 25


class _Progress:
    """Says how far the reading of many detail pages is (paced per host, 150 pages take
    minutes): once at the start, then every PROGRESS_EVERY pages."""

    def __init__(self, ctx: Refresh, listing: str, total: int) -> None:
        self.ctx, self.total, self.done = ctx, total, 0
        if total >= PROGRESS_FROM:
            ctx.say(f"{ctx.source.id}: reading {total} detail pages of {listing} (dates, texts)")

    def step(self) -> None:
        self.done += 1
        if self.total >= PROGRESS_FROM and self.done % PROGRESS_EVERY == 0:
            self.ctx.say(f"{self.ctx.source.id}: {self.done} of {self.total} detail pages read")


async def _detail(
    entry: Entry, base: str, target: PageTarget, ctx: Refresh, result: TargetResult
) -> tuple[Item | None, bool]:
    """The entry completed by its detail page (its date, and its text: the page has
    been paid for), and whether it was read (False: it could not be fetched now; try
    again later)."""
    url = canonical_or_none(entry.link, base) if entry.link else None
    if url is None:
        return None, True
    try:
        response = await ctx.http.get(url, timeouts=ctx.policy.timeouts)
    except FetchError as exc:
        result.notes.append(f"detail page {url} failed ({exc}); kept the listing entry")
        gone = isinstance(exc, HTTPStatusFailed) and 400 <= exc.status < 500
        return None, gone  # a missing page stays missing; anything else: try again later
    if not isinstance(response, Fetched):
        return None, True
    try:
        item, notes = await ctx.parsing.run(
            read_detail_page,
            response.body,
            response.headers,
            response.final_url,
            entry,
            base,
            True,
            _origin(target.url, ctx),
        )
    except (ParseError, WorkerError) as exc:
        result.notes.append(f"detail page {url} could not be read ({exc}); kept the listing entry")
        return None, True
    result.notes.extend(notes)
    return item, True
