"""The command line; the only place that prints for people.

Exit codes: 0 success (failing sources are reported, not fatal), 1 a requested
page could not be fetched, 2 invalid configuration or usage.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import yaml
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aggregator.atom import render_feed
from aggregator.config import ConfigError, load_config
from aggregator.fetch import Fetcher
from aggregator.health import SourceHealth, summarize
from aggregator.model import Config, Defaults
from aggregator.parse.dates import BERLIN
from aggregator.parse.presets import PRESETS
from aggregator.pipeline import RefreshResult, refresh_all
from aggregator.probe import Discovery
from aggregator.probe import discover as discover_site
from aggregator.store import Store

STATUS_STYLE = {
    "ok": "green",
    "not-modified": "cyan",
    "partial": "yellow",
    "error": "bold red",
    "skipped": "dim",
}

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class Context:
    def __init__(self, config_path: str, db_path: str, base_url: str) -> None:
        self.config_path = config_path
        self.db_path = db_path
        self.base_url = base_url.rstrip("/")

    def config(self) -> Config:
        try:
            return load_config(self.config_path)
        except ConfigError as exc:
            for problem in exc.problems:
                err.print(f"[red]error[/red] {escape(str(problem))}", soft_wrap=True)
            count = len(exc.problems)
            err.print(f"{self.config_path}: {count} problem{'s' * (count != 1)}; nothing was run")
            sys.exit(2)

    def store(self) -> Store:
        return Store(self.db_path)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config_path", envvar="AGGREGATOR_CONFIG", default="sources.yaml",
    show_default=True, help="The sources.yaml to use (env AGGREGATOR_CONFIG).",
)  # fmt: skip
@click.option(
    "--db", "db_path", envvar="AGGREGATOR_DB", default="aggregator.db", show_default=True,
    help="SQLite database file (env AGGREGATOR_DB).",
)  # fmt: skip
@click.option(
    "--base-url", envvar="AGGREGATOR_BASE_URL", default="http://127.0.0.1:8080",
    show_default=True, help="Public URL of the service, used in feed links.",
)  # fmt: skip
@click.version_option(package_name="jobcenter-aggregator")
@click.pass_context
def cli(ctx: click.Context, config_path: str, db_path: str, base_url: str) -> None:
    """Follow the press releases of Germany's kommunale Jobcenter in one feed."""
    ctx.obj = Context(config_path, db_path, base_url)


def _result_line(result: RefreshResult) -> str:
    style = STATUS_STYLE.get(result.status, "")
    text = f"[{style}]{result.status:>12}[/{style}]  {result.source_id}"
    if result.new or result.updated:
        text += f"  +{result.new} new, {result.updated} updated"
    for error in result.errors:
        text += f"\n{'':>14}[red]{escape(error)}[/red]"
    for guess in result.guesses:
        text += f"\n{'':>14}[yellow]{escape(guess)}[/yellow]"
    for note in result.notes:
        text += f"\n{'':>14}[dim]{escape(note)}[/dim]"
    return text


def _summary_table(results: list[RefreshResult]) -> Table:
    table = Table(title="Refresh summary")
    table.add_column("source")
    table.add_column("status")
    table.add_column("new", justify="right")
    table.add_column("updated", justify="right")
    table.add_column("errors", overflow="fold")
    for result in sorted(results, key=lambda r: r.source_id):
        style = STATUS_STYLE.get(result.status, "")
        problems = result.errors or [o.message for o in result.outcomes if o.status == "skipped"]
        table.add_row(
            result.source_id,
            f"[{style}]{result.status}[/{style}]",
            str(result.new),
            str(result.updated),
            escape("\n".join(problems)),
        )
    return table


async def _fetch_all(
    config: Config, store: Store, progress: Progress, force: bool
) -> list[RefreshResult]:
    sources = [s for s in config.sources if s.enabled]
    task = progress.add_task("refreshing", total=len(sources))

    def done(result: RefreshResult) -> None:
        progress.console.print(_result_line(result), soft_wrap=True)
        progress.advance(task)

    async with Fetcher(config.defaults) as fetcher:
        return await refresh_all(sources, config, fetcher, store, on_done=done, force=force)


