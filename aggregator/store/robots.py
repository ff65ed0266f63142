"""robots.txt as last read, by origin, until it expires (see core.robots)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from aggregator.core.robots import Remembered, RobotsCache


def load(conn: sqlite3.Connection, now: float) -> RobotsCache:
    rows = conn.execute(
        "SELECT origin, body, server_error, expires FROM robots WHERE expires > ?", (now,)
    )
    return RobotsCache({row[0]: Remembered(row[1], bool(row[2]), row[3]) for row in rows})


def save(conn: sqlite3.Connection, changed: Mapping[str, Remembered], now: float) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO robots (origin, body, server_error, expires) VALUES (?, ?, ?, ?)",
        [(o, r.text, int(r.server_error), r.expires) for o, r in changed.items()],
    )
    conn.execute("DELETE FROM robots WHERE expires <= ?", (now,))
