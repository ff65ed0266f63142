"""`aggregator fetch` and `aggregator feed`: one refresh cycle, and the feed it yields."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aggregator.cli.app import EXIT_ALL_FAILED, STATUS_STYLE, Context, cli, err, out, pass_context
from aggregator.cli.campaigns import campaign_or_exit
from aggregator.config.schema import Config, Source
from aggregator.core.kinds import Status
from aggregator.errors import StorageError
from aggregator.fetch.addresses import is_address
from aggregator.fetch.client import Fetcher
from aggregator.pipeline.refresh import RefreshResult, refresh_all, sync_campaigns
from aggregator.pipeline.targets import configured_urls
from aggregator.publish.atom import EntryContext, FeedHead, render_feed
from aggregator.publish.feeds import SUBTITLE, feed_sources, group_url, write_static
from aggregator.publish.opml import render_opml
from aggregator.store.database import Store
from aggregator.worker.pool import offload_for


def _worth_a_line(result: RefreshResult) -> bool:
    """A source that brought something or had trouble; the quiet rest is counted, not
    listed: a thousand unchanged rows hide the three that matter (and cost a second)."""
    quiet = result.status in (Status.OK, Status.NOT_MODIFIED) and not (
        result.changed or result.errors or result.guesses or result.notes
    )
    return not quiet


def _result_line(result: RefreshResult, styled: bool = True) -> str:
    """A refreshed source's line, with rich markup for a terminal or as plain text."""

    def mark(text: str, style: str) -> str:
        return f"[{style}]{escape(text)}[/{style}]" if styled and style else text

    status = mark(f"{result.status:>12}", STATUS_STYLE.get(result.status, ""))
    text = f"{status}  {result.source_id}"
    if result.new or result.updated:
        text += f"  +{result.new} new, {result.updated} updated"
    if result.released:
        text += f"  {result.released} let out with the date of their detail page"
    for lines, style in ((result.errors, "red"), (result.guesses, "yellow"), (result.notes, "dim")):
        for line in lines:
            text += f"\n{'':>14}{mark(line, style)}"
    return text


def _problems(result: RefreshResult) -> list[str]:
    return result.errors or [o.message for o in result.outcomes if o.status == Status.SKIPPED]


def _summary_row(result: RefreshResult) -> str:
    row = f"{result.source_id}\t{result.status}\t{result.new} new\t{result.updated} updated"
    return "\t".join([row, *_problems(result)])


def _summary_table(results: list[RefreshResult]) -> Table:
    table = Table(title="Refresh summary")
    table.add_column("source")
    table.add_column("status")
    table.add_column("new", justify="right")
    table.add_column("updated", justify="right")
    table.add_column("errors", overflow="fold")
    for result in sorted(filter(_worth_a_line, results), key=lambda r: r.source_id):
        style = STATUS_STYLE.get(result.status, "")
        problems = _problems(result)
        table.add_row(
            result.source_id,
            f"[{style}]{result.status}[/{style}]",
            str(result.new),
            str(result.updated),
            escape("\n".join(problems)),
        )
    return table


class _Lines:
    """Progress as plain lines, for a log or cron's mail: rich's live bar and its
    rendering of every line cost a tenth of a cycle's CPU where nobody watches."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def done(self, result: RefreshResult) -> None:
        if _worth_a_line(result):
            self.stream.write(_result_line(result, styled=False) + "\n")

    def say(self, text: str) -> None:
        self.stream.write(f"{'':>14}{text}\n")
        self.stream.flush()


class _Bar:
    """Progress for a terminal: a live bar, with a line for each source worth one."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.task = progress.add_task("refreshing", total=total)

    def done(self, result: RefreshResult) -> None:
        if _worth_a_line(result):
            self.progress.console.print(_result_line(result), soft_wrap=True)
        self.progress.advance(self.task)

    def say(self, text: str) -> None:
        self.progress.console.print(f"[dim]{escape(text)}[/dim]", soft_wrap=True)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[_Lines | _Bar]:
    if not err.is_terminal:
        yield _Lines(err.file)
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )
    with progress:
        yield _Bar(progress, total)


async def _fetch_all(
    config: Config, store: Store, sources: list[Source], shown: _Lines | _Bar, force: bool
) -> list[RefreshResult]:
    robots = store.robots_cache()  # read by the last run: not asked again for a day
    try:
        with offload_for(config.defaults) as offload:
            async with Fetcher(config.defaults, robots=robots) as fetcher:
                return await refresh_all(
                    sources,
                    config,
                    fetcher,
                    store,
                    on_done=shown.done,
                    force=force,
                    offload=offload,
                    say=shown.say,
                )
    finally:
        with contextlib.suppress(StorageError):  # a cache: losing it costs requests only
            store.save_robots(robots)


OFFLINE = (
    "No host name of the sources could be resolved: this machine looks offline (or has no "
    "DNS). Nothing was fetched. `aggregator demo` shows the whole product with sample press "
    "offices on this machine."
)
PROBED_HOSTS = 8  # host names resolved before a run: none answering means offline
MIN_PROBED = 3  # fewer: a typo in one host name is no sign of being offline


