"""`aggregator curate …`: editors' decisions from the command line, for operators and
scripts: take an item out of a campaign or into it, correct its title or date, undo a
decision, and read the log. ITEM is the item's link or its Atom id."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import click
from rich.markup import escape
from rich.table import Table

from aggregator.cli.app import Context, cli, err, out, pass_context
from aggregator.core.kinds import DecisionKind
from aggregator.core.time import BERLIN
from aggregator.errors import CurationError
from aggregator.fetch.client import Fetcher
from aggregator.pipeline import curate as curation
from aggregator.pipeline.refresh import sync_campaigns
from aggregator.store.curation import Decision

REASON = click.option("--reason", required=True, help="Why (kept in the log).")
BY = click.option("--by", "by", required=True, help="Who decides (kept in the log).")


@cli.group()
def curate() -> None:
    """Correct what a campaign shows; every decision is logged and can be undone."""


def _done(taken: curation.Taken, what: str) -> None:
    if not taken.ids:
        out.print(f"nothing to change: {what} already")
        return
    ids = ", ".join(f"#{i}" for i in taken.ids)
    out.print(f"{what} ({taken.item[0]}), decision {ids}; undo: aggregator curate undo ID")


def _decide(obj: Context, member: bool, campaign_id: str, item: str, reason: str, by: str) -> None:
    config = obj.config()
    store = obj.store()
    try:
        sync_campaigns(config, store)
        taken = curation.decide(
            config, store, member, campaign_id, item, reason, by, datetime.now(UTC)
        )
    except CurationError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}")
        sys.exit(2)
    finally:
        store.close()
    _done(taken, f"{'in' if member else 'out of'} {campaign_id}")


@curate.command()
@click.argument("campaign_id")
@click.argument("item")
@REASON
@BY
@pass_context
def exclude(obj: Context, campaign_id: str, item: str, reason: str, by: str) -> None:
    """Take ITEM out of CAMPAIGN_ID (and its phases), whatever the rules say."""
    _decide(obj, False, campaign_id, item, reason, by)


@curate.command()
@click.argument("campaign_id")
@click.argument("item")
@REASON
@BY
@pass_context
def include(obj: Context, campaign_id: str, item: str, reason: str, by: str) -> None:
    """Take ITEM into CAMPAIGN_ID, which the rules missed."""
    _decide(obj, True, campaign_id, item, reason, by)


def _correct(obj: Context, kind: DecisionKind, item: str, value: str, reason: str, by: str) -> None:
    config = obj.config()
    store = obj.store()
    try:
        taken = curation.correct(config, store, kind, item, value, reason, by, datetime.now(UTC))
    except CurationError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}")
        sys.exit(2)
    finally:
        store.close()
    _done(taken, f"{kind.value} corrected")


@curate.command()
@click.argument("item")
@click.argument("title")
@REASON
@BY
@pass_context
def title(obj: Context, item: str, title: str, reason: str, by: str) -> None:
    """Correct ITEM's title; no refresh overwrites it."""
    _correct(obj, DecisionKind.TITLE, item, title, reason, by)


@curate.command()
@click.argument("item")
@click.argument("day")
@REASON
@BY
@pass_context
def date(obj: Context, item: str, day: str, reason: str, by: str) -> None:
    """Correct ITEM's publication date (27.08.2019, or '27.08.2019 10:30', Berlin time)."""
    _correct(obj, DecisionKind.DATE, item, day, reason, by)


