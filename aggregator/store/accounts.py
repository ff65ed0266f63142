"""Accounts, sessions and failed logins (schema migration 22). Passwords arrive here
hashed (web.passwords); session and CSRF tokens are kept as SHA-256 hashes, so that a
copy of the database opens no session."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from aggregator.core.kinds import Role
from aggregator.store.rows import stored_time, to_text
from aggregator.store.storage import Storage


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: Role
    hash: str
    feed_token: str
    created: datetime


@dataclass(frozen=True, slots=True)
class Session:
    user: str
    role: Role
    csrf_hash: str
    expires: datetime


def _account(row: sqlite3.Row) -> Account:
    return Account(
        row["name"], Role(row["role"]), row["hash"], row["feed_token"], stored_time(row["created"])
    )


def add(
    conn: sqlite3.Connection, name: str, role: Role, hashed: str, feed_token: str, now: datetime
) -> None:
    """A new account; raises sqlite3.IntegrityError if the name is taken."""
    conn.execute(
        "INSERT INTO users (name, role, hash, feed_token, created) VALUES (?, ?, ?, ?, ?)",
        (name, role, hashed, feed_token, to_text(now)),
    )


def account(conn: sqlite3.Connection, name: str) -> Account | None:
    row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    return _account(row) if row is not None else None


def by_feed_token(conn: sqlite3.Connection, feed_token: str) -> Account | None:
    row = conn.execute("SELECT * FROM users WHERE feed_token = ?", (feed_token,)).fetchone()
    return _account(row) if row is not None else None


def accounts(conn: sqlite3.Connection) -> list[Account]:
    return [_account(row) for row in conn.execute("SELECT * FROM users ORDER BY name")]


def remove(conn: sqlite3.Connection, name: str) -> bool:
    """Remove the account and end its sessions; False if there was none."""
    conn.execute("DELETE FROM sessions WHERE user = ?", (name,))
    return conn.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0


def set_hash(conn: sqlite3.Connection, name: str, hashed: str) -> bool:
    """A new password: every session of the account ends. False if there is no account."""
    conn.execute("DELETE FROM sessions WHERE user = ?", (name,))
    return conn.execute("UPDATE users SET hash = ? WHERE name = ?", (hashed, name)).rowcount > 0


def open_session(
    conn: sqlite3.Connection, token: str, csrf: str, user: str, now: datetime, expires: datetime
) -> None:
    conn.execute("DELETE FROM sessions WHERE expires < ?", (to_text(now),))
    conn.execute(
        "INSERT INTO sessions (token_hash, user, csrf, created, expires) VALUES (?, ?, ?, ?, ?)",
        (token_hash(token), user, token_hash(csrf), to_text(now), to_text(expires)),
    )


def session(conn: sqlite3.Connection, token: str, now: datetime) -> Session | None:
    """The live session of a cookie's token (None: unknown, expired or its user gone)."""
    row = conn.execute(
        "SELECT s.user, u.role, s.csrf, s.expires FROM sessions s JOIN users u "
        "ON u.name = s.user WHERE s.token_hash = ? AND s.expires > ?",
        (token_hash(token), to_text(now)),
    ).fetchone()
    if row is None:
        return None
    return Session(row[0], Role(row[1]), row[2], stored_time(row[3]))


def close_session(conn: sqlite3.Connection, token: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))


def failed(conn: sqlite3.Connection, scopes: list[str], now: datetime) -> None:
    conn.executemany(
        "INSERT INTO login_failures (scope, at) VALUES (?, ?)",
        [(scope, to_text(now)) for scope in scopes],
    )


def failures(conn: sqlite3.Connection, scope: str, since: datetime) -> int:
    """Failed logins of an address or an account since `since`."""
    found: int = conn.execute(
        "SELECT count(*) FROM login_failures WHERE scope = ? AND at >= ?", (scope, to_text(since))
    ).fetchone()[0]
    return found


def forget_failures(conn: sqlite3.Connection, before: datetime) -> None:
    conn.execute("DELETE FROM login_failures WHERE at < ?", (to_text(before),))


class AccountStorage(Storage):
    """The store's accounts, sessions and login failures (a part of Store)."""

    def add_user(self, name: str, role: Role, hashed: str, feed_token: str, now: datetime) -> bool:
        """False if the name is taken."""
        try:
            with self.transaction() as conn:
                add(conn, name, role, hashed, feed_token, now)
        except sqlite3.IntegrityError:
            return False
        return True

    def user(self, name: str) -> Account | None:
        return account(self._conn, name)

    def user_by_feed_token(self, feed_token: str) -> Account | None:
        return by_feed_token(self._conn, feed_token)

    def users(self) -> list[Account]:
        return accounts(self._conn)

    def remove_user(self, name: str) -> bool:
        with self.transaction() as conn:
            return remove(conn, name)

    def set_password_hash(self, name: str, hashed: str) -> bool:
        with self.transaction() as conn:
            return set_hash(conn, name, hashed)

    def open_session(
        self, token: str, csrf: str, user: str, now: datetime, expires: datetime
    ) -> None:
        with self.transaction() as conn:
            open_session(conn, token, csrf, user, now, expires)

    def session(self, token: str, now: datetime) -> Session | None:
        return session(self._conn, token, now)

    def close_session(self, token: str) -> None:
        with self.transaction() as conn:
            close_session(conn, token)

    def login_failed(self, scopes: list[str], now: datetime, keep_since: datetime) -> None:
        with self.transaction() as conn:
            forget_failures(conn, keep_since)
            failed(conn, scopes, now)

    def login_failures(self, scope: str, since: datetime) -> int:
        return failures(self._conn, scope, since)
