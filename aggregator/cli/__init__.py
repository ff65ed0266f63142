"""The command line: `aggregator --help`."""

from __future__ import annotations

import sqlite3
import sys

from rich.markup import escape

from aggregator.cli.app import EXIT_STORAGE, cli, err
from aggregator.errors import SchemaError, StorageError

__all__ = ["cli", "main"]


def main() -> None:
    """The command line; a failing database ends any command with one line and exit 3
    (2 for a schema this version did not write), never with a traceback."""
    try:
        cli(prog_name="aggregator")
    except StorageError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}; nothing more was stored", soft_wrap=True)
        sys.exit(2 if isinstance(exc, SchemaError) else EXIT_STORAGE)
    except sqlite3.Error as exc:  # a bug of ours with a value, not the database
        err.print(f"[red]error[/red] database: {escape(str(exc))}", soft_wrap=True)
        sys.exit(EXIT_STORAGE)