@curate.command()
@click.argument("source_id")
@click.argument("url")
@click.option("--campaign", "campaign_id", default=None, help="Take it into this campaign.")
@REASON
@BY
@pass_context
def add(
    obj: Context, source_id: str, url: str, campaign_id: str | None, reason: str, by: str
) -> None:
    """Add a release of SOURCE_ID its pages did not yield, read from URL like a detail
    page; --campaign takes it into a campaign too."""
    config = obj.config()
    store = obj.store()

    async def read() -> curation.Taken:
        now = datetime.now(UTC)
        async with Fetcher(config.defaults) as fetcher:
            return await curation.add_release(
                config, store, fetcher, source_id, url, campaign_id, reason, by, now
            )

    try:
        sync_campaigns(config, store)
        taken = asyncio.run(read())
    except CurationError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}")
        sys.exit(2)
    finally:
        store.close()
    stored = f"{taken.item[0]}/{taken.item[1]}"
    _done(taken, f"added as {stored}" + (f", in {campaign_id}" if campaign_id else ""))


def _regroup(obj: Context, item: str, into: str | None, reason: str, by: str) -> None:
    store = obj.store()
    try:
        taken = curation.regroup(store, item, into, reason, by, datetime.now(UTC))
    except CurationError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}")
        sys.exit(2)
    finally:
        store.close()
    _done(taken, "split off its joint release" if into is None else "merged")


@curate.command()
@click.argument("item")
@REASON
@BY
@pass_context
def split(obj: Context, item: str, reason: str, by: str) -> None:
    """Take ITEM out of its joint-release group: it is a release of its own."""
    _regroup(obj, item, None, reason, by)


@curate.command()
@click.argument("item")
@click.argument("other")
@REASON
@BY
@pass_context
def merge(obj: Context, item: str, other: str, reason: str, by: str) -> None:
    """Put ITEM into the joint-release group of OTHER: the same release."""
    _regroup(obj, item, other, reason, by)


@curate.command()
@click.argument("decision_id", type=int)
@BY
@pass_context
def undo(obj: Context, decision_id: int, by: str) -> None:
    """Undo decision DECISION_ID (the log shows the numbers)."""
    config = obj.config()
    store = obj.store()
    try:
        undone = curation.undo(config, store, decision_id, by, datetime.now(UTC))
    except CurationError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}")
        sys.exit(2)
    finally:
        store.close()
    out.print(f"undone: #{undone.id} {undone.kind.value} of {undone.source_id}")


@curate.command("log")
@click.argument("campaign_id", required=False)
@pass_context
def log(obj: Context, campaign_id: str | None) -> None:
    """The decisions, newest first (of one campaign and its items, if given)."""
    store = obj.store(read_only_ok=True)
    try:
        decisions = store.decisions(campaign_id=campaign_id)
        titles = {d: store.item(d.source_id, d.key) for d in decisions}
    finally:
        store.close()
    table = Table(title="Decisions")
    for heading in ("#", "when", "who", "what", "item", "why", "undone"):
        table.add_column(heading, overflow="fold")
    for decision in decisions:
        stored = titles[decision]
        name = stored.item.title if stored else decision.key
        table.add_row(
            str(decision.id),
            decision.at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M"),
            escape(decision.by),
            escape(describe(decision)),
            escape(f"{decision.source_id}: {name}"),
            escape(decision.reason),
            escape(_undone(decision)),
        )
    out.print(table if decisions else "no decisions yet")


def describe(decision: Decision) -> str:
    """A decision in a few words: 'out of aktionswoche-2019', 'title: A -> B'."""
    if decision.kind is DecisionKind.EXCLUDE:
        return f"out of {decision.campaign_id}"
    if decision.kind is DecisionKind.INCLUDE:
        return f"into {decision.campaign_id}"
    if decision.kind is DecisionKind.ADD:
        return f"added from {decision.after}"
    if decision.kind is DecisionKind.SPLIT:
        return f"split off {decision.before}"
    if decision.kind is DecisionKind.MERGE:
        return f"merged into {decision.after}"
    return f"{decision.kind.value}: {decision.before} -> {decision.after}"


def _undone(decision: Decision) -> str:
    if decision.undone_at is None:
        return ""
    return f"{decision.undone_by}, {decision.undone_at.astimezone(BERLIN):%d.%m.%Y %H:%M}"
