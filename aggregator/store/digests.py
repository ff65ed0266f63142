"""What each e-mail digest sent, per period and recipient (digest_deliveries), so that a
period goes out once: a recipient's period is claimed in the same write transaction that
reads the items' arrival numbers, so two senders cannot both claim it, and the digest
holds exactly the items that arrived between the last period and the claim."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from aggregator.core.kinds import DeliveryState
from aggregator.store.items import arrivals_before, last_arrival
from aggregator.store.rows import as_enum, from_text, stored_time, to_text
from aggregator.store.storage import Storage

DONE = (DeliveryState.SENT, DeliveryState.EMPTY, DeliveryState.UNCERTAIN)  # never goes out again


@dataclass(frozen=True)
class Delivery:
    digest_id: str
    period: str
    recipient: str
    state: DeliveryState
    upto: int
    items: int
    message_id: str
    claimed_by: str | None
    attempts: int
    last_error: str | None
    next_attempt: datetime | None
    updated: datetime


@dataclass(frozen=True)
class Claim:
    """One recipient's period, claimed to be sent now: the items that arrived after
    `after` up to `upto`."""

    recipient: str
    after: int
    upto: int
    message_id: str
    attempt: int


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        row["digest_id"],
        row["period"],
        row["recipient"],
        as_enum(DeliveryState, row["state"]) or DeliveryState.UNCERTAIN,
        row["upto"],
        row["items"],
        row["message_id"],
        row["claimed_by"],
        row["attempts"],
        row["last_error"],
        from_text(row["next_attempt"]),
        stored_time(row["updated"]),
    )


def delivery(
    conn: sqlite3.Connection, digest_id: str, period: str, recipient: str
) -> Delivery | None:
    row = conn.execute(
        "SELECT * FROM digest_deliveries WHERE digest_id = ? AND period = ? AND recipient = ?",
        (digest_id, period, recipient),
    ).fetchone()
    return _delivery(row) if row else None


def cursor(conn: sqlite3.Connection, digest_id: str, recipient: str) -> int | None:
    """Where the recipient's next digest starts: after the last period that went out (or
    was empty, or may have gone out); before any of them, where its first failed period
    started, so that the failed period's items come with the next one; None before the
    first period of all."""
    marks = ",".join("?" * len(DONE))
    done, failed = conn.execute(
        f"SELECT max(CASE WHEN state IN ({marks}) THEN upto END), "
        "min(CASE WHEN state = 'failed' THEN after END) FROM digest_deliveries "
        "WHERE digest_id = ? AND recipient = ?",
        (*DONE, digest_id, recipient),
    ).fetchone()
    found: int | None = done if done is not None else failed
    return found


def start(conn: sqlite3.Connection, digest_id: str, recipient: str, since: datetime | None) -> int:
    """The arrival number the recipient's next digest starts after: its cursor, or for a
    first digest the last item first seen before `since` (None: from the first item)."""
    after = cursor(conn, digest_id, recipient)
    if after is not None:
        return after
    return 0 if since is None else arrivals_before(conn, since)


def known_since(conn: sqlite3.Connection, digest_id: str, now: datetime) -> datetime:
    """When the digest was first seen (now, if this is the first time)."""
    conn.execute(
        "INSERT INTO digests_known (digest_id, since) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (digest_id, to_text(now)),
    )
    (since,) = conn.execute(
        "SELECT since FROM digests_known WHERE digest_id = ?", (digest_id,)
    ).fetchone()
    return stored_time(since)


def claimable(row: Delivery | None, now: datetime) -> bool:
    """Whether a recipient's period may be claimed: never tried, or failed and its wait over."""
    if row is None:
        return True
    return row.state == DeliveryState.FAILED and (
        row.next_attempt is None or row.next_attempt <= now
    )


def claim(
    conn: sqlite3.Connection,
    digest_id: str,
    period: str,
    recipients: Iterable[tuple[str, str]],
    claimant: str,
    now: datetime,
    since: datetime | None,
) -> list[Claim]:
    """Claim the period for each (recipient, message id) not yet sent or claimed, in the
    caller's write transaction; a failed one is claimed again once its wait is over and
    keeps its message id. A first period starts with what was first seen `since`."""
    upto = last_arrival(conn)
    claims = []
    for recipient, message_id in recipients:
        row = delivery(conn, digest_id, period, recipient)
        if not claimable(row, now):
            continue
        after = start(conn, digest_id, recipient, since)
        conn.execute(
            "INSERT INTO digest_deliveries (digest_id, period, recipient, state, after, upto, "
            "message_id, claimed_by, attempts, updated) "
            "VALUES (?, ?, ?, 'sending', ?, ?, ?, ?, 1, ?) "
            "ON CONFLICT DO UPDATE SET state = 'sending', after = excluded.after, "
            "upto = excluded.upto, claimed_by = excluded.claimed_by, "
            "attempts = attempts + 1, updated = excluded.updated",
            (digest_id, period, recipient, after, upto, message_id, claimant, to_text(now)),
        )
        kept = row.message_id if row else message_id
        claims.append(Claim(recipient, after, upto, kept, row.attempts + 1 if row else 1))
    return claims


