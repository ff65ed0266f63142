"""`aggregator run` and `aggregator reload`: the long-running service."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import click
from rich.markup import escape

from aggregator.cli.app import EXIT_CANNOT_START, Context, cli, err, pass_context
from aggregator.core.logs import setup
from aggregator.errors import CannotStart, ConfigError
from aggregator.service.process import InstanceLock
from aggregator.service.runner import Service


def _pid_file(obj: Context) -> str:
    return f"{obj.db_path}.pid"


@cli.command()
@click.option(
    "--host",
    envvar="AGGREGATOR_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 in a container).",
)
@click.option(
    "--port",
    envvar="AGGREGATOR_PORT",
    default=8080,
    show_default=True,
    type=click.IntRange(1, 65535),
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="AGGREGATOR_LOG_FORMAT",
)
@pass_context
def run(obj: Context, host: str, port: int, log_format: str) -> None:
    """Run the service: scheduled refreshes, feeds over HTTP, dashboard, health, metrics."""
    setup(log_format)
    obj.config()  # a broken sources.yaml is reported here, with file and line
    base_url = (
        obj.explicit_base_url or f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"
    )
    try:
        service = Service(obj.config_path, obj.db_path, host, port, base_url, _pid_file(obj))
    except ConfigError as exc:  # changed between the check and now
        for problem in exc.problems:
            err.print(f"[red]error[/red] {escape(str(problem))}")
        sys.exit(2)
    try:
        asyncio.run(service.run())
    except CannotStart as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(EXIT_CANNOT_START)


@cli.command()
@pass_context
def reload(obj: Context) -> None:
    """Make the running service read sources.yaml again (like SIGHUP), once the file
    has been checked: a broken file is reported here, and the service is left alone."""
    config = obj.config()  # exits 2, naming every problem, before anything is signalled
    pid_file = Path(_pid_file(obj))
    if pid_file.exists() and not InstanceLock.held(pid_file):
        err.print(f"[red]error[/red] no running service ({escape(str(pid_file))} is stale)")
        sys.exit(1)
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGHUP)
    except (FileNotFoundError, ValueError):
        err.print(f"[red]error[/red] no running service found ({escape(str(pid_file))} missing)")
        sys.exit(1)
    except ProcessLookupError:
        err.print(f"[red]error[/red] the service with pid {pid} is not running any more")
        sys.exit(1)
    enabled = sum(source.enabled for source in config.sources)
    err.print(
        f"{obj.config_path} is valid ({enabled} enabled sources); asked the service "
        f"(pid {pid}) to reload it"
    )
