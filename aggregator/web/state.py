"""What the web app reads from, and its cache of rendered documents."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aggregator.config.schema import Config
from aggregator.core.lru import BoundedLRU
from aggregator.core.model import StoredItem
from aggregator.observe.alarms import Alarms
from aggregator.observe.metrics import Metrics
from aggregator.pipeline.ports import Getter
from aggregator.publish.atom import log_skipped
from aggregator.store.database import Store
from aggregator.web.hub import Hub
from aggregator.web.responses import (
    Rendered,
)


def _rendered_size(entry: tuple[object, Rendered]) -> int:
    return len(entry[1].body) + len(entry[1].gzipped) + 512


def _documents() -> BoundedLRU[tuple[str, ...], tuple[object, Rendered]]:
    """Every feed, archive page and OPML list, rendered: a few hundred of them."""
    return BoundedLRU(2_000, 256 * 2**20, _rendered_size)


def _queries() -> BoundedLRU[tuple[str, ...], tuple[object, Rendered]]:
    """Documents of `?q=` searches, which clients choose freely: kept apart and small,
    so that no number of different queries can grow the process or evict the feeds."""
    return BoundedLRU(200, 32 * 2**20, _rendered_size)


@dataclass
class AppState:
    """What the app reads from: the config (replaced on reload), a reading store."""

    config: Callable[[], Config]
    store: Store
    base_url: str
    scheduler_running: Callable[[], bool] = lambda: True
    metrics: Metrics | None = None
    alarms: Alarms = field(default_factory=Alarms)
    cache: BoundedLRU[tuple[str, ...], tuple[object, Rendered]] = field(default_factory=_documents)
    query_cache: BoundedLRU[tuple[str, ...], tuple[object, Rendered]] = field(
        default_factory=_queries
    )
    pdf_turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # one PDF at a time
    hub: Hub | None = None  # the WebSub hub, in the service
    changed: Callable[[], None] = lambda: None  # an editor changed what the feeds show
    getter: Getter | None = None  # the service's fetcher: editors add releases by address

    def version(self) -> object:
        return (self.store.data_version(), id(self.config()))

    def rendered(
        self, key: tuple[str, ...], render: Callable[[], bytes | None], query: bool = False
    ) -> Rendered | None:
        """From the cache while nothing changed; rendered and compressed once otherwise.

        Endpoints are coroutines, so this runs on the event loop's one thread."""
        cache = self.query_cache if query else self.cache
        version = self.version()
        cached = cache.get(key)
        if cached and cached[0] == version:
            return cached[1]
        body = render()
        if body is None:
            return None
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        now = datetime.now(UTC).replace(microsecond=0)
        if cached and cached[1].etag == etag:
            fresh = cached[1]  # the data changed elsewhere; this document did not
        else:
            fresh = Rendered(body, gzip.compress(body, 6, mtime=0), etag, now)
        cache.put(key, (version, fresh))
        return fresh

    def skipped(self, stored: StoredItem, exc: Exception) -> None:
        """An entry left out of a feed: logged once, counted every time."""
        log_skipped(stored, exc)
        if self.metrics is not None:
            self.metrics.entries_skipped.inc()
