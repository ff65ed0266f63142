"""The command line: `aggregator --help`."""

from __future__ import annotations

import os
import sqlite3
import sys

from rich.markup import escape

from aggregator.cli import campaigns, demo, refresh, service, sources  # noqa: F401  (they register commands)
from aggregator.cli.app import cli, err

__all__ = ["cli", "main"]


def main() -> None:
    try:
        cli(prog_name="aggregator")
    except sqlite3.Error as exc:
        db = os.environ.get("AGGREGATOR_DB", "the database")
        err.print(f"[red]error[/red] cannot use {escape(db)}: {escape(str(exc))}")
        sys.exit(2)
