"""`aggregator export`: a campaign's items and participation as CSV or Excel."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.markup import escape

from aggregator.cli.app import Context, cli, out, pass_context
from aggregator.cli.campaigns import campaign_store, suffix_or_exit, write_or_exit
from aggregator.publish.exports import campaign_tables, resonance_table
from aggregator.publish.spreadsheets import to_csv, to_xlsx

SUFFIXES = (".csv", ".xlsx")


@cli.command("export")
@click.argument("campaign_id")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.csv or FILE.xlsx",
)
@click.option(
    "--participation",
    is_flag=True,
    help="CSV: participation per jobcenter, not items (XLSX holds both)",
)
@click.option(
    "--resonance",
    is_flag=True,
    help="The press articles that echo the campaign's releases instead "
    "(paper, date, title, link, release and its jobcenter, score)",
)
@pass_context
def export(
    obj: Context, campaign_id: str, out_path: Path, participation: bool, resonance: bool
) -> None:
    """Write a campaign's items (source, Land, date, title, link, teaser, group, rule) and
    its participation per jobcenter to a file German Excel opens as it is; or, with
    --resonance, its echo in the press."""
    suffix = suffix_or_exit(out_path, SUFFIXES)
    if resonance:
        with campaign_store(obj, campaign_id) as (config, campaign, store):
            table = resonance_table(config, store, campaign)
        write_or_exit(out_path, to_xlsx(table) if suffix == ".xlsx" else to_csv(table))
        out.print(
            f"{escape(str(out_path))}: {len(table.rows)} articles echoing {escape(campaign.title)}"
        )
        return
    with campaign_store(obj, campaign_id) as (config, campaign, store):
        items, per_jobcenter = campaign_tables(config, store, campaign, datetime.now(UTC))
    chosen = (
        [items, per_jobcenter] if suffix == ".xlsx" else [per_jobcenter if participation else items]
    )
    write_or_exit(out_path, to_xlsx(*chosen) if suffix == ".xlsx" else to_csv(chosen[0]))
    written = ", ".join(
        f"{len(table.rows)} {'jobcenters' if table is per_jobcenter else 'items'}"
        for table in chosen
    )
    out.print(f"{escape(str(out_path))}: {written} of {escape(campaign.title)}")
