"""`aggregator campaigns …`: which items belong to a campaign, and why."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from aggregator.classify.campaigns import judge_all
from aggregator.cli.app import Context, cli, err, out, pass_context
from aggregator.config.schema import Campaign, Config
from aggregator.core.judging import Verdict
from aggregator.core.kinds import DatedBy
from aggregator.core.time import BERLIN
from aggregator.pipeline.refresh import stored_items, sync_campaigns
from aggregator.store.curation import Decision
from aggregator.store.database import Store


def suffix_or_exit(out_path: Path, suffixes: tuple[str, ...]) -> str:
    """The file's suffix, one of `suffixes`; else the command ends with exit 2."""
    suffix = out_path.suffix.lower()
    if suffix not in suffixes:
        names = " or ".join(suffixes)
        err.print(f"[red]error[/red] {escape(str(out_path))}: the file must end in {names}")
        sys.exit(2)
    return suffix


@contextmanager
def campaign_store(obj: Context, campaign_id: str) -> Iterator[tuple[Config, Campaign, Store]]:
    """The config, the campaign and the store (read-only will do), its campaigns judged
    by the rules of now; the store is closed afterwards."""
    config = obj.config()
    campaign = campaign_or_exit(config, campaign_id)
    store = obj.store(read_only_ok=True)
    try:
        sync_campaigns(config, store)
        yield config, campaign, store
    finally:
        store.close()


def write_or_exit(out_path: Path, body: bytes) -> None:
    """Write a document a command made; a file that cannot be written ends it with exit 1."""
    try:
        out_path.write_bytes(body)
    except OSError as exc:
        err.print(f"[red]error[/red] {escape(str(out_path))}: {escape(exc.strerror or str(exc))}")
        sys.exit(1)


def campaign_or_exit(config: Config, campaign_id: str) -> Campaign:
    for campaign in config.campaigns:
        if campaign.id == campaign_id:
            return campaign
    known = ", ".join(c.id for c in config.campaigns) or "none"
    err.print(f"[red]error[/red] unknown campaign {escape(campaign_id)!r}; known: {known}")
    sys.exit(2)


@cli.group()
def campaigns() -> None:
    """Campaigns: which stored items belong to them, and why."""


@campaigns.command("list")
@pass_context
def list_campaigns(obj: Context) -> None:
    """List the campaigns with their windows and how many items and jobcenters matched."""
    config = obj.config()
    store = obj.store(read_only_ok=True)
    try:
        sync_campaigns(config, store)
        table = Table(title="Campaigns")
        for column in ("id", "title", "window", "items", "jobcenters"):
            table.add_column(column)
        for campaign in config.campaigns:
            items = store.items(limit=None, campaign_id=campaign.id)
            window = f"{campaign.first_day:%d.%m.%Y} – " + (
                f"{campaign.last_day:%d.%m.%Y}" if campaign.last_day else "(standing)"
            )
            jobcenters = len({s.item.source_id for s in items})
            table.add_row(
                campaign.id, escape(campaign.title), window, str(len(items)), str(jobcenters)
            )
    finally:
        store.close()
    out.print(table)


# where an item's publication date came from (core.kinds.DatedBy), for the operator
DATE_SOURCES = {
    DatedBy.FEED: "the feed",
    DatedBy.LISTING: "the listing page",
    DatedBy.PAGE: "the date the release shows on its own page",
    DatedBy.METADATA: "the page's revision metadata (the release shows no date)",
    DatedBy.FIRST_SEEN: "none found: the time it was first seen",
    DatedBy.UNKNOWN: "not recorded (stored by an older version)",
}


def explanation(verdict: Verdict, dated_by: DatedBy = DatedBy.UNKNOWN) -> list[str]:
    """What decided: the phrase and the field it was found in, the date rule, and where
    the item's date came from."""
    lines = [
        f"{e.rule} phrase {e.phrase!r} found in the {e.field}: {e.quote!r}"
        for e in verdict.evidence
    ]
    lines.append(f"published date from {DATE_SOURCES[dated_by]}")
    if verdict.matched:
        lines.append(f"date: {verdict.dated_by}")
    lines.append(("why: " if verdict.matched else "not taken: ") + verdict.reason)
    return lines


@campaigns.command()
@click.argument("campaign_id")
@pass_context
def test(obj: Context, campaign_id: str) -> None:
    """Show which stored items belong to a campaign or phase, with the phrase, field and
    date rule that decided, and which nearly do (a matching text outside the window, an
    undated item held back) so that the rules can be tuned."""
    config = obj.config()
    campaign = campaign_or_exit(config, campaign_id)
    sources = {source.id: source for source in config.sources}
    store = obj.store(read_only_ok=True)
    try:
        verdicts = [
            (s, v)
            for s in stored_items(store)
            for v in judge_all(s.item, sources.get(s.item.source_id), config.campaigns)
            if v.campaign_id == campaign.id
        ]
        decided = store.campaign_decisions(campaign.id)
    finally:
        store.close()
    matches = [(s, v) for s, v in verdicts if v.matched]
    near = [(s, v) for s, v in verdicts if v.near_miss]
    counts = f"{len(verdicts)} items read, {len(matches)} match, {len(near)} nearly"
    out.print(f"[bold]{escape(campaign.title)}[/bold] ({campaign.id}): {counts}")
    for title, rows, style in (("Matches", matches, "green"), ("Near misses", near, "yellow")):
        if not rows:
            continue
        out.print(f"\n[{style}]{title}[/{style}]")
        for stored_item, verdict in rows:
            item = stored_item.item
            day = item.published.astimezone(BERLIN).strftime("%d.%m.%Y")
            day = f"({day}?)" if item.date_is_guess else day  # first seen: no date of its own
            out.print(f"  {day}  {item.source_id}: {escape(item.title)}", soft_wrap=True)
            lines = explanation(verdict, item.dated_by)
            if (decision := decided.get((item.source_id, item.key))) is not None:
                lines.append(editors_word(decision))
            for line in lines:
                out.print(f"      [dim]{escape(line)}[/dim]", soft_wrap=True)
    judged = {(s.item.source_id, s.item.key) for s, _ in matches}
    taken_in = [d for item, d in decided.items() if item not in judged and d.after == "in"]
    if taken_in:
        out.print("\n[cyan]Taken in by editors (the rules do not match)[/cyan]")
        for decision in taken_in:
            out.print(f"  {decision.source_id}: {escape(decision.key)}", soft_wrap=True)
            out.print(f"      [dim]{escape(editors_word(decision))}[/dim]", soft_wrap=True)


def editors_word(decision: Decision) -> str:
    """What a person decided over the rules, beside the rules' verdict."""
    verb = "taken in" if decision.after == "in" else "taken out"
    when = decision.at.astimezone(BERLIN).strftime("%d.%m.%Y")
    return f"editor: {verb} by {decision.by} on {when} (#{decision.id}): {decision.reason}"