def finish(
    conn: sqlite3.Connection,
    digest_id: str,
    period: str,
    recipient: str,
    state: DeliveryState,
    items: int,
    now: datetime,
) -> None:
    """The period went out ('sent') or had nothing to send ('empty')."""
    conn.execute(
        "UPDATE digest_deliveries SET state = ?, items = ?, last_error = NULL, "
        "next_attempt = NULL, updated = ? WHERE digest_id = ? AND period = ? AND recipient = ?",
        (state, items, to_text(now), digest_id, period, recipient),
    )


def fail(
    conn: sqlite3.Connection,
    digest_id: str,
    period: str,
    recipient: str,
    error: str,
    next_attempt: datetime,
    now: datetime,
) -> None:
    conn.execute(
        "UPDATE digest_deliveries SET state = 'failed', last_error = ?, next_attempt = ?, "
        "updated = ? WHERE digest_id = ? AND period = ? AND recipient = ?",
        (error[:500], to_text(next_attempt), to_text(now), digest_id, period, recipient),
    )


def any_sending(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT 1 FROM digest_deliveries WHERE state = 'sending' LIMIT 1")
    return found.fetchone() is not None


def interrupted(
    conn: sqlite3.Connection, alive: Callable[[str], bool], now: datetime
) -> list[Delivery]:
    """Periods left 'sending' by a sender that is gone: marked 'uncertain', never sent
    again (the server may have taken the message before the sender died)."""
    rows = [
        _delivery(row)
        for row in conn.execute("SELECT * FROM digest_deliveries WHERE state = 'sending'")
        if not alive(row["claimed_by"] or "")
    ]
    for row in rows:
        conn.execute(
            "UPDATE digest_deliveries SET state = 'uncertain', updated = ? "
            "WHERE digest_id = ? AND period = ? AND recipient = ?",
            (to_text(now), row.digest_id, row.period, row.recipient),
        )
    return rows


def recent(conn: sqlite3.Connection, digest_id: str, limit: int = 20) -> list[Delivery]:
    """The digest's latest deliveries, newest first."""
    rows = conn.execute(
        "SELECT * FROM digest_deliveries WHERE digest_id = ? ORDER BY updated DESC LIMIT ?",
        (digest_id, limit),
    )
    return [_delivery(row) for row in rows]


class DigestStorage(Storage):
    """The store's record of e-mail digests (a part of Store)."""

    def digest_known_since(self, digest_id: str, now: datetime) -> datetime:
        """When this digest was first seen: no period due before it is sent."""
        with self.transaction() as conn:
            return known_since(conn, digest_id, now)

    def claim_digest(
        self,
        digest_id: str,
        period: str,
        recipients: Iterable[tuple[str, str]],
        claimant: str,
        now: datetime,
        since: datetime | None,
    ) -> list[Claim]:
        """Claim a digest's period for each (recipient, message id) that has not had it, in
        one write transaction: of two senders, one gets each claim."""
        with self.transaction() as conn:
            return claim(conn, digest_id, period, recipients, claimant, now, since)

    def finish_digest(
        self,
        digest_id: str,
        period: str,
        recipient: str,
        state: DeliveryState,
        items: int,
        now: datetime,
    ) -> None:
        with self.transaction() as conn:
            finish(conn, digest_id, period, recipient, state, items, now)

    def fail_digest(
        self,
        digest_id: str,
        period: str,
        recipient: str,
        error: str,
        next_attempt: datetime,
        now: datetime,
    ) -> None:
        with self.transaction() as conn:
            fail(conn, digest_id, period, recipient, error, next_attempt, now)

    def interrupted_digests(self, alive: Callable[[str], bool], now: datetime) -> list[Delivery]:
        """Deliveries whose sender died while sending, now marked 'uncertain'."""
        if not any_sending(self._conn):
            return []  # the usual case, without taking the write lock
        with self.transaction() as conn:
            return interrupted(conn, alive, now)

    def digest_delivery(self, digest_id: str, period: str, recipient: str) -> Delivery | None:
        return delivery(self._conn, digest_id, period, recipient)

    def digest_cursor(self, digest_id: str, recipient: str) -> int | None:
        return cursor(self._conn, digest_id, recipient)

    def digest_start(self, digest_id: str, recipient: str, since: datetime | None) -> int:
        """Where the recipient's next digest starts (see store.start)."""
        return start(self._conn, digest_id, recipient, since)

    def recent_digests(self, digest_id: str, limit: int = 20) -> list[Delivery]:
        return recent(self._conn, digest_id, limit)
