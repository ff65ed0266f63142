"""One refresh of one source: fetch -> parse -> normalise -> store.

Whatever goes wrong with one URL is recorded as that URL's outcome; nothing
escapes to the caller except cancellation, so one broken source never stops
the others. All items of a refresh are stored in one transaction.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from aggregator.classify.campaigns import matching, rules_digest
from aggregator.classify.dedupe import shingle_items
from aggregator.config.schema import Config, Source
from aggregator.core.judging import Shingled
from aggregator.core.kinds import GUESSED, Failure, Status
from aggregator.core.model import DetailQueueChange, FetchOutcome, Item, StoredItem
from aggregator.errors import WorkerError
from aggregator.fetch.addresses import operator_urls
from aggregator.pipeline.crawl import crawl_listing, read_feed
from aggregator.pipeline.gate import held_from_first_request
from aggregator.pipeline.ports import (
    CampaignStore,
    Getter,
    Parsing,
    Policy,
    Refresh,
    RefreshStore,
    quietly,
)
from aggregator.pipeline.press import EchoStore, link_articles
from aggregator.pipeline.targets import configured_urls, resolve_targets
from aggregator.store.failures import is_storage_failure
from aggregator.worker.pool import INLINE

Clock = Callable[[], datetime]
SOURCES_PER_REQUEST = 2  # sources in progress per request the fetcher may have in flight
# set to a number: that many sources in progress at once instead (0: no bound), for the
# test that a bound changes nothing of what is stored
SOURCES_AT_ONCE = "AGGREGATOR_SOURCES_AT_ONCE"


def source_slots(config: Config) -> asyncio.Semaphore:
    """How many sources may be between their first request and their transaction at once
    (a source takes its slot in pipeline.gate, once its host is ready).

    Without a bound every source starts at once and the fetcher serves them as fast as
    the network allows, while the parsing workers lag: the documents fetched and not yet
    read pile up, and memory grows with the number of sources (1.2 GB for 10,000). With
    it, fetching waits for reading, and memory stays the same for 100 or 10,000 sources;
    twice the fetcher's concurrency keeps the network as busy as before."""
    chosen = os.environ.get(SOURCES_AT_ONCE, "")
    if chosen.isdigit():
        return asyncio.Semaphore(int(chosen) or 1_000_000_000)
    return asyncio.Semaphore(max(4, SOURCES_PER_REQUEST * config.defaults.concurrency))


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RefreshResult:
    source_id: str
    outcomes: list[FetchOutcome] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    notes: list[str] = field(default_factory=list)
    released: int = 0  # items let out after waiting for their detail page

    @property
    def changed(self) -> bool:
        """Whether what the feeds show may have changed (pushed to WebSub subscribers)."""
        return bool(self.new or self.updated or self.released)

    @property
    def errors(self) -> list[str]:
        return [f"{o.url}: {o.message}" for o in self.outcomes if o.status == Status.ERROR]

    @property
    def guesses(self) -> list[str]:
        """What the zero-config extractor said wherever it had to guess."""
        return [o.message for o in self.outcomes if o.status == Status.OK and o.found_by in GUESSED]

    @property
    def status(self) -> Status:
        """OK, NOT_MODIFIED, PARTIAL (some URLs failed), ERROR (all failed) or SKIPPED."""
        statuses = {o.status for o in self.outcomes}
        if not statuses or statuses == {Status.SKIPPED}:
            return Status.SKIPPED
        statuses.discard(Status.SKIPPED)
        if statuses == {Status.ERROR}:
            return Status.ERROR
        if Status.ERROR in statuses:
            return Status.PARTIAL
        return Status.NOT_MODIFIED if statuses == {Status.NOT_MODIFIED} else Status.OK


def merge_duplicates(items: list[Item]) -> list[Item]:
    """One item per identity (key or canonical link) in a refresh; the first seen wins.

    Feeds come first, so a release in both the feed and the listing keeps the feed's
    text; the listing may still add what the feed lacks (full text, a real date).
    """
    merged: dict[str, Item] = {}
    alias: dict[str, str] = {}
    for item in items:
        key = alias.get(item.key) or (alias.get(item.url) if item.url else None)
        if key is None:
            merged[item.key] = item
            alias[item.key] = item.key
            if item.url:
                alias[item.url] = item.key
            continue
        first = merged[key]
        if not first.content_html and item.content_html:
            first = replace(first, content_html=item.content_html)
        if first.date_is_guess and not item.date_is_guess:
            first = replace(
                first, published=item.published, date_is_guess=False, dated_by=item.dated_by
            )
        merged[key] = first
    return list(merged.values())


