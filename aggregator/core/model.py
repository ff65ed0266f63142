"""The plain types that flow through the pipeline: what a parser saw (Entry), what is
stored (Item, StoredItem), what a request came to (FetchOutcome, FetchState), and the
Länder. Pure data: no I/O, no clock, nothing else of the project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aggregator.core.kinds import DatedBy, Failure, FoundBy, Status

LAND_CODES: dict[str, str] = {
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "BE": "Berlin",
    "BB": "Brandenburg",
    "HB": "Bremen",
    "HH": "Hamburg",
    "HE": "Hessen",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}
# The first two digits of an official key (AGS) name the Land.
AGS_LANDS: dict[str, str] = {
    "01": "SH",
    "02": "HH",
    "03": "NI",
    "04": "HB",
    "05": "NW",
    "06": "HE",
    "07": "RP",
    "08": "BW",
    "09": "BY",
    "10": "SL",
    "11": "BE",
    "12": "BB",
    "13": "MV",
    "14": "SN",
    "15": "ST",
    "16": "TH",
}


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds: for the whole request, for connecting, and between two reads."""

    total: float
    connect: float
    read: float


@dataclass(frozen=True, slots=True)
class Entry:
    """One item as a parser saw it, before normalisation."""

    title: str
    link: str | None
    guid: str | None = None
    guid_is_permalink: bool = False
    published: datetime | None = None
    updated: datetime | None = None
    summary_html: str | None = None
    content_html: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """A normalised item, ready to store. Datetimes are aware UTC."""

    source_id: str
    key: str
    url: str | None
    title: str
    summary_html: str
    summary_text: str
    content_html: str
    published: datetime
    date_is_guess: bool
    fingerprint: str
    fetched_from: str
    guid: str | None = None
    dated_by: DatedBy = DatedBy.UNKNOWN  # where `published` came from


@dataclass(slots=True)
class FetchState:
    """What we remember about one fetched URL between refreshes."""

    url: str
    source_id: str
    etag: str | None = None
    last_modified: str | None = None
    last_status: Status | None = None
    last_error: str | None = None
    last_error_kind: Failure | None = None
    last_message: str | None = None
    consecutive_failures: int = 0
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    next_attempt: datetime | None = None  # set while backing off
    moved_to: str | None = None  # where a permanent redirect led; used from then on
    gone: bool = False  # answered 410: no longer polled
    # the item shape the heuristic found here with confidence: (parent, block) signatures
    listing_shape: tuple[str, str] | None = None
    found_by: FoundBy | None = None


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item as the store knows it: when it was first seen and last changed.

    `updated` starts as the published time and moves only when the text changes.
    """

    item: Item
    first_seen: datetime
    updated: datetime
    campaigns: tuple[str, ...] = ()  # ids of the campaigns it belongs to
    group_id: str | None = None  # near-duplicate group across sources
    related: tuple[str, ...] = ()  # links of the first few other members of its group
    group_size: int = 1  # members of its group, itself included


@dataclass(frozen=True, slots=True)
class QueuedDetail:
    """A listing entry whose detail page is still to be read (the refresh that found it
    had spent its budget), with what reading it needs."""

    key: str
    target: str  # the configured listing URL
    entry: Entry
    base: str
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class DetailQueueChange:
    """What a refresh does to its source's queue: entries added, entries read (or given up)
    and entries tried without success."""

    add: tuple[QueuedDetail, ...] = ()
    done: tuple[str, ...] = ()  # keys
    failed: tuple[str, ...] = ()  # keys


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What one request of a refresh came to, for fetch state and history."""

    url: str
    status: Status
    message: str = ""
    error_kind: Failure | None = None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    duration_ms: int = 0
    items_found: int = 0
    next_attempt: datetime | None = None  # after a failure: not before then
    gone: bool = False
    listing_shape: tuple[str, str] | None = None  # to remember; None keeps the one known
    found_by: FoundBy | None = None  # how a listing page's items were found
    failures: int = 0  # failures of this URL in a row, this one included (0: it worked)
    http_status: int | None = None  # the status a failed request was answered with


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What storing one refresh did."""

    new: int = 0
    updated: int = 0
    held: int = 0  # new items held back from the feeds of many sources
    waiting: int = 0  # new items out of every output until their detail page is read
    released: int = 0  # waiting items let out: their page was read (or given up)


@dataclass(frozen=True)
class Resonance:
    """A press article and the jobcenter release it echoes (media resonance)."""

    article: StoredItem
    release: StoredItem
    score: float  # up to 2: the share of the release's text, and what the two share
    evidence: tuple[str, ...]
