"""What the feeds show of each source (name, publisher, Land, kind, homepage), kept so
that the items of a source removed from sources.yaml keep them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from aggregator.config.schema import Source
from aggregator.store.storage import Storage

COLUMNS = ("id", "name", "publisher", "land", "kind", "homepage")
Row = tuple[str, str, str | None, str, str, str | None]


def changed(conn: sqlite3.Connection, sources: Iterable[Source]) -> list[Row]:
    """The rows of the sources not stored as they are configured now."""
    rows: list[Row] = [(s.id, s.name, s.publisher, s.land, s.kind, s.homepage) for s in sources]
    stored = {tuple(row) for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM sources")}
    return [row for row in rows if row not in stored]


def save(conn: sqlite3.Connection, rows: list[Row]) -> None:
    conn.executemany(
        "INSERT INTO sources (id, name, publisher, land, kind, homepage) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
        "publisher = excluded.publisher, land = excluded.land, kind = excluded.kind, "
        "homepage = excluded.homepage",
        rows,
    )


def known(conn: sqlite3.Connection) -> dict[str, Source]:
    """Every source the store has seen, as last configured (disabled: not configured)."""
    rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM sources")
    return {row[0]: Source(**dict(zip(COLUMNS, row, strict=True)), enabled=False) for row in rows}


class SourceStorage(Storage):
    """What the store remembers of each configured source (a part of Store)."""

    def remember_sources(self, configured: Iterable[Source]) -> None:
        """Keep what the feeds show of each source (name, publisher, Land), so that its
        items keep them after it is removed from sources.yaml."""
        rows = changed(self._conn, configured)
        if rows:
            with self.transaction() as conn:
                save(conn, rows)

    def known_sources(self) -> dict[str, Source]:
        """Every source the store has seen, as last configured (disabled: not configured)."""
        return known(self._conn)
