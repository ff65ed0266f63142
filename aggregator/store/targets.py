"""The feeds and listings discovered for a source, when, and from which start pages."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from aggregator.store.rows import to_text
from aggregator.store.storage import Storage


def read(
    conn: sqlite3.Connection, source_id: str
) -> tuple[datetime, list[str], list[dict[str, str | bool]]] | None:
    """When targets were discovered for a source, and which: (found at, feeds, pages)."""
    row = conn.execute(
        "SELECT found_at, feeds, pages FROM discovered WHERE source_id = ?", (source_id,)
    ).fetchone()
    if row is None:
        return None
    return datetime.fromisoformat(row[0]), json.loads(row[1]), json.loads(row[2])


def read_started_from(conn: sqlite3.Connection, source_id: str) -> str | None:
    """The start pages (space-separated) the stored targets were discovered from."""
    row = conn.execute(
        "SELECT started_from FROM discovered WHERE source_id = ?", (source_id,)
    ).fetchone()
    return row[0] if row else None


def save(
    conn: sqlite3.Connection,
    source_id: str,
    at: datetime,
    feeds: list[str],
    pages: list[dict[str, str | bool]],
    started_from: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO discovered (source_id, found_at, feeds, pages, started_from) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET "
        "found_at = excluded.found_at, feeds = excluded.feeds, pages = excluded.pages, "
        "started_from = excluded.started_from",
        (source_id, to_text(at), json.dumps(feeds), json.dumps(pages), started_from),
    )


class TargetStorage(Storage):
    """The targets discovered for each source (a part of Store)."""

    def discovered(
        self, source_id: str
    ) -> tuple[datetime, list[str], list[dict[str, str | bool]]] | None:
        """When targets were discovered for a source, and which: (found at, feeds, pages)."""
        return read(self._conn, source_id)

    def discovered_from(self, source_id: str) -> str | None:
        """The start pages (space-separated) the stored targets were discovered from."""
        return read_started_from(self._conn, source_id)

    def save_discovered(
        self,
        source_id: str,
        at: datetime,
        feeds: list[str],
        pages: list[dict[str, str | bool]],
        started_from: str | None = None,
    ) -> None:
        with self.transaction() as conn:
            save(conn, source_id, at, feeds, pages, started_from)
