"""Read one target of a source: a feed, or a listing page with its pages (bounded)
and the detail pages of new items.

Politeness is built into the walk: page 2 is only fetched when everything on
page 1 was new (otherwise we have caught up), a loop of pagination links is
noticed, and a detail page is fetched once per new item, never again unless the
listing shows that the item changed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime

from aggregator.fetch import Fetched, Fetcher, FetchError, NotModified
from aggregator.model import Config, Entry, FetchOutcome, Item, PageTarget, Source
from aggregator.normalize import normalize_entry
from aggregator.parse import ParseError
from aggregator.parse.detail import extract_detail
from aggregator.parse.feeds import parse_feed
from aggregator.parse.pages import listing_identity, parse_listing
from aggregator.store import Store

MAX_DETAILS_PER_REFRESH = 30


@dataclass
class TargetResult:
    outcomes: list[FetchOutcome] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Found:
    entry: Entry
    item: Item
    base: str  # the listing's base URL, against which the entry's links resolve
    known: bool  # already stored
    needs_detail: bool


async def conditional_get(
    fetcher: Fetcher, store: Store, url: str, source: Source, config: Config
) -> tuple[Fetched | NotModified | FetchError, int]:
    """GET with the validators stored for `url`; the failure as a value; and the time taken."""
    state = store.fetch_state(url)
    started = time.monotonic()
    try:
        response = await fetcher.get(
            url,
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
            timeout=config.timeout(source),
        )
    except FetchError as exc:
        response = exc
    return response, int((time.monotonic() - started) * 1000)


def _feed_items(
    entries: list[Entry], source: Source, base: str, fetched_from: str, now: datetime
) -> tuple[list[Item], list[str]]:
    items: dict[str, Item] = {}
    notes: list[str] = []
    for entry in entries:
        item, entry_notes = normalize_entry(
            entry, source_id=source.id, base_url=base, fetched_from=fetched_from, now=now
        )
        notes.extend(entry_notes)
        if item is not None:
            items.setdefault(item.key, item)  # a repeated GUID in one document counts once
    return list(items.values()), notes


async def read_feed(
    url: str, source: Source, config: Config, fetcher: Fetcher, store: Store, now: datetime
) -> TargetResult:
    """The items of one feed (none when it is unchanged or failed), with its outcome."""
    result = TargetResult()
    response, elapsed = await conditional_get(fetcher, store, url, source, config)
    if isinstance(response, FetchError):
        outcome = FetchOutcome(url, "error", str(response), response.kind, duration_ms=elapsed)
    elif isinstance(response, NotModified):
        outcome = FetchOutcome(url, "not-modified", "304 Not Modified", duration_ms=elapsed)
    else:
        try:
            entries, base = parse_feed(response.body, response.headers, response.final_url)
        except ParseError as exc:
            outcome = FetchOutcome(url, "error", str(exc), "ParseError", duration_ms=elapsed)
        else:
            result.items, result.notes = _feed_items(entries, source, base, url, now)
            count = len(result.items)
            outcome = FetchOutcome(
                url, "ok", f"{count} items", etag=response.etag,
                last_modified=response.last_modified, moved_to=response.moved_to,
                duration_ms=elapsed, items_found=count,
            )  # fmt: skip
    result.outcomes.append(outcome)
    return result


def _report(method: str, count: int) -> str:
    return method if method.startswith("heuristic") else f"{method}: {count} items"


def _empty_listing_message(method: str) -> str:
    if method.startswith("heuristic"):
        return "found no press items without configuration; set a preset or selectors"
    return f"selectors matched 0 items ({method}); has the page changed its markup?"


async def crawl_listing(
    target: PageTarget,
    source: Source,
    config: Config,
    fetcher: Fetcher,
    store: Store,
    now: datetime,
) -> TargetResult:
    """Items of one listing target, with one outcome per listing page fetched."""
    result = TargetResult()
    found: list[_Found] = []
    url: str | None = target.url
    visited: set[str] = set()
    shape = None
    for page_number in range(1, target.max_pages + 1):
        if url is None:
            break
        if listing_identity(url) in visited:
            result.notes.append(f"pagination of {target.url} leads back to {url}; stopped")
            break
        visited.add(listing_identity(url))
        response, elapsed = await conditional_get(fetcher, store, url, source, config)
        if isinstance(response, FetchError):
            outcome = FetchOutcome(url, "error", str(response), response.kind, duration_ms=elapsed)
            result.outcomes.append(outcome)
            break
        if isinstance(response, NotModified):
            result.outcomes.append(FetchOutcome(url, "not-modified", "304", duration_ms=elapsed))
            break
        listing = parse_listing(response.body, response.headers, response.final_url, target, shape)
        shape = listing.shape
        if not listing.entries and page_number == 1:
            message = _empty_listing_message(listing.method)
            result.outcomes.append(
                FetchOutcome(url, "error", message, "NoItems", duration_ms=elapsed)
            )
            break
        page_found = _normalise(listing.entries, listing.base, source, target, store, now, result)
        found.extend(page_found)
        result.outcomes.append(
            FetchOutcome(
                url, "ok", _report(listing.method, len(page_found)),
                etag=response.etag, last_modified=response.last_modified,
                moved_to=response.moved_to, duration_ms=elapsed, items_found=len(page_found),
            )
        )  # fmt: skip
        caught_up = any(f.known for f in page_found)
        if caught_up or not page_found:
            break
        url = listing.next_url
    result.items = await _with_details(found, target, source, config, fetcher, now, result)
    return result


def _normalise(
    entries: list[Entry],
    base: str,
    source: Source,
    target: PageTarget,
    store: Store,
    now: datetime,
    result: TargetResult,
) -> list[_Found]:
    found = []
    for entry in entries:
        item, notes = normalize_entry(
            entry, source_id=source.id, base_url=base, fetched_from=target.url, now=now
        )
        result.notes.extend(notes)
        if item is None:
            continue
        stored = store.stored_fingerprint(item)
        is_new_or_changed = stored is None or stored != item.fingerprint
        wants_detail = target.follow or item.date_is_guess
        needs_detail = bool(item.url) and wants_detail and is_new_or_changed
        found.append(_Found(entry, item, base, stored is not None, needs_detail))
    return found


async def _with_details(
    found: list[_Found],
    target: PageTarget,
    source: Source,
    config: Config,
    fetcher: Fetcher,
    now: datetime,
    result: TargetResult,
) -> list[Item]:
    """Read the detail pages of new items: full text, and the date a listing lacks."""
    items = []
    budget = MAX_DETAILS_PER_REFRESH
    for each in found:
        if not each.needs_detail or each.item.url is None:
            items.append(each.item)
            continue
        if budget == 0:
            result.notes.append(f"detail pages capped at {MAX_DETAILS_PER_REFRESH} per refresh")
            items.append(each.item)
            continue
        budget -= 1
        items.append(await _detail(each, target, source, config, fetcher, now, result))
    return items


async def _detail(
    each: _Found,
    target: PageTarget,
    source: Source,
    config: Config,
    fetcher: Fetcher,
    now: datetime,
    result: TargetResult,
) -> Item:
    url = each.item.url
    assert url is not None
    try:
        response = await fetcher.get(url, timeout=config.timeout(source))
    except FetchError as exc:
        result.notes.append(f"detail page {url} failed ({exc}); kept the listing entry")
        return each.item
    if not isinstance(response, Fetched):
        return each.item
    detail = extract_detail(response.body, response.headers, response.final_url)
    entry = replace(
        each.entry,
        content_html=detail.content_html if target.follow else None,
        published=each.entry.published or detail.published,
    )
    item, notes = normalize_entry(
        entry, source_id=source.id, base_url=each.base, fetched_from=target.url, now=now
    )
    result.notes.extend(notes)
    return item or each.item