async def refresh_source(  # noqa: PLR0913 - the options have defaults
    source: Source,
    config: Config,
    fetcher: Getter,
    store: RefreshStore,
    clock: Clock = utc_now,
    force: bool = False,
    offload: Parsing = INLINE,
    say: Callable[[str], None] = quietly,
) -> RefreshResult:
    """Fetch every target of `source` and store what they hold, all or nothing.

    `force` fetches URLs that are backing off after failures (not those that are gone);
    `offload` says where documents are parsed (worker processes, or inline); `say` hears
    the progress of a long refresh.
    """
    policy = Policy.of(config, source, clock(), force)
    first = Refresh(source, policy, fetcher, store, offload, say)
    with operator_urls(configured_urls(source)):  # only these may be internal addresses
        resolved = await resolve_targets(first)
        ctx = replace(first, source=resolved.source)
        result = RefreshResult(source.id, list(resolved.outcomes), notes=list(resolved.notes))
        items: list[Item] = []
        details: list[DetailQueueChange] = []
        for url in ctx.source.feeds:  # one target after another: mostly on one host
            done = await read_feed(url, ctx)
            result.outcomes.extend(done.outcomes)
            result.notes.extend(done.notes)
            items.extend(done.items)
        for page in ctx.source.pages:
            done = await crawl_listing(page, ctx)
            result.outcomes.extend(done.outcomes)
            result.notes.extend(done.notes)
            items.extend(done.items)
            details.append(done.details)
    merged = merge_duplicates(items)
    verdicts = {item.key: matching(item, source, config.campaigns) for item in merged}
    shingled = await _shingled(merged, offload)
    queue = DetailQueueChange(
        tuple(q for d in details for q in d.add),
        tuple(k for d in details for k in d.done),
        tuple(k for d in details for k in d.failed),
    )
    press = config.is_press(source.id)  # its articles are coverage, not a jobcenter's items
    saved = store.save_refresh(
        source.id,
        merged,
        result.outcomes,
        ctx.now,
        verdicts,
        shingled,
        details=queue,
        press=press,
    )
    result.new, result.updated, result.released = saved.new, saved.updated, saved.released
    if saved.waiting:
        result.notes.append(
            f"{saved.waiting} new items wait for their detail page (the date is there) and "
            "go out once it is read"
        )
    if saved.held:
        result.notes.append(
            f"{saved.new} new items in one refresh, more than a press office publishes: "
            f"{saved.held} of them are held back from the feeds of many sources (everything, "
            "Land, campaign) and shown in the source's own feed; check the source"
        )
    return result


INLINE_SHINGLE_CHARS = 256 * 1024  # text shingled here: a millisecond or two per 20 items


async def _shingled(items: list[Item], offload: Parsing) -> dict[str, Shingled]:
    """Near-duplicate shingles of the items, computed outside the store's transaction:
    here for a refresh's usual few items (sending them to a worker cost as much), where
    the offload runs for long texts; without them the store computes its own."""
    if not items:
        return {}
    size = sum(len(i.title) + len(i.summary_text) + len(i.content_html or "") for i in items)
    if size <= INLINE_SHINGLE_CHARS:
        return shingle_items(items)
    try:
        return await offload.run(shingle_items, items)
    except WorkerError:
        return {}


JUDGED_AT_ONCE = 2_000  # stored items read per query when re-judging


def sync_campaigns(config: Config, store: CampaignStore) -> list[str]:
    """Re-judge every stored item for the campaigns and phases whose rules (or the
    sources' aliases) changed since the last run, so that tuning rules needs no refetch:
    what a text says decides whatever its date, so no window narrows the items read.
    Cheap when nothing changed. Also records what the feeds show of each source
    (store.remember_sources). A read-only store is read as it is."""
    if store.readonly:
        return []
    store.remember_sources(config.sources)
    sources = {source.id: source for source in config.sources}
    aliases = {source.id: source.aliases for source in config.sources if source.aliases}
    digests = {c.id: rules_digest(c, aliases) for c in config.campaigns}
    changed = [c.id for c in config.campaigns if store.campaign_digest(c.id) != digests[c.id]]
    if changed:
        members: dict[str, list[tuple[str, str, str]]] = {c: [] for c in changed}
        for stored in stored_items(store):
            item = stored.item
            for verdict in matching(item, sources.get(item.source_id), config.campaigns):
                if verdict.campaign_id in members:
                    members[verdict.campaign_id].append((item.source_id, item.key, verdict.reason))
        for campaign_id in changed:
            store.replace_campaign(campaign_id, digests[campaign_id], members[campaign_id])
    store.forget_campaigns_except([campaign.id for campaign in config.campaigns])
    return changed


def stored_items(store: CampaignStore) -> Iterator[StoredItem]:
    """Every stored item (those waiting for their detail page and press articles too),
    read a few thousand at a time in order of arrival."""
    offset = 0
    while batch := store.items(
        limit=JUDGED_AT_ONCE, offset=offset, by_arrival=True, with_waiting=True, press=None
    ):
        yield from batch
        offset += len(batch)


class CycleStore(RefreshStore, EchoStore, Protocol):
    """What a whole cycle uses: each refresh, then the press's echo links."""


async def refresh_all(  # noqa: PLR0913 - the options are keywords with defaults
    sources: list[Source],
    config: Config,
    fetcher: Getter,
    store: CycleStore,
    on_done: Callable[[RefreshResult], None] | None = None,
    clock: Clock = utc_now,
    force: bool = False,
    offload: Parsing = INLINE,
    say: Callable[[str], None] = quietly,
) -> list[RefreshResult]:
    """Refresh sources concurrently (the fetcher bounds it); a bug in one stays in one.

    A failing database (StorageError) is no source's problem: it is raised, and the
    refreshes still running are cancelled, each leaving its source as stored before."""

    slots = source_slots(config)

    async def guarded(source: Source) -> RefreshResult:
        try:
            async with held_from_first_request(fetcher, slots) as http:
                result = await refresh_source(
                    source, config, http, store, clock, force, offload, say
                )
        except Exception as exc:  # a bug of ours must not cost the other sources
            if is_storage_failure(exc):
                raise  # but a database that fails fails them all: the caller stops
            result = RefreshResult(source.id)
            message = f"internal error: {type(exc).__name__}: {exc}"
            result.outcomes.append(
                FetchOutcome(source.id, Status.ERROR, message, Failure.INTERNAL, failures=1)
            )
        if on_done:
            on_done(result)
        return result

    results = list(await asyncio.gather(*(guarded(source) for source in sources)))
    for result in results:  # after every release of the cycle is stored
        if config.is_press(result.source_id) and result.status != Status.ERROR:
            linked = link_articles(config, store, result.source_id)
            result.notes.append(f"{linked} links from its articles to jobcenter releases")
    return results
