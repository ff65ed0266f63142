"""Which URLs a refresh reads: those in sources.yaml, or for a source with only a
homepage, the press targets discovered from it, stored and re-checked weekly."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aggregator.config.schema import PageTarget, Source
from aggregator.core.kinds import Failure, Status
from aggregator.core.model import FetchOutcome
from aggregator.pipeline.attempt import failure
from aggregator.pipeline.ports import Getter, Refresh, TargetMemory

if TYPE_CHECKING:
    from aggregator.pipeline.discovery import Targets

RECHECK_FOUND = timedelta(days=7)
RECHECK_NOTHING = timedelta(days=1)  # nothing found: the site may be fixed soon, or we were


@dataclass
class Resolved:
    """The source with the targets to read, and what finding them came to."""

    source: Source
    outcomes: list[FetchOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def needs_discovery(source: Source) -> bool:
    has_start = bool(source.homepage or source.also or source.hints)
    return not source.feeds and not source.pages and has_start


def with_targets(source: Source, feeds: list[str], pages: list[dict[str, str | bool]]) -> Source:
    return source.model_copy(
        update={
            "feeds": tuple(feeds),
            "pages": tuple(PageTarget.model_validate(page) for page in pages),
        }
    )


def start_urls(source: Source) -> list[str]:
    """Where discovery starts: the homepage, then the jobcenter's own site."""
    return [str(url) for url in (source.homepage, source.also) if url]


def configured_urls(source: Source) -> list[str]:
    """Every URL the operator wrote for the source: only these may be internal addresses."""
    urls = [*start_urls(source), *map(str, source.hints), *map(str, source.feeds)]
    return urls + [str(page.url) for page in source.pages]


def _started(source: Source) -> str:
    """Where discovery starts (hints included), as stored with what it found: other
    start pages or hints in sources.yaml mean discovering anew."""
    return " ".join(start_urls(source) + [str(hint) for hint in source.hints])


async def discover_and_store(
    source: Source, fetcher: Getter, store: TargetMemory, now: datetime
) -> Targets:
    """Discover a source's targets and store them, unless no start page could be read
    (then what was found before stays)."""
    # imported here: discovery reads HTML, which a refresh of configured targets never does
    from aggregator.pipeline.discovery import discover_targets

    targets = await discover_targets(start_urls(source), fetcher, tuple(map(str, source.hints)))
    if targets.visited:
        store.save_discovered(source.id, now, targets.feeds, targets.pages, _started(source))
    return targets


async def resolve_targets(ctx: Refresh) -> Resolved:
    """Configured targets as they are; else discovered ones, fresh enough or found anew.

    A failed re-check keeps the targets found before; the homepage's fetch state carries
    the failure (and its backoff) like any other URL's. Targets found from another
    homepage than the one sources.yaml names now are forgotten and discovered anew.
    """
    source = ctx.source
    if not needs_discovery(source):
        return Resolved(source)
    start = (start_urls(source) or [str(hint) for hint in source.hints])[0]
    known = ctx.memory.discovered(source.id)
    started_from = ctx.memory.discovered_from(source.id)
    if known is not None and started_from and started_from != _started(source):
        known = None  # found from a homepage that sources.yaml no longer names
    kept = with_targets(source, known[1], known[2]) if known else source
    if known is not None:
        found_at, feeds, pages = known
        due = found_at + (RECHECK_FOUND if feeds or pages else RECHECK_NOTHING)
        if ctx.now < due and not ctx.policy.force:
            return Resolved(kept)
    state = ctx.memory.fetch_state(source.id, start)
    if state and state.next_attempt and ctx.now < state.next_attempt and not ctx.policy.force:
        return Resolved(kept, [FetchOutcome(start, Status.SKIPPED, "discovery backing off")])
    targets = await discover_and_store(source, ctx.http, ctx.memory, ctx.now)
    if not targets.visited:
        message = f"discovery: {targets.error}"
        failed = failure(start, ctx, targets.error_kind or Failure.FETCH, message)
        return Resolved(kept, [replace(failed, http_status=targets.http_status)])
    if not targets.found:
        message = (
            f"no feed or press listing found from {', '.join(targets.visited)}; "
            "add feeds: or pages: to this source in sources.yaml"
        )
        hint_notes = [f"{source.id}: {hint_note}" for hint_note in targets.notes]
        return Resolved(source, [failure(start, ctx, Failure.NOTHING_FOUND, message)], hint_notes)
    summary = f"discovered {len(targets.feeds)} feed(s), {len(targets.pages)} listing page(s)"
    note = f"{source.id}: {summary}: " + ", ".join(
        targets.feeds + [str(page["url"]) for page in targets.pages]
    )
    notes = [note] + [f"{source.id}: {hint_note}" for hint_note in targets.notes]
    resolved = with_targets(source, targets.feeds, targets.pages)
    return Resolved(resolved, [FetchOutcome(start, Status.OK, summary)], notes)
