"""`aggregator review`: the press review of a campaign as PDF or HTML."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.markup import escape

from aggregator.cli.app import Context, cli, err, out, pass_context
from aggregator.cli.campaigns import campaign_or_exit
from aggregator.pipeline.refresh import sync_campaigns
from aggregator.publish.pdf import html_to_pdf
from aggregator.publish.review import campaign_review, render_review


@cli.command("review")
@click.argument("campaign_id")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="FILE.pdf or FILE.html")  # fmt: skip
@pass_context
def review(obj: Context, campaign_id: str, out_path: Path) -> None:
    """Write the press review of a campaign: a title page with its figures, the map and the
    timeline, participation per Land, then every item in date order."""
    suffix = out_path.suffix.lower()
    if suffix not in (".pdf", ".html"):
        err.print(f"[red]error[/red] {escape(str(out_path))}: the file must end in .pdf or .html")
        sys.exit(2)
    config = obj.config()
    campaign = campaign_or_exit(config, campaign_id)
    store = obj.store(read_only_ok=True)
    try:
        sync_campaigns(config, store)
        document = campaign_review(config, store, campaign, datetime.now(UTC), obj.base_url)
    finally:
        store.close()
    html = render_review(document)
    body = html_to_pdf(html) if suffix == ".pdf" else html.encode("utf-8")
    try:
        out_path.write_bytes(body)
    except OSError as exc:
        err.print(f"[red]error[/red] {escape(str(out_path))}: {escape(exc.strerror or str(exc))}")
        sys.exit(1)
    figures = document.view
    out.print(f"{escape(str(out_path))}: {len(document.entries)} entries ({figures.items} "
              f"items), {figures.participating} jobcenters")  # fmt: skip
