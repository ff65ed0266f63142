"""WebSub subscriptions to our feeds (websub_subscriptions): added once the subscriber
confirmed its intent, renewed by a new subscription, removed by unsubscribing or by the
subscriber's 410; each remembers what it was last sent and when to try again."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from aggregator.store.rows import from_text, to_text
from aggregator.store.storage import Storage


@dataclass(frozen=True)
class Subscription:
    topic: str
    callback: str
    secret: str | None
    expires: datetime
    delivered_etag: str | None
    failures: int
    next_attempt: datetime | None
    last_error: str | None


def _subscription(row: sqlite3.Row) -> Subscription:
    expires = from_text(row["expires"])
    assert expires is not None
    return Subscription(
        row["topic"],
        row["callback"],
        row["secret"],
        expires,
        row["delivered_etag"],
        row["failures"],
        from_text(row["next_attempt"]),
        row["last_error"],
    )


def subscribe(  # noqa: PLR0913 - the columns of one row and the cap
    conn: sqlite3.Connection,
    topic: str,
    callback: str,
    secret: str | None,
    expires: datetime,
    etag: str | None,
    now: datetime,
    limit: int,
) -> bool:
    """A new subscription, or a renewed one (new lease and secret); `etag` is what the
    subscriber has already seen: nothing to send until the document changes. False, and
    nothing stored, for a new one when `limit` subscriptions exist (checked here, in the
    transaction: requests verified at the same time each passed the hub's first check)."""
    known = conn.execute(
        "SELECT 1 FROM websub_subscriptions WHERE topic = ? AND callback = ?", (topic, callback)
    ).fetchone()
    if known is None and count(conn) >= limit:
        return False
    conn.execute(
        "INSERT INTO websub_subscriptions (topic, callback, secret, expires, delivered_etag, "
        "created) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET secret = excluded.secret, "
        "expires = excluded.expires, failures = 0, next_attempt = NULL, last_error = NULL",
        (topic, callback, secret, to_text(expires), etag, to_text(now)),
    )
    return True


def unsubscribe(conn: sqlite3.Connection, topic: str, callback: str) -> None:
    conn.execute(
        "DELETE FROM websub_subscriptions WHERE topic = ? AND callback = ?", (topic, callback)
    )


def active(conn: sqlite3.Connection, now: datetime) -> list[Subscription]:
    """Subscriptions whose lease runs; expired ones are removed on the way."""
    conn.execute("DELETE FROM websub_subscriptions WHERE expires <= ?", (to_text(now),))
    rows = conn.execute("SELECT * FROM websub_subscriptions ORDER BY topic, callback")
    return [_subscription(row) for row in rows]


def count(conn: sqlite3.Connection) -> int:
    found: int = conn.execute("SELECT count(*) FROM websub_subscriptions").fetchone()[0]
    return found


def delivered(conn: sqlite3.Connection, topic: str, callback: str, etag: str) -> None:
    conn.execute(
        "UPDATE websub_subscriptions SET delivered_etag = ?, failures = 0, next_attempt = NULL, "
        "last_error = NULL WHERE topic = ? AND callback = ?",
        (etag, topic, callback),
    )


def failed(
    conn: sqlite3.Connection, topic: str, callback: str, error: str, retry: datetime
) -> None:
    conn.execute(
        "UPDATE websub_subscriptions SET failures = failures + 1, next_attempt = ?, "
        "last_error = ? WHERE topic = ? AND callback = ?",
        (to_text(retry), error[:300], topic, callback),
    )


class WebSubStorage(Storage):
    """The store's WebSub subscriptions (a part of Store)."""

    def websub_subscribe(
        self,
        topic: str,
        callback: str,
        secret: str | None,
        expires: datetime,
        etag: str | None,
        now: datetime,
        limit: int,
    ) -> bool:
        """False: the hub is full (a renewal always passes)."""
        with self.transaction() as conn:
            return subscribe(conn, topic, callback, secret, expires, etag, now, limit)

    def websub_unsubscribe(self, topic: str, callback: str) -> None:
        with self.transaction() as conn:
            unsubscribe(conn, topic, callback)

    def websub_active(self, now: datetime) -> list[Subscription]:
        """Subscriptions whose lease runs (expired ones are dropped on the way)."""
        if not count(self._conn):
            return []  # the usual case, without taking the write lock
        with self.transaction() as conn:
            return active(conn, now)

    def websub_count(self) -> int:
        return count(self._conn)

    def websub_delivered(self, topic: str, callback: str, etag: str) -> None:
        with self.transaction() as conn:
            delivered(conn, topic, callback, etag)

    def websub_failed(self, topic: str, callback: str, error: str, retry: datetime) -> None:
        with self.transaction() as conn:
            failed(conn, topic, callback, error, retry)
