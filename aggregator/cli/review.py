"""`aggregator review`: the press review of a campaign as PDF or HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.markup import escape

from aggregator.cli.app import Context, cli, out, pass_context
from aggregator.cli.campaigns import campaign_store, suffix_or_exit, write_or_exit
from aggregator.publish.pdf import html_to_pdf
from aggregator.publish.review import campaign_review, render_review


@cli.command("review")
@click.argument("campaign_id")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.pdf or FILE.html",
)
@pass_context
def review(obj: Context, campaign_id: str, out_path: Path) -> None:
    """Write the press review of a campaign: a title page with its figures, the map and the
    timeline, participation per Land, then every item in date order."""
    suffix = suffix_or_exit(out_path, (".pdf", ".html"))
    with campaign_store(obj, campaign_id) as (config, campaign, store):
        document = campaign_review(config, store, campaign, datetime.now(UTC), obj.base_url)
    html = render_review(document)
    write_or_exit(out_path, html_to_pdf(html) if suffix == ".pdf" else html.encode("utf-8"))
    figures = document.view
    out.print(
        f"{escape(str(out_path))}: {len(document.entries)} entries ({figures.items} "
        f"items), {figures.participating} jobcenters"
    )
