"""What one refresh talks through, narrowed to what it uses.

A refresh needs four things from the world: a way to GET a URL (the polite
fetcher), what is remembered of URLs, listings and discovery (the store, read),
somewhere to parse documents (the worker pool, or inline), and the values that
bound it (the clock reading, timeouts, interval, backoff cap, force). Each is a
small protocol or value here, so that the steps of a refresh can be run against
an in-memory fake in a unit test, and so that none of them can reach the rest of
`Config` or `Store` by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ParamSpec, Protocol, TypeVar

from aggregator.config.schema import Config, Source
from aggregator.core.judging import Shingled, Verdict
from aggregator.core.model import (
    DetailQueueChange,
    FetchOutcome,
    FetchState,
    Item,
    QueuedDetail,
    SaveResult,
    StoredItem,
    Timeouts,
)
from aggregator.fetch.client import Fetched, NotModified

P = ParamSpec("P")
T = TypeVar("T")


class Getter(Protocol):
    """The polite HTTP edge: raises a FetchError subclass on any failure."""

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        timeouts: Timeouts | None = None,
    ) -> Fetched | NotModified: ...

    async def wait_turn(self, url: str) -> None:
        """Wait, holding nothing, until the host of `url` may be asked (robots.txt read,
        its pacing over); failures are left to `get`."""


class Parsing(Protocol):
    """Where documents are parsed and normalised: worker processes, or inline."""

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T: ...


class UrlMemory(Protocol):
    """What is remembered of one URL: validators, failures in a row, a move, a shape."""

    def fetch_state(self, source_id: str, url: str) -> FetchState | None: ...


class ListingMemory(UrlMemory, Protocol):
    """What a listing walk asks: is this item stored (and as what), and which detail
    pages of this listing are still waiting to be read."""

    def stored_fingerprint(self, item: Item) -> str | None: ...

    def queued_details(self, source_id: str, target: str, limit: int) -> list[QueuedDetail]: ...


class TargetMemory(UrlMemory, Protocol):
    """What discovery found for a source before, and where it stores what it finds."""

    def discovered(
        self, source_id: str
    ) -> tuple[datetime, list[str], list[dict[str, str | bool]]] | None: ...

    def discovered_from(self, source_id: str) -> str | None: ...

    def save_discovered(
        self,
        source_id: str,
        at: datetime,
        feeds: list[str],
        pages: list[dict[str, str | bool]],
        started_from: str | None = None,
    ) -> None: ...


class RefreshMemory(ListingMemory, TargetMemory, Protocol):
    """Everything a refresh reads of the store before it writes its one transaction."""


class RefreshStore(RefreshMemory, Protocol):
    """What a refresh reads, and the one transaction it writes (store.Store has it)."""

    def save_refresh(  # noqa: PLR0913 - one refresh, all of it named
        self,
        source_id: str,
        items: Iterable[Item],
        outcomes: Iterable[FetchOutcome],
        now: datetime,
        verdicts: Mapping[str, Sequence[Verdict]] | None = None,
        shingled: Mapping[str, Shingled] | None = None,
        details: DetailQueueChange | None = None,
        press: bool = False,
    ) -> SaveResult: ...


class CampaignStore(Protocol):
    """What re-judging the stored items for changed campaign rules uses of the store."""

    @property
    def readonly(self) -> bool: ...

    def remember_sources(self, configured: Iterable[Source]) -> None: ...

    def campaign_digest(self, campaign_id: str) -> str | None: ...

    def items(
        self,
        *,
        limit: int | None = 200,
        offset: int = 0,
        by_arrival: bool = False,
        with_waiting: bool = False,
        press: bool | None = False,
    ) -> list[StoredItem]: ...

    def replace_campaign(
        self, campaign_id: str, digest: str, members: Iterable[tuple[str, str, str]]
    ) -> None: ...

    def forget_campaigns_except(self, campaign_ids: Iterable[str]) -> None: ...


@dataclass(frozen=True, slots=True)
class Policy:
    """The values that bound one source's refresh, taken from the config once."""

    now: datetime
    timeouts: Timeouts
    interval: timedelta  # the source's refresh interval: the first backoff step
    max_backoff: timedelta
    force: bool = False  # an operator's explicit fetch: ignore backoff (not gone)

    @classmethod
    def of(cls, config: Config, source: Source, now: datetime, force: bool = False) -> Policy:
        return cls(
            now,
            config.timeouts(source),
            config.interval(source),
            config.defaults.max_backoff,
            force,
        )


def quietly(_: str) -> None:
    """Progress nobody watches."""


@dataclass(frozen=True, slots=True)
class Refresh:
    """One source's refresh: the source, its bounds, the three ports it uses, and where
    progress of a long refresh (a first read of a large listing) is said."""

    source: Source
    policy: Policy
    http: Getter
    memory: RefreshMemory
    parsing: Parsing
    say: Callable[[str], None] = quietly

    @property
    def now(self) -> datetime:
        return self.policy.now