@cli.command()
@click.option("--force", is_flag=True, help="Also fetch URLs that are backing off after failures.")
@pass_context
def fetch(obj: Context, force: bool) -> None:
    """Refresh every enabled source once and store new items."""
    config = obj.config()
    store = obj.store()
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err,
    )  # fmt: skip
    try:
        with progress:
            results = asyncio.run(_fetch_all(config, store, progress, force))
    finally:
        store.close()
    out.print(_summary_table(results))
    failing = sum(r.status in ("error", "partial") for r in results)
    new = sum(r.new for r in results)
    out.print(f"{len(results)} sources refreshed, {new} new items, {failing} with errors")


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
@click.option("--out", "out_path", default="-", show_default=True,
              help="File to write, or - for standard output.")  # fmt: skip
@click.option("--limit", default=200, show_default=True, type=click.IntRange(min=1),
              help="How many of the newest items.")  # fmt: skip
@pass_context
def feed(obj: Context, out_path: str, limit: int) -> None:
    """Write the combined Atom feed of stored items, newest first."""
    config = obj.config()
    store = obj.store()
    try:
        items = store.items(limit=limit)
    finally:
        store.close()
    document = render_feed(
        items,
        {source.id: source for source in config.sources},
        name="all",
        title="Kommunale Jobcenter – alle Meldungen",
        subtitle="Pressemitteilungen und Meldungen der kommunalen Jobcenter",
        self_url=f"{obj.base_url}/feeds/all.atom",
        fallback_updated=datetime.now(UTC),
    )
    if out_path == "-":
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
    else:
        write_atomically(Path(out_path), document)
        err.print(f"wrote {len(items)} entries to {out_path}")


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
        f"{len(config.campaigns)} campaigns"
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
@click.argument("url")
@pass_context
def discover(obj: Context, url: str) -> None:
    """Find the feeds a page offers and propose a `pages:` entry for it, as YAML."""
    defaults = Defaults()
    with contextlib.suppress(ConfigError):  # discovery works without a valid sources.yaml
        defaults = load_config(obj.config_path).defaults

    async def run() -> Discovery:
        async with Fetcher(defaults) as fetcher:
            return await discover_site(url, fetcher)

    found = asyncio.run(run())
    if found.error:
        err.print(f"[red]cannot fetch {escape(url)}[/red]: {escape(found.error)}")
        sys.exit(1)
    if found.is_feed:
        click.echo(f"# {url} is a feed itself\nfeeds:\n- {url}")
        return
    click.echo(_discovery_yaml(found), nl=False)  # plain: YAML must not be wrapped


def _when(value: datetime | None) -> str:
    return value.astimezone(BERLIN).strftime("%d.%m.%y %H:%M") if value else "–"


def health_rows(config: Config, store: Store, now: datetime) -> list[SourceHealth]:
    """One health row per source of the config, sick ones first."""
    counts = store.item_counts(since=now - timedelta(days=30))
    rows = []
    for source in config.sources:
        total, recent = counts.get(source.id, (0, 0))
        rows.append(summarize(source.id, store.fetch_states(source.id), total, recent))
    return sorted(rows, key=lambda row: (not row.sick, row.source_id))


@sources.command()
@pass_context
def status(obj: Context) -> None:
    """Show the health of every source: last success, failures, next attempt, items."""
    config = obj.config()
    store = obj.store()
    try:
        rows = health_rows(config, store, datetime.now(UTC))
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
        if row.guessed and status_text == "ok":
            status_text = "ok, guessed"
        style = "bold red" if is_sick else ("dim" if not enabled[row.source_id] else "")
        table.add_row(
            ("!" if plain else "✗") if is_sick else "", row.source_id, status_text,
            _when(row.last_success), str(row.failures), _when(row.next_attempt),
            str(row.items_total), str(row.items_recent),
            escape("; ".join(filter(None, [row.problem, *row.notes]))), style=style,
        )  # fmt: skip
    out.print(table)
    hint = " (marked !)" if sick and plain else ""
    out.print(f"{len(rows)} sources, {sick} need attention{hint}")


def main() -> None:
    try:
        cli(prog_name="aggregator")
    except sqlite3.Error as exc:
        db = os.environ.get("AGGREGATOR_DB", "the database")
        err.print(f"[red]error[/red] cannot use {escape(db)}: {escape(str(exc))}")
        sys.exit(2)
