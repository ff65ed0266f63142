"""The command line's shared parts: the root group, its global options, the consoles.

The CLI is the only place that prints for people. Exit codes: 0 success (failing
sources are reported, not fatal), 1 a requested page could not be fetched, 2 invalid
configuration or usage (a database schema of another version included), 3 the
database cannot be used (disk full, read-only, not a database), 4 the service cannot
start (address in use, another instance on the same database).
"""

from __future__ import annotations

import importlib
import sys

import click
from rich.console import Console
from rich.markup import escape

from aggregator.classify.judge import CLASSIFIER
from aggregator.config.loader import load_config
from aggregator.config.schema import Config
from aggregator.errors import ConfigError, SchemaError, StorageError
from aggregator.store.database import CAUSES, Store

STATUS_STYLE = {
    "ok": "green",
    "not-modified": "cyan",
    "partial": "yellow",
    "error": "bold red",
    "skipped": "dim",
}

EXIT_STORAGE = 3
EXIT_CANNOT_START = 4
EXIT_ALL_FAILED = 5  # fetch: every source failed (offline, or nothing reachable)
READ_ONLY_CAUSES = (CAUSES["SQLITE_READONLY"], CAUSES["SQLITE_CANTOPEN"])

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


LOCAL_BASE_URL = "http://127.0.0.1:8080"  # links when no public address is known


class Context:
    def __init__(self, config_path: str, db_path: str, base_url: str | None) -> None:
        self.config_path = config_path
        self.db_path = db_path
        self.explicit_base_url = base_url.rstrip("/") if base_url else None
        self.base_url = self.explicit_base_url or LOCAL_BASE_URL

    def config(self) -> Config:
        """The sources.yaml, or exit 2 naming its problems. Its `public_url` is the base
        URL of links unless --base-url chose one."""
        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            for problem in exc.problems:
                err.print(f"[red]error[/red] {escape(str(problem))}", soft_wrap=True)
            count = len(exc.problems)
            err.print(f"{self.config_path}: {count} problem{'s' * (count != 1)}; nothing was run")
            sys.exit(2)
        if self.explicit_base_url is None and config.public_url:
            self.explicit_base_url = self.base_url = config.public_url
        return config

    def store(self, read_only_ok: bool = False) -> Store:
        """The database; commands that only read (`read_only_ok`) also work on one they
        cannot write, such as a copy on a read-only disk."""
        try:
            return Store(self.db_path, CLASSIFIER)
        except SchemaError:
            raise
        except StorageError as exc:
            if not read_only_ok or exc.cause not in READ_ONLY_CAUSES:
                raise
        store = Store(self.db_path, CLASSIFIER, readonly=True)
        err.print(f"note: {escape(self.db_path)} is read-only; reading it as it is")
        return store


pass_context = click.make_pass_decorator(Context)

# Which module of aggregator.cli defines each command. A command's module is imported
# when the command runs: `aggregator fetch` from cron does not pay for the service,
# the web app and the demo (a third of its start-up).
COMMAND_MODULES = {
    "campaigns": "campaigns",
    "curate": "curate",
    "demo": "demo",
    "digest": "digests",
    "export": "exports",
    "feed": "refresh",
    "fetch": "refresh",
    "reload": "service",
    "review": "review",
    "run": "service",
    "sources": "sources",
    "users": "users",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"aggregator.cli.{module}")  # registers its commands
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    envvar="AGGREGATOR_CONFIG",
    default="sources.yaml",
    show_default=True,
    help="The sources.yaml to use (env AGGREGATOR_CONFIG).",
)
@click.option(
    "--db",
    "db_path",
    envvar="AGGREGATOR_DB",
    default="aggregator.db",
    show_default=True,
    help="SQLite database file (env AGGREGATOR_DB).",
)
@click.option(
    "--base-url",
    envvar="AGGREGATOR_BASE_URL",
    default=None,
    help="Public URL of the service, used in links [default: public_url in sources.yaml, "
    "else http://HOST:PORT].",
)
@click.version_option(package_name="jobcenter-aggregator")
@click.pass_context
def cli(ctx: click.Context, config_path: str, db_path: str, base_url: str | None) -> None:
    """Follow the press releases of Germany's kommunale Jobcenter in one feed."""
    ctx.obj = Context(config_path, db_path, base_url)
