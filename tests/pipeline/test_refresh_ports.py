"""The steps of one refresh run against in-memory ports (pipeline.ports): a fake HTTP
edge answering from tests/sites/ and a dict for the store's memory. No server, no
database: what the narrow interfaces are for."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aggregator.config.schema import PageTarget, Source
from aggregator.core.kinds import Failure, Status
from aggregator.core.model import FetchState, Item, QueuedDetail, Timeouts
from aggregator.errors import ConnectFailed, FetchError, HTTPStatusFailed
from aggregator.fetch.client import Fetched, NotModified
from aggregator.pipeline.attempt import attempt
from aggregator.pipeline.crawl import crawl_listing, read_feed
from aggregator.pipeline.ports import Policy, Refresh
from aggregator.worker.pool import INLINE
from tests.listing_expectations import EXPECTED, IKISS_PAGE
from tests.paths import TESTS

SITES = TESTS / "sites"
BASE = "https://www.example-lk.de/"
NOW = datetime(2019, 8, 30, 12, 0, tzinfo=UTC)
TIMEOUTS = Timeouts(total=5, connect=2, read=2)


@dataclass
class FakeHttp:
    """Answers from files (by path under BASE), or raises what `failures` holds."""

    failures: dict[str, list[FetchError]] = field(default_factory=dict)
    calls: list[tuple[str, str | None]] = field(default_factory=list)  # url, etag sent
    turns: list[str] = field(default_factory=list)  # URLs whose host it waited for

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        timeouts: Timeouts | None = None,
    ) -> Fetched | NotModified:
        assert timeouts == TIMEOUTS  # the source's timeouts reach the edge
        self.calls.append((url, etag))
        if self.failures.get(url):
            raise self.failures[url].pop(0)
        path = url.removeprefix(BASE).split("?")[0]
        body = (SITES / path).read_bytes()
        tag = f'"{len(body)}"'
        if etag == tag:
            return NotModified(url)
        headers = {"content-type": "text/html; charset=utf-8"}
        return Fetched(url, url, 200, headers, body, tag, None)

    async def wait_turn(self, url: str) -> None:
        self.turns.append(url)


@dataclass
class DictMemory:
    """The store's memory as dicts."""

    states: dict[str, FetchState] = field(default_factory=dict)
    fingerprints: Mapping[str, str] = field(default_factory=dict)  # by item key

    def fetch_state(self, source_id: str, url: str) -> FetchState | None:
        return self.states.get(url)

    def stored_fingerprint(self, item: Item) -> str | None:
        return self.fingerprints.get(item.key)

    def queued_details(self, source_id: str, target: str, limit: int) -> list[QueuedDetail]:
        return []

    def discovered(
        self, source_id: str
    ) -> tuple[datetime, list[str], list[dict[str, str | bool]]] | None:
        return None

    def discovered_from(self, source_id: str) -> str | None:
        return None

    def save_discovered(
        self,
        source_id: str,
        at: datetime,
        feeds: list[str],
        pages: list[dict[str, str | bool]],
        started_from: str | None = None,
    ) -> None:
        raise AssertionError("no discovery in these tests")


SOURCE = Source(id="kreis", name="Landkreis Beispiel", land="BB", kind="landkreis")


def refresh(http: FakeHttp, memory: DictMemory, force: bool = False) -> Refresh:
    policy = Policy(NOW, TIMEOUTS, timedelta(hours=1), timedelta(days=1), force)
    return Refresh(SOURCE, policy, http, memory, INLINE)


def test_a_listing_is_read_through_the_ports_alone() -> None:
    http, memory = FakeHttp(), DictMemory()
    target = PageTarget(url=BASE + IKISS_PAGE, max_pages=1)  # type: ignore[arg-type]
    result = asyncio.run(crawl_listing(target, refresh(http, memory)))
    assert [item.title for item in result.items] == [title for title, *_ in EXPECTED[IKISS_PAGE]]
    (outcome,) = result.outcomes
    assert outcome.status == Status.OK and outcome.items_found == len(result.items)
    assert http.calls == [(BASE + IKISS_PAGE, None)]


def test_stored_items_stop_the_walk_and_validators_are_sent() -> None:
    http = FakeHttp()
    url = BASE + IKISS_PAGE
    first = asyncio.run(crawl_listing(PageTarget(url=url), refresh(http, DictMemory())))  # type: ignore[arg-type]
    assert len(http.calls) == 2  # page 1 was all new: page 2 was read
    known = {item.key: item.fingerprint for item in first.items}
    tag = first.outcomes[0].etag
    memory = DictMemory({url: FetchState(url, "kreis", etag=tag)}, known)
    again = asyncio.run(crawl_listing(PageTarget(url=url), refresh(http, memory)))  # type: ignore[arg-type]
    assert http.calls[2] == (url, tag)
    assert again.outcomes[0].status == Status.NOT_MODIFIED and not again.items


def test_a_url_backing_off_is_not_fetched_unless_forced() -> None:
    url = BASE + "feeds/spree-neisse-rss2.xml"
    later = NOW + timedelta(hours=1)
    waiting = FetchState(url, "kreis", consecutive_failures=2, next_attempt=later)
    http = FakeHttp()
    skipped = asyncio.run(attempt(url, refresh(http, DictMemory({url: waiting}))))
    assert skipped.failure is not None and skipped.failure.status == Status.SKIPPED
    assert http.calls == []
    forced = asyncio.run(attempt(url, refresh(http, DictMemory({url: waiting}), force=True)))
    assert forced.failure is None and http.calls == [(url, None)]


def test_a_transient_failure_is_tried_again_once_then_backs_off_longer() -> None:
    url = BASE + "feeds/spree-neisse-rss2.xml"
    http = FakeHttp({url: [ConnectFailed("reset"), ConnectFailed("reset")]})
    before = FetchState(url, "kreis", consecutive_failures=3)
    result = asyncio.run(read_feed(url, refresh(http, DictMemory({url: before}))))
    (outcome,) = result.outcomes
    assert len(http.calls) == 2
    assert outcome.status == Status.ERROR and outcome.error_kind == Failure.CONNECT
    assert outcome.next_attempt is not None and outcome.next_attempt - NOW > timedelta(hours=3)


def test_retry_after_and_gone_come_from_the_answer() -> None:
    url = BASE + "feeds/spree-neisse-rss2.xml"
    busy = HTTPStatusFailed(503, "503 Service Unavailable", retry_after="7200")
    http = FakeHttp({url: [busy, HTTPStatusFailed(410, "410 Gone")]})
    first = asyncio.run(read_feed(url, refresh(http, DictMemory())))
    assert first.outcomes[0].next_attempt is not None
    assert first.outcomes[0].next_attempt >= NOW + timedelta(hours=2)
    gone = asyncio.run(read_feed(url, refresh(http, DictMemory())))
    assert gone.outcomes[0].gone and gone.outcomes[0].next_attempt is None
    assert gone.outcomes[0].error_kind == Failure.GONE
