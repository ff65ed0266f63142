"""`aggregator sources check`: probe every source once, through the real refresh, into
a throwaway store, so that the operator's database and fetch state stay untouched."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from aggregator.classify.judge import CLASSIFIER
from aggregator.config.schema import Config, Source
from aggregator.core.kinds import Failure, Status
from aggregator.core.model import FetchOutcome
from aggregator.errors import FetchError, HTTPStatusFailed
from aggregator.fetch.addresses import operator_urls
from aggregator.pipeline.ports import Getter
from aggregator.pipeline.refresh import refresh_source
from aggregator.pipeline.targets import configured_urls, needs_discovery
from aggregator.store.database import Store

RECENT = timedelta(days=90)
# Results that say nothing answered; any HTTP answer, even an error, means reachable.
UNREACHABLE = frozenset(
    {
        "unreachable (DNS)",
        "unreachable (connect)",
        "timeout",
        "TLS certificate",
        "not finished in time",
        "internal error",
    }
)

_REASONS: dict[str, str] = {  # a Failure is its string
    Failure.DNS: "unreachable (DNS)",
    Failure.CONNECT: "unreachable (connect)",
    Failure.TIMEOUT: "timeout",
    Failure.TLS: "TLS certificate",
    Failure.ROBOTS_DISALLOWED: "forbidden by robots.txt",
    Failure.ROBOTS_UNAVAILABLE: "robots.txt unavailable",
    Failure.TOO_LARGE: "too large",
    Failure.REDIRECT: "redirects",
    Failure.NOTHING_FOUND: "no press targets found",
    Failure.NO_ITEMS: "no items recognised",
    Failure.INTERNAL: "internal error",
}


def reason(kind: Failure | None, http_status: int | None = None) -> str:
    """A short, groupable reason for a failure: 'unreachable (DNS)', 'HTTP 404', ..."""
    if kind in _REASONS:
        return _REASONS[kind]
    if http_status is not None:
        return f"HTTP {http_status}"
    return kind or "error"


@dataclass
class CheckRow:
    source_id: str
    name: str
    land: str
    ags: str | None  # the official key: a stable id across renames
    homepage: str | None
    homepage_status: str  # "ok", "–" (none configured) or a reason
    targets: str  # where the items come from
    items: int
    newest: datetime | None
    result: str  # "ok", "no items" or a reason
    detail: str = ""  # the first error message, for the operator

    def as_json(self) -> dict[str, object]:
        row = asdict(self)
        row["newest"] = self.newest.isoformat() if self.newest else None
        return row


async def _homepage_status(source: Source, fetcher: Getter, outcomes: list[FetchOutcome]) -> str:
    if not source.homepage:
        return "–"
    url = str(source.homepage)
    if needs_discovery(source):  # discovery fetched it already
        for outcome in outcomes:
            if outcome.url == url:
                return (
                    "ok"
                    if outcome.status == Status.OK or outcome.error_kind == Failure.NOTHING_FOUND
                    else reason(outcome.error_kind, outcome.http_status)
                )
    try:
        await fetcher.get(url)
    except FetchError as exc:
        return reason(exc.kind, exc.status if isinstance(exc, HTTPStatusFailed) else None)
    return "ok"


def _targets(source: Source, store: Store) -> str:
    if not needs_discovery(source):
        return f"configured: {len(source.feeds)} feed(s), {len(source.pages)} page(s)"
    known = store.discovered(source.id)
    if known is None:
        return "not discovered"
    _, feeds, pages = known
    if not feeds and not pages:
        return "none found"
    return f"discovered: {len(feeds)} feed(s), {len(pages)} page(s)"


async def check_source(source: Source, config: Config, fetcher: Getter) -> CheckRow:
    """One source, probed as a refresh would read it (backoff ignored)."""
    store = Store(":memory:", CLASSIFIER)
    try:
        refreshed = await refresh_source(source, config, fetcher, store, force=True)
        with operator_urls(configured_urls(source)):
            homepage = await _homepage_status(source, fetcher, refreshed.outcomes)
        items = store.items(limit=None)
        newest = max((s.item.published for s in items if not s.item.date_is_guess), default=None)
        errors = [o for o in refreshed.outcomes if o.status == Status.ERROR]
        if items:
            result = "ok"
        elif errors:
            result = reason(errors[0].error_kind, errors[0].http_status)
        else:
            result = "no items"
        detail = f"{errors[0].url}: {errors[0].message}" if errors else ""
        return CheckRow(
            source.id,
            source.name,
            source.land,
            source.ags,
            str(source.homepage or "") or None,
            homepage,
            _targets(source, store),
            len(items),
            newest,
            result,
            detail,
        )
    finally:
        store.close()


async def check_all(
    sources: list[Source],
    config: Config,
    fetcher: Getter,
    time_limit: float,
    on_done: Callable[[CheckRow], None] | None = None,
) -> list[CheckRow]:
    """Every source at once (the fetcher bounds concurrency); whatever has not answered
    within `time_limit` seconds is reported as such, so a check never hangs."""

    async def one(source: Source) -> CheckRow:
        try:
            row = await check_source(source, config, fetcher)
        except Exception as exc:  # a bug of ours must not cost the other rows
            message = f"{type(exc).__name__}: {exc}"
            row = _unfinished(source, "internal error", message)
        if on_done:
            on_done(row)
        return row

    tasks = {asyncio.create_task(one(source)): source for source in sources}
    done, pending = await asyncio.wait(tasks, timeout=time_limit)
    for task in pending:
        task.cancel()
    rows = [task.result() for task in done]
    late = f"no answer within {time_limit:g} s"
    rows += [_unfinished(tasks[task], "not finished in time", late) for task in pending]
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    return sorted(rows, key=lambda row: row.source_id)


def _unfinished(source: Source, result: str, detail: str) -> CheckRow:
    homepage = str(source.homepage) if source.homepage else None
    return CheckRow(
        source.id,
        source.name,
        source.land,
        source.ags,
        homepage,
        "?",
        "?",
        0,
        None,
        result,
        detail,
    )


CHECK_URL = "check the URL (unreachable, or answering with an error)"
PIN_LISTING = "pin a listing (reachable, but nothing found: add pages: or feeds:)"
FINE = "fine"
NOTHING_FOUND = frozenset({"no items", "no items recognised", "no press targets found"})


def action(row: CheckRow) -> str:
    """What the operator does about a source: the first check on a connected machine
    becomes a short to-do list."""
    if row.items > 0:
        return FINE
    if row.result in NOTHING_FOUND or row.result == "ok":
        return PIN_LISTING
    return CHECK_URL


def to_do(rows: list[CheckRow]) -> dict[str, list[str]]:
    """Source ids by what to do, most urgent first; empty groups left out."""
    groups: dict[str, list[str]] = {CHECK_URL: [], PIN_LISTING: [], FINE: []}
    for row in rows:
        groups[action(row)].append(row.source_id)
    return {what: ids for what, ids in groups.items() if ids}


@dataclass(frozen=True)
class CheckSummary:
    checked: int
    reachable: int
    with_items: int
    recent: int
    failing: dict[str, int]
    to_do: dict[str, list[str]]


def summarize_check(rows: list[CheckRow], now: datetime) -> CheckSummary:
    reachable = sum(
        row.homepage_status == "ok" or row.items > 0 or row.result not in UNREACHABLE
        for row in rows
    )
    return CheckSummary(
        checked=len(rows),
        reachable=reachable,
        with_items=sum(row.items > 0 for row in rows),
        recent=sum(bool(row.newest and row.newest >= now - RECENT) for row in rows),
        failing=dict(Counter(row.result for row in rows if row.result != "ok").most_common()),
        to_do=to_do(rows),
    )
