"""`aggregator demo`: the whole product on a machine without internet."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import click

from aggregator.cli.app import cli, out
from aggregator.core.logs import setup
from aggregator.demo.server import SampleSites
from aggregator.demo.sites import build_sites, demo_config, load_offices
from aggregator.service.runner import Service


@cli.command()
@click.option(
    "--port",
    envvar="AGGREGATOR_PORT",
    default=8080,
    show_default=True,
    type=int,
    help="Port of the aggregator's dashboard and feeds.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo's sources.yaml and database here "
    "(default: a temporary folder, removed when the demo stops).",
)
def demo(port: int, data_dir: Path | None) -> None:
    """Start sample press offices on loopback and the service reading them.

    Ignores --config and --db: the demo brings its own sources.yaml (written into
    the data folder) and database. Stop it with Ctrl+C.
    """
    setup("text")
    sites = SampleSites().start()
    try:
        offices = load_offices(sites.base)
        sites.pages.update(build_sites(offices))
        with tempfile.TemporaryDirectory(prefix="aggregator-demo-") as temporary:
            folder = data_dir or Path(temporary)
            folder.mkdir(parents=True, exist_ok=True)
            config = folder / "sources.yaml"
            config.write_text(demo_config(offices), encoding="utf-8")
            base_url = f"http://127.0.0.1:{port}"
            db = folder / "demo.db"
            service = Service(str(config), str(db), "127.0.0.1", port, base_url, f"{db}.pid")
            styles = len({office.style for office in offices})
            out.print(
                f"Sample press sites:  {sites.base}/  ({len(offices)} offices, {styles} styles)\n"
                f"Dashboard:           {base_url}/\n"
                f"Combined feed:       {base_url}/feeds/all.atom\n"
                f"Action week 2019:    {base_url}/feeds/campaigns/aktionswoche-2019.atom\n"
                f"All feeds as OPML:   {base_url}/sources.opml\n"
                f"Config and database: {folder}\n"
                f"After editing it:    aggregator --config {config} --db {db} reload\n"
                "The first refresh takes a few seconds. Stop with Ctrl+C.",
                highlight=False,
                soft_wrap=True,
            )
            asyncio.run(service.run())
    finally:
        sites.stop()
