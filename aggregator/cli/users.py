"""`aggregator users …`: the accounts of editors (who may change what a campaign shows)
and viewers (who may read a private service). A password is read from standard input
or a prompt, never from the command line, where other users of the machine see it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from rich.markup import escape
from rich.table import Table

from aggregator.cli.app import Context, cli, err, out, pass_context
from aggregator.core.kinds import Role
from aggregator.core.time import BERLIN
from aggregator.errors import WeakPassword
from aggregator.web.passwords import hash_password, new_token
from aggregator.web.private import private_address

NAME_CHARACTERS = "letters, digits, '.', '-' and '_'"


def _password() -> str:
    """From a prompt (asked twice) at a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        entered: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return entered
    return sys.stdin.readline().rstrip("\r\n")


def _hashed() -> str:
    try:
        return hash_password(_password())
    except WeakPassword as exc:
        err.print(f"[red]error[/red] {exc}")
        sys.exit(2)


def _valid_name(name: str) -> str:
    if not name or len(name) > 64 or not all(c.isalnum() or c in ".-_" for c in name):
        err.print(f"[red]error[/red] a user name has 1 to 64 {NAME_CHARACTERS}: {escape(name)!r}")
        sys.exit(2)
    return name


@cli.group()
def users() -> None:
    """Accounts: editors curate campaigns, viewers read a private service."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@pass_context
def add(obj: Context, name: str, role: str) -> None:
    """Add an account; its password comes from standard input or a prompt."""
    _valid_name(name)
    hashed = _hashed()
    store = obj.store()
    try:
        if not store.add_user(name, Role(role), hashed, new_token(), datetime.now(UTC)):
            err.print(f"[red]error[/red] there is an account {escape(name)!r} already")
            sys.exit(2)
    finally:
        store.close()
    out.print(f"added {escape(name)} ({role})")


@users.command("list")
@pass_context
def list_users(obj: Context) -> None:
    """The accounts with their roles (never their passwords)."""
    store = obj.store(read_only_ok=True)
    try:
        accounts = store.users()
    finally:
        store.close()
    table = Table(title="Accounts")
    for heading in ("name", "role", "since"):
        table.add_column(heading)
    for account in accounts:
        since = account.created.astimezone(BERLIN).strftime("%d.%m.%Y")
        table.add_row(escape(account.name), account.role.value, since)
    out.print(table if accounts else "no accounts yet: aggregator users add NAME --role editor")


@users.command("remove")
@click.argument("name")
@pass_context
def remove(obj: Context, name: str) -> None:
    """Remove an account and end its sessions (its decisions stay in the log)."""
    store = obj.store()
    try:
        removed = store.remove_user(name)
    finally:
        store.close()
    if not removed:
        err.print(f"[red]error[/red] no account {escape(name)!r}")
        sys.exit(2)
    out.print(f"removed {escape(name)}")


@users.command("passwd")
@click.argument("name")
@pass_context
def passwd(obj: Context, name: str) -> None:
    """Set a new password (standard input or a prompt); the account's sessions end."""
    hashed = _hashed()
    store = obj.store()
    try:
        changed = store.set_password_hash(name, hashed)
    finally:
        store.close()
    if not changed:
        err.print(f"[red]error[/red] no account {escape(name)!r}")
        sys.exit(2)
    out.print(f"new password for {escape(name)}; its sessions ended")


@users.command("token")
@click.argument("name")
@pass_context
def token(obj: Context, name: str) -> None:
    """The account's personal feed address, for feed readers of a private service
    (`access: private`): its OPML and the feed of everything."""
    obj.config()  # the public_url, for the addresses
    store = obj.store(read_only_ok=True)
    try:
        account = store.user(name)
    finally:
        store.close()
    if account is None:
        err.print(f"[red]error[/red] no account {escape(name)!r}")
        sys.exit(2)
    root = private_address(obj.base_url, account.feed_token)
    out.print(f"{root}/sources.opml", soft_wrap=True)
    out.print(f"{root}/feeds/all.atom", soft_wrap=True)
