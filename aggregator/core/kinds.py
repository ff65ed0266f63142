"""The closed sets of values that say what happened: a request's status, why a URL
failed, how a listing's items were found. String enums, so that what the store keeps
(and what older stores hold) are the same strings as ever."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """What one request of a refresh came to (fetch_state.last_status); a whole source's
    refresh may also be PARTIAL (some of its URLs failed)."""

    OK = "ok"
    NOT_MODIFIED = "not-modified"
    ERROR = "error"
    SKIPPED = "skipped"
    PARTIAL = "partial"  # a source's refresh only, never one request


class Health(StrEnum):
    """A source's state as its health row says it (publish.health)."""

    OK = "ok"
    ERROR = "error"
    GONE = "gone"  # answered 410: no longer polled
    NEVER = "never fetched"


class Change(StrEnum):
    """What storing an item did (store.items.Upserted)."""

    NEW = "new"
    UPDATED = "updated"
    SAME = "same"


class Confidence(StrEnum):
    """How sure the listing heuristic is of its guess (parse.heuristic.Guess)."""

    SURE = "sure"  # most items dated, no close rival
    LIKELY = "likely"  # undated, or few
    WEAK = "weak"  # a rival scored almost as high: pin selectors


class DeliveryState(StrEnum):
    """Where one recipient's digest period stands (digest_deliveries.state)."""

    SENDING = "sending"
    SENT = "sent"
    EMPTY = "empty"
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # the sender died while the server took it


class Failure(StrEnum):
    """Why a URL failed (fetch_state.last_error_kind)."""

    # the HTTP edge: one per error class of fetch.client
    FETCH = "FetchError"
    TIMEOUT = "FetchTimeout"
    CONNECT = "ConnectFailed"
    DNS = "DNSFailed"
    TLS = "TLSFailed"
    TOO_LARGE = "TooLarge"
    REDIRECT = "RedirectFailed"
    ROBOTS_DISALLOWED = "RobotsDisallowed"
    ROBOTS_UNAVAILABLE = "RobotsUnavailable"
    HTTP_STATUS = "HTTPStatusFailed"
    GONE = "Gone"  # HTTP 410: no longer polled
    # reading what came back
    PARSE = "ParseError"
    NOT_A_FEED = "NotAFeed"  # HTML where a feed was configured, advertising none
    NO_ITEMS = "NoItems"  # a listing page on which nothing was recognised
    NOTHING_FOUND = "NothingFound"  # discovery found neither feed nor listing
    WORKER = "WorkerError"  # the process reading the document died
    INTERNAL = "InternalError"  # a bug, caught so that the other sources go on


class FoundBy(StrEnum):
    """How the items of a listing page were found (fetch_state.found_by)."""

    STRUCTURED = "structured data"  # JSON-LD or microdata
    SELECTORS = "selectors"  # the operator's own
    PRESET = "preset"  # the one configured
    RECOGNISED = "recognised preset"  # a product's markup on the page
    HEURISTIC = "heuristic"  # a guess
    REMEMBERED = "remembered shape"  # the shape a guess found at an earlier refresh
    SINGLE_RELEASE = "single release"  # none: the page is one release, not a listing


GUESSED = frozenset({FoundBy.HEURISTIC, FoundBy.REMEMBERED})


class DatedBy(StrEnum):
    """Where an item's publication date came from (items.dated_by), weakest last."""

    FEED = "feed"  # the feed entry's published (or updated) date
    LISTING = "listing"  # the date beside the item on the listing page
    PAGE = "page"  # the date the detail page shows: dateline, <time>, datePublished
    METADATA = "metadata"  # revision metadata of the detail page (dcterms.date …): no other
    FIRST_SEEN = "first-seen"  # none found: the time the item was first seen
    UNKNOWN = ""  # stored before this was recorded
    EDITOR = "editor"  # corrected by an editor


class Role(StrEnum):
    """What an account may do: read (when the service is private), or also decide."""

    EDITOR = "editor"
    VIEWER = "viewer"


class DecisionKind(StrEnum):
    """What an editor decided about an item (decisions.kind)."""

    EXCLUDE = "exclude"  # out of a campaign, whatever the rules say
    INCLUDE = "include"  # into a campaign the rules missed it for
    TITLE = "title"  # its title corrected
    DATE = "date"  # its publication date corrected
    ADD = "add"  # a release the source's pages did not yield, read from its address
    SPLIT = "split"  # out of its joint-release group
    MERGE = "merge"  # into the joint-release group of another item
