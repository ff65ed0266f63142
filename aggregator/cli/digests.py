"""`aggregator digest`: what an e-mail digest would say now, send it now, or show what it
sent."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from email.message import EmailMessage

import click
from rich.markup import escape
from rich.table import Table

from aggregator.cli.app import Context, cli, err, out, pass_context
from aggregator.config.schema import Config, Digest
from aggregator.core.kinds import DeliveryState
from aggregator.core.time import BERLIN
from aggregator.deliver import digests
from aggregator.deliver.smtp import Session
from aggregator.pipeline.refresh import sync_campaigns


def digest_or_exit(config: Config, digest_id: str) -> Digest:
    try:
        return config.digest(digest_id)
    except KeyError:
        known = ", ".join(d.id for d in config.digests) or "none (sources.yaml: digests:)"
        err.print(f"[red]error[/red] unknown digest {escape(digest_id)!r}; known: {known}")
        sys.exit(2)


@cli.command("digest")
@click.argument("digest_id")
@click.option("--send", is_flag=True, help="Send it now to every recipient.")
@click.option("--dry-run", is_flag=True, help="Print the text part only (the default).")
@click.option("--status", is_flag=True, help="Show what this digest sent lately.")
@pass_context
def digest(obj: Context, digest_id: str, send: bool, dry_run: bool, status: bool) -> None:
    """Print the e-mail digest DIGEST_ID as it would go out now (--dry-run), send it now
    (--send: what arrived since its last one; the schedule goes on from there), or show
    its recent deliveries (--status)."""
    if sum((send, dry_run, status)) > 1:
        err.print("[red]error[/red] choose one of --send, --dry-run and --status")
        sys.exit(2)
    config = obj.config()
    chosen = digest_or_exit(config, digest_id)
    store = obj.store(read_only_ok=not send)
    now = datetime.now(UTC)
    try:
        if status:
            _status(store.recent_digests(chosen.id))
            return
        sync_campaigns(config, store)
        if not send:
            period, subject, text, count = digests.preview(store, config, chosen, obj.base_url, now)
            if obj.explicit_base_url is None:
                err.print(
                    f"[yellow]note[/yellow] links point at {obj.base_url}: set public_url: "
                    "in sources.yaml before sending"
                )
            out.print(f"Subject: {escape(subject)}", soft_wrap=True)
            out.print(f"To: {escape(', '.join(chosen.to))}", soft_wrap=True)
            out.print(f"Period: {escape(period.key)} ({count} items)\n", soft_wrap=True)
            click.echo(text, nl=False)
            return
        assert config.mail is not None
        if obj.explicit_base_url is None:
            err.print(
                f"[red]error[/red] not sent: the digest's links would lead to {obj.base_url}, "
                "this machine; set public_url: in sources.yaml (the address coordinators open "
                "the service at) or pass --base-url",
                soft_wrap=True,
            )
            sys.exit(2)
        session = Session(config.mail)

        async def send_one(message: EmailMessage) -> str | None:
            return session.send(message)

        period = digests.now_period(chosen, config, now)
        try:
            outcomes = asyncio.run(
                digests.deliver_period(
                    store, config, chosen, period, obj.base_url, send_one, lambda: datetime.now(UTC)
                )
            )
        finally:
            session.close()
    finally:
        store.close()
    failed = [o for o in outcomes if o.state == DeliveryState.FAILED]
    for outcome in outcomes:
        line = {"sent": f"sent ({outcome.items} items)", "empty": "nothing new: not sent"}.get(
            outcome.state, f"[red]failed[/red]: {escape(outcome.error or '')}"
        )
        out.print(f"{escape(outcome.recipient)}: {line}", soft_wrap=True)
    sys.exit(1 if failed else 0)


def _status(rows: list[digests.Delivery]) -> None:
    table = Table(title="Recent deliveries")
    for heading in ("period", "recipient", "state", "items", "tries", "when", "problem"):
        table.add_column(heading)
    for row in rows:
        when = row.updated.astimezone(BERLIN).strftime("%d.%m.%y %H:%M")
        table.add_row(
            row.period,
            escape(row.recipient),
            row.state,
            str(row.items),
            str(row.attempts),
            when,
            escape(row.last_error or ""),
        )
    out.print(table if rows else "nothing sent yet")
