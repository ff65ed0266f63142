"""SQLite storage: the connection, its transactions and migrations, and queries.

One transaction per source refresh, so a crash in the middle of a cycle leaves
every source either fully stored or untouched. WAL lets the web server read
while the worker writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aggregator.campaigns import Verdict
from aggregator.dedupe import Shingled, decode
from aggregator.model import FetchOutcome, FetchState, Item, StoredItem
from aggregator.store_rows import from_text, item_filters, stored_item, to_text
from aggregator.store_schema import BANDS_MIGRATION, MIGRATIONS
from aggregator.store_writes import (
    existing,
    group_near_duplicates,
    record_outcome,
    save_band_keys,
    set_campaigns,
    upsert_item,
)

WAL_CHECKPOINT_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class SaveResult:
    new: int = 0
    updated: int = 0


class Store:
    """The one place that talks SQL."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        # Copy the WAL back every ~40 MB instead of every 4 MB: pages that many refreshes
        # touch (indexes) are then written back once instead of once per few refreshes.
        self._conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        self._migrate()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction() as conn:
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                if number == BANDS_MIGRATION:
                    self._backfill_band_keys(conn)
                conn.execute(f"PRAGMA user_version = {number}")

    @staticmethod
    def _backfill_band_keys(conn: sqlite3.Connection) -> None:
        """Items stored before band keys existed get theirs, so they are still found."""
        rows = conn.execute("SELECT seq, shingles FROM items WHERE shingles != ''")
        for seq, text in rows.fetchall():
            save_band_keys(conn, seq, decode(text))

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # -- fetch state -------------------------------------------------------------

    def fetch_state(self, url: str) -> FetchState | None:
        row = self._conn.execute("SELECT * FROM fetch_state WHERE url = ?", (url,)).fetchone()
        return _fetch_state(row) if row is not None else None

    def fetch_states(self, source_id: str | None = None) -> list[FetchState]:
        sql, args = "SELECT * FROM fetch_state", ()
        if source_id:
            sql, args = sql + " WHERE source_id = ?", (source_id,)
        return [_fetch_state(row) for row in self._conn.execute(sql + " ORDER BY url", args)]

    def stored_fingerprint(self, item: Item) -> str | None:
        """The fingerprint stored for this item (by key or link), or None if it is new."""
        row = existing(self._conn, item)
        return row["fingerprint"] if row is not None else None

    def save_refresh(
        self,
        source_id: str,
        items: Iterable[Item],
        outcomes: Iterable[FetchOutcome],
        now: datetime,
        verdicts: Mapping[str, Sequence[Verdict]] | None = None,
        shingled: Mapping[str, Shingled] | None = None,
    ) -> SaveResult:
        """Store one source's refresh in a single transaction.

        `verdicts` are the campaigns each item (by key) belongs to. New and changed
        items are also placed in their near-duplicate group; `shingled` may hold their
        shingles computed beforehand (by comparable text), to keep that CPU out of the
        transaction.
        """
        counts = {"new": 0, "updated": 0, "same": 0}
        with self.transaction() as conn:
            for item in items:
                stored = upsert_item(conn, item, now)
                counts[stored.status] += 1
                if stored.status != "same":
                    verdict = (verdicts or {}).get(item.key, ())
                    set_campaigns(conn, source_id, stored.key, verdict)
                    group_near_duplicates(conn, source_id, stored, shingled or {})
            for outcome in outcomes:
                record_outcome(conn, source_id, outcome, now)
        return SaveResult(new=counts["new"], updated=counts["updated"])

    # -- campaigns and groups ----------------------------------------------------

    def discovered(self, source_id: str) -> tuple[datetime, list[str], list[dict[str, str]]] | None:
        """When targets were discovered for a source, and which: (found at, feeds, pages)."""
        row = self._conn.execute(
            "SELECT found_at, feeds, pages FROM discovered WHERE source_id = ?", (source_id,)
        ).fetchone()
        if row is None:
            return None
        return datetime.fromisoformat(row[0]), json.loads(row[1]), json.loads(row[2])

    def save_discovered(
        self, source_id: str, at: datetime, feeds: list[str], pages: list[dict[str, str]]
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO discovered (source_id, found_at, feeds, pages) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (source_id) DO UPDATE SET found_at = excluded.found_at, "
                "feeds = excluded.feeds, pages = excluded.pages",
                (source_id, to_text(at), json.dumps(feeds), json.dumps(pages)),
            )

    def campaign_digest(self, campaign_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT digest FROM campaign_rules WHERE campaign_id = ?", (campaign_id,)
        ).fetchone()
        return row[0] if row else None

    def replace_campaign(
        self, campaign_id: str, digest: str, members: Iterable[tuple[str, str, str]]
    ) -> None:
        """After the rules changed: the campaign's members (source id, key, reason) anew."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM item_campaigns WHERE campaign_id = ?", (campaign_id,))
            conn.executemany(
                "INSERT INTO item_campaigns (source_id, key, campaign_id, reason) "
                "VALUES (?, ?, ?, ?)",
                [(source_id, key, campaign_id, reason) for source_id, key, reason in members],
            )
            conn.execute(
                "INSERT INTO campaign_rules (campaign_id, digest) VALUES (?, ?) "
                "ON CONFLICT (campaign_id) DO UPDATE SET digest = excluded.digest",
                (campaign_id, digest),
            )

    def forget_campaigns_except(self, campaign_ids: Iterable[str]) -> None:
        keep = list(campaign_ids)
        marks = ",".join("?" * len(keep))
        with self.transaction() as conn:
            for table in ("item_campaigns", "campaign_rules"):
                conn.execute(f"DELETE FROM {table} WHERE campaign_id NOT IN ({marks})", keep)

    def items(
        self,
        *,
        limit: int | None = 200,
        offset: int = 0,
        source_ids: Iterable[str] | None = None,
        campaign_id: str | None = None,
        published_between: tuple[datetime, datetime] | None = None,
        text: str | None = None,
        by_arrival: bool = False,
    ) -> list[StoredItem]:
        """Stored items, newest published first (or in order of arrival), with their
        campaigns and group."""
        where, args = item_filters(source_ids, campaign_id, published_between, text)
        order = "seq" if by_arrival else "published DESC, first_seen DESC, source_id, key"
        sql = f"SELECT * FROM items{where} ORDER BY {order}"
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            args.extend([-1 if limit is None else limit, offset])
        rows = self._conn.execute(sql, args).fetchall()
        return self._with_relations(rows)

    def count(
        self,
        *,
        source_ids: Iterable[str] | None = None,
        campaign_id: str | None = None,
        text: str | None = None,
    ) -> int:
        where, args = item_filters(source_ids, campaign_id, None, text)
        return self._conn.execute(f"SELECT count(*) FROM items{where}", args).fetchone()[0]

    def data_version(self) -> tuple[int, int]:
        """Changes whenever anyone commits: for caches of what is rendered from the store."""
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        total = self._conn.execute("SELECT total_changes()").fetchone()[0]
        return version, total

    def _with_relations(self, rows: list[sqlite3.Row]) -> list[StoredItem]:
        """Attach each item's campaigns and the links of its near-duplicates."""
        keys = [(row["source_id"], row["key"]) for row in rows]
        campaigns: dict[tuple[str, str], list[str]] = {}
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            values = ",".join("(?, ?)" for _ in chunk)
            for source_id, key, campaign_id in self._conn.execute(
                "SELECT source_id, key, campaign_id FROM item_campaigns "
                f"WHERE (source_id, key) IN (VALUES {values}) ORDER BY campaign_id",
                [part for identity in chunk for part in identity],
            ):
                campaigns.setdefault((source_id, key), []).append(campaign_id)
        group_ids = sorted({row["group_id"] for row in rows if row["group_id"]})
        members: dict[str, list[tuple[str, str, str | None]]] = {}
        if group_ids:
            marks = ",".join("?" * len(group_ids))
            for group_id, source_id, key, url in self._conn.execute(
                f"SELECT group_id, source_id, key, url FROM items WHERE group_id IN ({marks}) "
                "ORDER BY published, source_id",
                group_ids,
            ):
                members.setdefault(group_id, []).append((source_id, key, url))
        result = []
        for row, identity in zip(rows, keys, strict=True):
            related = tuple(
                url
                for source_id, key, url in members.get(row["group_id"], [])
                if url and (source_id, key) != identity
            )
            result.append(stored_item(row, tuple(campaigns.get(identity, ())), related))
        return result

    def item_counts(self, since: datetime) -> dict[str, tuple[int, int]]:
        """Per source: (items in all, items published since `since`)."""
        rows = self._conn.execute(
            "SELECT source_id, count(*), sum(published >= ?) FROM items GROUP BY source_id",
            (to_text(since),),
        )
        return {row[0]: (row[1], row[2] or 0) for row in rows}

    def count_items(self, source_id: str | None = None) -> int:
        if source_id:
            sql, args = "SELECT count(*) FROM items WHERE source_id = ?", (source_id,)
        else:
            sql, args = "SELECT count(*) FROM items", ()
        return self._conn.execute(sql, args).fetchone()[0]


def _fetch_state(row: sqlite3.Row) -> FetchState:
    return FetchState(
        url=row["url"],
        source_id=row["source_id"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_status=row["last_status"],
        last_error=row["last_error"],
        last_error_kind=row["last_error_kind"],
        last_message=row["last_message"],
        consecutive_failures=row["consecutive_failures"],
        last_success=from_text(row["last_success"]),
        last_attempt=from_text(row["last_attempt"]),
        next_attempt=from_text(row["next_attempt"]),
        moved_to=row["moved_to"],
        gone=bool(row["gone"]),
    )
