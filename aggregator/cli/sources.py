"""`aggregator sources …`: validate, presets, discover, status, check."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime

import click
import yaml
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aggregator.cli.app import Context, cli, err, out, pass_context
from aggregator.cli.refresh import exit_if_offline
from aggregator.config.loader import load_config
from aggregator.config.presets import PRESETS
from aggregator.config.schema import Config, Defaults
from aggregator.core.kinds import Health
from aggregator.core.time import BERLIN
from aggregator.errors import ConfigError
from aggregator.fetch.addresses import operator_urls
from aggregator.fetch.client import Fetcher
from aggregator.pipeline.check import FINE, CheckRow, check_all, summarize_check
from aggregator.pipeline.discovery import Discovery, Targets
from aggregator.pipeline.discovery import discover as discover_site
from aggregator.pipeline.targets import (
    configured_urls,
    discover_and_store,
    needs_discovery,
    start_urls,
)
from aggregator.publish.health import SourceHealth, source_health
from aggregator.store.database import Store


@cli.group()
def sources() -> None:
    """Inspect and check the sources in sources.yaml."""


@sources.command()
@pass_context
def validate(obj: Context) -> None:
    """Check sources.yaml and print every problem with file, line and source id."""
    config = obj.config()
    enabled = sum(s.enabled for s in config.sources)
    out.print(
        f"{obj.config_path}: valid — {len(config.sources)} sources ({enabled} enabled), "
        f"{len(config.campaigns)} campaigns, {len(config.digests)} e-mail digests"
    )


@sources.command()
def presets() -> None:
    """List the listing-page presets for municipal CMS products."""
    table = Table(title="Presets for press listing pages (sources.yaml: pages[].preset)")
    table.add_column("preset")
    table.add_column("for")
    for preset in PRESETS.values():
        table.add_row(preset.name, escape(preset.description))
    out.print(table)
    out.print("Without preset or selectors, the page is read by the zero-configuration heuristic.")


def _discovery_yaml(found: Discovery) -> str:
    """The discovery as YAML to paste under a source in sources.yaml, with comments."""
    lines = [f"# {found.url}"]
    feeds = [link.url for link in found.advertised] + found.found
    for link in found.advertised:
        lines.append(f"#   advertises {link.kind} feed {link.url} {link.title!r}".rstrip())
    for url in found.found:
        lines.append(f"#   feed found at a common place: {url}")
    if not feeds:
        lines.append("#   no feed advertised or found at the common places")
    document: dict[str, object] = {}
    if feeds:
        document["feeds"] = feeds
    if found.proposal:
        proposal = found.proposal
        lines.append(f"#   listing: {proposal.how}; {proposal.items} items, {proposal.dated} dated")
        document["pages"] = [proposal.entry]
    else:
        lines.append("#   no press listing recognised on this page")
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False) if document else ""
    return "\n".join(lines) + "\n" + body


@sources.command()
@click.argument("target", metavar="URL|ID")
@click.option(
    "--fresh",
    is_flag=True,
    help="For a source id: look again instead of showing what the last refresh discovered.",
)
@pass_context
def discover(obj: Context, target: str, fresh: bool) -> None:
    """Find the feeds a page offers and propose a `pages:` entry for it, as YAML.

    Given a source id instead of a URL: the press targets discovered from that
    source's homepage, as YAML to pin in sources.yaml.
    """
    if "://" not in target:
        _discover_source(obj, target, fresh)
        return
    defaults = Defaults()
    with contextlib.suppress(ConfigError):  # discovery works without a valid sources.yaml
        defaults = load_config(obj.config_path).defaults

    async def run() -> Discovery:
        async with Fetcher(defaults) as fetcher:
            with operator_urls([target]):  # typed by the operator
                return await discover_site(target, fetcher)

    found = asyncio.run(run())
    if found.error:
        err.print(f"[red]cannot fetch {escape(target)}[/red]: {escape(found.error)}")
        sys.exit(1)
    if found.is_feed:
        click.echo(f"# {target} is a feed itself\nfeeds:\n- {target}")
        return
    click.echo(_discovery_yaml(found), nl=False)  # plain: YAML must not be wrapped


def _discover_source(obj: Context, source_id: str, fresh: bool) -> None:
    config = obj.config()
    source = next((s for s in config.sources if s.id == source_id), None)
    if source is None:
        err.print(
            f"[red]no source {escape(source_id)!r} in {obj.config_path}[/red] "
            "(give a source id or a URL starting with https://)"
        )
        sys.exit(2)
    starts = start_urls(source)
    if not starts:
        err.print(f"[red]{source_id}: no homepage in {obj.config_path} to discover from[/red]")
        sys.exit(1)
    store = obj.store()
    try:
        known = None if fresh else store.discovered(source_id)
        if known is None:
            now = datetime.now(UTC)

            async def run() -> Targets:
                async with Fetcher(config.defaults) as fetcher:
                    with operator_urls(configured_urls(source)):
                        return await discover_and_store(source, fetcher, store, now)

            targets = asyncio.run(run())
            if not targets.visited:
                err.print(f"[red]{source_id}: cannot fetch[/red] {escape(str(targets.error))}")
                sys.exit(1)
            known = (now, targets.feeds, targets.pages)
    finally:
        store.close()
    found_at, feeds, pages = known
    header = f"# {source_id}: discovered {_when(found_at)} from {' or '.join(starts)}"
    if not feeds and not pages:
        click.echo(
            header + "\n# nothing found: no feed and no press listing page; add them by hand"
        )
        return
    document = {key: value for key, value in (("feeds", feeds), ("pages", pages)) if value}
    if source.feeds or source.pages:
        header += "\n# (sources.yaml already names targets for it; these are not used)"
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    click.echo(header + "\n" + body, nl=False)


def _when(value: datetime | None) -> str:
    return value.astimezone(BERLIN).strftime("%d.%m.%y %H:%M") if value else "–"


def health_rows(config: Config, store: Store, now: datetime) -> list[SourceHealth]:
    """One health row per source of the config, sick ones first."""
    rows = source_health(config, store, now)
    return sorted(rows, key=lambda row: (not row.sick, row.source_id))


@sources.command()
@pass_context
def status(obj: Context) -> None:
    """Show the health of every source: last success, failures, next attempt, items."""
    config = obj.config()
    store = obj.store(read_only_ok=True)
    try:
        rows = health_rows(config, store, datetime.now(UTC))
        discovered = {
            source.id: known
            for source in config.sources
            if needs_discovery(source) and (known := store.discovered(source.id))
        }
    finally:
        store.close()
    enabled = {source.id: source.enabled for source in config.sources}
    plain = not out.is_terminal
    if plain:
        out.width = max(out.width, 160)  # a pipe or a file: long lines beat folded ones
    table = Table(title="Source health", title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("source", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("last success", no_wrap=True)
    table.add_column("failures", justify="right")
    table.add_column("next attempt", no_wrap=True)
    table.add_column("items", justify="right")
    table.add_column("30 days", justify="right")
    table.add_column("problem", overflow="fold")
    sick = 0
    for row in rows:
        is_sick = row.sick and enabled[row.source_id]
        sick += is_sick
        status_text = row.last_status if enabled[row.source_id] else "disabled"
        if row.guessed and status_text == Health.OK:
            status_text = "ok, guessed"
        style = "bold red" if is_sick else ("dim" if not enabled[row.source_id] else "")
        table.add_row(
            ("!" if plain else "✗") if is_sick else "",
            row.source_id,
            status_text,
            _when(row.last_success),
            str(row.failures),
            _when(row.next_attempt),
            str(row.items_total),
            str(row.items_recent),
            escape("; ".join(filter(None, [row.problem, *row.notes]))),
            style=style,
        )
    out.print(table)
    hint = " (marked !)" if sick and plain else ""
    out.print(f"{len(rows)} sources, {sick} need attention{hint}")
    if discovered:
        found = Table(title="Press targets discovered from homepages", title_justify="left")
        found.add_column("source", no_wrap=True)
        found.add_column("checked", no_wrap=True)
        found.add_column("targets", overflow="fold")
        for source_id, (found_at, feeds, pages) in discovered.items():
            urls = [f"feed {url}" for url in feeds] + [
                f"page {page['url']}" + (f" ({page['preset']})" if "preset" in page else "")
                for page in pages
            ]
            found.add_row(source_id, _when(found_at), escape("\n".join(urls) or "nothing found"))
        out.print(found)


@sources.command()
@click.option(
    "--time-limit",
    default=180.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Seconds for the whole check; sources still busy then are reported.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows and summary as JSON.")
@pass_context
def check(obj: Context, time_limit: float, as_json: bool) -> None:
    """Probe every enabled source once: homepage, targets, items found, newest item.

    Reads the sources as a refresh would, but stores nothing: the database and its
    fetch state are left as they are.
    """
    config = obj.config()
    sources = [source for source in config.sources if source.enabled]
    exit_if_offline(sources)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=as_json and not err.is_terminal,
    )

    async def run() -> list[CheckRow]:
        task = progress.add_task("checking", total=len(sources))
        async with Fetcher(config.defaults) as fetcher:
            return await check_all(
                sources, config, fetcher, time_limit, lambda _row: progress.advance(task)
            )

    with progress:
        rows = asyncio.run(run())
    now = datetime.now(UTC)
    summary = summarize_check(rows, now)
    if as_json:
        document = {
            "checked_at": now.isoformat(),
            "summary": asdict(summary),
            "sources": [row.as_json() for row in rows],
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    if not out.is_terminal:
        out.width = max(out.width, 160)
    table = Table(title="Source check", title_justify="left")
    for column in ("source", "Land", "homepage", "targets", "items", "newest", "result"):
        table.add_column(column, justify="right" if column == "items" else "left")
    for row in rows:
        style = "" if row.result == "ok" else ("yellow" if row.result == "no items" else "red")
        table.add_row(
            row.source_id,
            row.land,
            escape(row.homepage_status),
            escape(row.targets),
            str(row.items),
            _when(row.newest),
            escape(row.result),
            style=style,
        )
    out.print(table)
    out.print(
        f"{summary.checked} sources checked: {summary.reachable} reachable, "
        f"{summary.with_items} with items, {summary.recent} with items in the last 90 days"
    )
    if summary.failing:
        out.print("not ok: " + ", ".join(f"{why} {n}" for why, n in summary.failing.items()))
    out.print("\nTo do:")
    for what, ids in summary.to_do.items():
        listed = f"{len(ids)} sources" if what == FINE else ", ".join(ids)
        out.print(f"  {what}: {escape(listed)}", soft_wrap=True)
