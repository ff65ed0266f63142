"""One fetched document -> normalised Items, in a single pure step.

Parsing and normalising are most of a refresh's CPU. Bundled per document, with
plain picklable arguments and results, they can run in a worker process (see
offload.py) while the event loop goes on fetching; the crawl keeps the decisions
that need the store or the network.

The HTML readers (BeautifulSoup, soupsieve and ours, a fifth of a second to import)
are imported by the functions that use them: the process that fetches refers to these
functions, and with workers it never runs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from aggregator.config.schema import PageTarget
from aggregator.core.kinds import Confidence, DatedBy, FoundBy
from aggregator.core.model import Entry, Item
from aggregator.normalize.entries import normalize_entry
from aggregator.parse.feeds import parse_feed
from aggregator.parse.titles import better_title

if TYPE_CHECKING:
    from aggregator.parse.heuristic import Shape


@dataclass(frozen=True)
class Origin:
    """Whose document it is and when it was read: what normalising needs besides it."""

    source_id: str
    fetched_from: str  # the configured URL the items are credited to
    now: datetime


@dataclass
class FeedReading:
    items: list[Item]
    notes: list[str] = field(default_factory=list)


@dataclass
class ListingReading:
    found: list[tuple[Entry, Item]]  # each entry with its item, for detail pages later
    next_url: str | None
    method: str
    base: str
    shape: Shape | None
    notes: list[str] = field(default_factory=list)
    confidence: Confidence | None = None  # of a fresh guess by the heuristic
    how: FoundBy = FoundBy.HEURISTIC


def _normalised(
    entry: Entry, base: str, origin: Origin, notes: list[str], dated_by: DatedBy
) -> Item | None:
    item, entry_notes = normalize_entry(
        entry,
        source_id=origin.source_id,
        base_url=base,
        fetched_from=origin.fetched_from,
        now=origin.now,
        dated_by=dated_by,
    )
    notes.extend(entry_notes)
    return item


def read_feed_document(
    body: bytes, headers: Mapping[str, str], url: str, origin: Origin
) -> FeedReading:
    """The items of a feed document; a GUID repeated in one document counts once.
    Raises ParseError."""
    entries, base = parse_feed(body, headers, url)
    notes: list[str] = []
    items: dict[str, Item] = {}
    for entry in entries:
        item = _normalised(entry, base, origin, notes, DatedBy.FEED)
        if item is not None:
            items.setdefault(item.key, item)
    return FeedReading(list(items.values()), notes)


def read_listing_page(
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    target: PageTarget,
    shape: Shape | None,
    origin: Origin,
    known_shape: Shape | None = None,
) -> ListingReading:
    """The items of one listing page, the link to the next, and how they were found.
    `shape` comes from the previous page, `known_shape` from this page at an earlier
    refresh."""
    from aggregator.parse.pages import parse_listing  # see the module's docstring

    listing = parse_listing(body, headers, url, target, shape, known_shape=known_shape)
    notes: list[str] = list(listing.notes)
    found = [
        (entry, item)
        for entry in listing.entries
        if (item := _normalised(entry, listing.base, origin, notes, DatedBy.LISTING)) is not None
    ]
    return ListingReading(
        found,
        listing.next_url,
        listing.method,
        listing.base,
        listing.shape,
        notes,
        listing.confidence,
        listing.how,
    )


def read_detail_page(
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    entry: Entry,
    base: str,
    full_text: bool,
    origin: Origin,
) -> tuple[Item | None, list[str]]:
    """A listing entry completed by its own page: the full text (if wanted) and the
    date the listing lacked."""
    from aggregator.parse.detail import extract_detail  # see the module's docstring

    detail = extract_detail(body, headers, url)
    completed = replace(
        entry,
        title=better_title(entry.title, detail.title),
        content_html=detail.content_html if full_text else None,
        published=entry.published or detail.published,
    )
    notes: list[str] = []
    dated_by = DatedBy.LISTING
    if entry.published is None and "revision metadata" in detail.dated_by:
        notes.append(f"{url}: dated by {detail.dated_by}")  # the weakest source: say so
        dated_by = DatedBy.METADATA
    elif entry.published is None:
        dated_by = DatedBy.PAGE
    item = _normalised(completed, base, origin, notes, dated_by)
    listed = _normalised(entry, base, origin, [], DatedBy.LISTING)
    if item is not None and listed is not None:
        # identity and change detection stay the listing's: the next refresh sees the
        # listing's (cut) title again, and must not take the item for a changed one
        item = replace(item, fingerprint=listed.fingerprint)
    return item, notes