def _hosts(sources: list[Source]) -> list[str]:
    """A few distinct host names of the sources (IP literals need no resolver)."""
    hosts: dict[str, None] = {}
    for source in sources:
        for url in configured_urls(source)[:1]:
            host = urlsplit(url).hostname or ""
            if host and not is_address(host):
                hosts.setdefault(host, None)
    return list(hosts)[:PROBED_HOSTS]


async def _any_resolves(hosts: list[str]) -> bool:
    loop = asyncio.get_running_loop()

    async def resolves(host: str) -> bool:
        try:
            async with asyncio.timeout(3):
                return bool(await loop.getaddrinfo(host, 443))
        except (OSError, TimeoutError):
            return False

    return any(await asyncio.gather(*(resolves(host) for host in hosts)))


def exit_if_offline(sources: list[Source]) -> None:
    """Say once that the machine looks offline, and stop, when none of a few of the
    sources' host names resolves: instead of a "host name not found" for every source."""
    hosts = _hosts(sources)
    if len(hosts) >= MIN_PROBED and not asyncio.run(_any_resolves(hosts)):
        err.print(f"[red]{OFFLINE}[/red]", soft_wrap=True)
        sys.exit(EXIT_ALL_FAILED)


@cli.command()
@click.option("--force", is_flag=True, help="Also fetch URLs that are backing off after failures.")
@pass_context
def fetch(obj: Context, force: bool) -> None:
    """Refresh every enabled source once and store new items. Exits 5 when every source
    failed (and at once, saying so, when no host name resolves: offline)."""
    config = obj.config()
    sources = [s for s in config.refreshed if s.enabled]
    exit_if_offline(sources)
    store = obj.store()
    sync_campaigns(config, store)
    try:
        with _progress(len(sources)) as shown:
            results = asyncio.run(_fetch_all(config, store, sources, shown, force))
    finally:
        store.close()
    listed = sum(map(_worth_a_line, results))
    if listed and out.is_terminal:
        out.print(_summary_table(results))
    elif listed:  # the lines above said it all; a log gets one plain row per source
        for result in sorted(filter(_worth_a_line, results), key=lambda r: r.source_id):
            out.file.write(_summary_row(result) + "\n")
    failing = sum(r.status in (Status.ERROR, Status.PARTIAL) for r in results)
    new = sum(r.new for r in results)
    quiet = f", {len(results) - listed} without news not listed" if listed < len(results) else ""
    out.print(f"{len(results)} sources refreshed, {new} new items, {failing} with errors{quiet}")
    if results and all(r.status == Status.ERROR for r in results):
        err.print(
            "[red]every source failed[/red]: see the errors above; "
            "`aggregator sources check` says what to do per source"
        )
        sys.exit(EXIT_ALL_FAILED)


STATIC = Path(__file__).parent.parent / "web" / "static"
STATIC_FOR_FEEDS = ("feed.xsl", "style.css")


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@cli.command()
@click.option(
    "--out",
    "out_path",
    default="-",
    show_default=True,
    help="File to write, - for standard output, or a directory (ending in /) for "
    "every feed, its archive pages and sources.opml as static files.",
)
@click.option(
    "--limit",
    default=200,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many of the newest items (single feed only).",
)
@click.option(
    "--campaign",
    "campaign_id",
    default=None,
    help="Only the items of this campaign (see: aggregator campaigns list).",
)
@pass_context
def feed(obj: Context, out_path: str, limit: int, campaign_id: str | None) -> None:
    """Write the combined Atom feed of stored items, newest first (or all feeds, as files)."""
    config = obj.config()
    campaign = campaign_or_exit(config, campaign_id) if campaign_id else None
    store = obj.store(read_only_ok=True)
    try:
        sync_campaigns(config, store)
        if out_path.endswith("/") or Path(out_path).is_dir():
            directory = Path(out_path)
            if obj.explicit_base_url is None:
                err.print(
                    f"[yellow]warning[/yellow] no --base-url given: the links in these files "
                    f"point at {obj.base_url}, which only works on this machine; pass the "
                    "address they will be published at (--base-url https://…)"
                )
            now = datetime.now(UTC)
            count = write_static(directory, store, config, obj.base_url, now, write_atomically)
            write_atomically(directory / "sources.opml", render_opml(config, obj.base_url, now))
            for name in STATIC_FOR_FEEDS:  # what a browser shows the feeds with
                write_atomically(directory / "static" / name, (STATIC / name).read_bytes())
            err.print(f"wrote {count} feed documents and sources.opml to {directory}")
            return
        items = store.items(limit=limit, campaign_id=campaign_id)
        sources = feed_sources(config, store)
    finally:
        store.close()
    if campaign:
        name, path = f"campaign:{campaign.id}", f"campaigns/{campaign.id}.atom"
        title = f"{campaign.title} – Meldungen der kommunalen Jobcenter"
    else:
        name, path, title = "all", "all.atom", "Kommunale Jobcenter – alle Meldungen"
    head = FeedHead(name, title, SUBTITLE, f"{obj.base_url}/feeds/{path}", datetime.now(UTC))
    context = EntryContext(sources, {c.id: c for c in config.campaigns}, group_url(obj.base_url))
    document = render_feed(items, head, context)
    if out_path == "-":
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
    else:
        write_atomically(Path(out_path), document)
        err.print(f"wrote {len(items)} entries to {out_path}")
