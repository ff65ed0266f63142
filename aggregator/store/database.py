"""SQLite storage: the connection, its transactions and migrations, and queries.

One transaction per source refresh, so a crash in the middle of a cycle leaves
every source either fully stored or untouched. WAL lets the web server read
while the worker writes.
"""

from __future__ import annotations

import errno
import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from aggregator.classify.campaigns import Verdict
from aggregator.classify.dedupe import Shingled, decode
from aggregator.config.schema import Source
from aggregator.core.model import (
    DetailQueueChange,
    FetchOutcome,
    FetchState,
    Item,
    QueuedDetail,
    StoredItem,
)
from aggregator.errors import SchemaError, StorageError
from aggregator.store import queue as store_queue
from aggregator.store.rows import from_text, item_filters, stored_item, to_text
from aggregator.store.schema import BANDS_MIGRATION, MIGRATIONS
from aggregator.store.writes import (
    existing,
    group_near_duplicates,
    record_outcome,
    save_band_keys,
    set_campaigns,
    upsert_item,
)

T = TypeVar("T")
WAL_CHECKPOINT_PAGES = 10_000
RELATED_SHOWN = 5  # links to other members of a near-duplicate group, per entry


CAUSES = {
    "SQLITE_FULL": "disk full",
    "SQLITE_READONLY": "read-only",
    "SQLITE_NOTADB": "not a database",
    "SQLITE_CORRUPT": "the file is corrupt",
    "SQLITE_CANTOPEN": "cannot be opened (missing folder, no permission or read-only)",
    "SQLITE_BUSY": "locked by another process",
    "SQLITE_LOCKED": "locked by another process",
    "SQLITE_IOERR": "input/output error",
    "SQLITE_PERM": "no permission",
}


def os_error_cause(exc: OSError) -> str:
    """The words of CAUSES for a file next to the database that could not be written."""
    causes = {errno.ENOSPC: "disk full", errno.EROFS: "read-only", errno.EACCES: "no permission"}
    return causes.get(exc.errno or 0, exc.strerror or str(exc))


def storage_error(path: str, exc: sqlite3.Error) -> StorageError:
    """What went wrong, in the words an operator acts on ("disk full", "read-only")."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, cause in CAUSES.items():
        if name.startswith(prefix):
            return StorageError(path, cause, str(exc))
    return StorageError(path, str(exc) or type(exc).__name__)


def is_storage_failure(exc: BaseException) -> bool:
    """The database or its disk failed, as opposed to a bad value of ours (a constraint,
    a wrong binding): those stay what they are, one item's or one source's problem."""
    if isinstance(exc, StorageError):
        return True
    if not isinstance(exc, sqlite3.Error):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    return isinstance(exc, sqlite3.OperationalError) or name.startswith(tuple(CAUSES))


def _translated(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def call(self: Store, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            if is_storage_failure(exc):
                raise storage_error(self.path, exc) from exc
            raise

    return call


def _storage_errors(cls: type[Store]) -> type[Store]:
    """Every public method of the store raises StorageError, never sqlite3's errors:
    callers tell the database's failures from a source's without knowing SQL."""
    for name, value in list(vars(cls).items()):
        if callable(value) and not name.startswith("_") and name != "transaction":
            setattr(cls, name, _translated(value))
    return cls


@dataclass(frozen=True, slots=True)
class SaveResult:
    new: int = 0
    updated: int = 0


@_storage_errors
class Store:
    """The one place that talks SQL."""

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        """`readonly` opens a database that cannot be written (a read-only disk or
        file) for reading; it must already have this version's schema."""
        self.path = str(path)
        self.readonly = readonly
        try:
            self._conn = self._connect()
            self._conn.row_factory = sqlite3.Row
            self._check_schema()
            if not readonly:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.execute("PRAGMA busy_timeout=5000")
                # Copy the WAL back every ~40 MB instead of every 4 MB: pages that many
                # refreshes touch (indexes) are written back once, not once per few.
                self._conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
                self._migrate()
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from exc

    def _connect(self) -> sqlite3.Connection:
        if not self.readonly:
            return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        if not Path(self.path).is_file():
            raise StorageError(self.path, "no such database file")
        uri = Path(self.path).resolve().as_uri()
        try:  # read-only, seeing what another process writes, if SQLite can share its WAL
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None,
                                   check_same_thread=False)  # fmt: skip
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:  # on a read-only disk: as an unchanging file
            return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None,
                                   check_same_thread=False)  # fmt: skip

    def _check_schema(self) -> None:
        """Refuse a schema this version did not write, before touching anything."""
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        latest = len(MIGRATIONS)
        if version > latest:
            raise SchemaError(
                self.path, f"database schema {version} is newer than this version ({latest}): "
                "upgrade the aggregator or use another --db",
            )  # fmt: skip
        if version < 0:
            raise SchemaError(self.path, f"database schema {version} was not written by the "
                              "aggregator: use another --db")  # fmt: skip
        if self.readonly and version < latest:
            raise SchemaError(self.path, f"database schema {version} is older than this "
                              f"version ({latest}) and the database is read-only")  # fmt: skip

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from exc
        try:
            yield self._conn
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if is_storage_failure(exc):
                raise storage_error(self.path, exc) from exc
            raise

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
        version: int = self._conn.execute("PRAGMA user_version").fetchone()[0]
        return version

    # -- fetch state -------------------------------------------------------------

    def fetch_state(self, url: str) -> FetchState | None:
        row = self._conn.execute("SELECT * FROM fetch_state WHERE url = ?", (url,)).fetchone()
        return _fetch_state(row) if row is not None else None

    def fetch_states(self, source_id: str | None = None) -> list[FetchState]:
        sql, args = "SELECT * FROM fetch_state", tuple[str, ...]()
        if source_id:
            sql, args = sql + " WHERE source_id = ?", (source_id,)
        return [_fetch_state(row) for row in self._conn.execute(sql + " ORDER BY url", args)]

    def queued_details(self, source_id: str, target: str, limit: int) -> list[QueuedDetail]:
        """Detail pages of this listing still to be read, oldest first."""
        return store_queue.queued(self._conn, source_id, target, limit)

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
        details: DetailQueueChange | None = None,
    ) -> SaveResult:
        """Store one source's refresh in a single transaction.

        `verdicts` are the campaigns each item (by key) belongs to. New and changed
        items are also placed in their near-duplicate group; `shingled` may hold their
        shingles computed beforehand (by comparable text), to keep that CPU out of the
        transaction. `details` adds to and takes from the source's queue of detail pages
        still to be read, in the same transaction as the items they complete.
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
            if details is not None:
                store_queue.apply(conn, source_id, details, now)
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

    def discovered_from(self, source_id: str) -> str | None:
        """The start pages (space-separated) the stored targets were discovered from."""
        row = self._conn.execute(
            "SELECT started_from FROM discovered WHERE source_id = ?", (source_id,)
        ).fetchone()
        return row[0] if row else None

    def save_discovered(
        self,
        source_id: str,
        at: datetime,
        feeds: list[str],
        pages: list[dict[str, str]],
        started_from: str | None = None,
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO discovered (source_id, found_at, feeds, pages, started_from) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET "
                "found_at = excluded.found_at, feeds = excluded.feeds, pages = excluded.pages, "
                "started_from = excluded.started_from",
                (source_id, to_text(at), json.dumps(feeds), json.dumps(pages), started_from),
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
        group_id: str | None = None,
    ) -> list[StoredItem]:
        """Stored items, newest published first (or in order of arrival), with their
        campaigns and group."""
        where, args = item_filters(source_ids, campaign_id, published_between, text, group_id)
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
        group_id: str | None = None,
    ) -> int:
        where, args = item_filters(source_ids, campaign_id, None, text, group_id)
        count: int = self._conn.execute(f"SELECT count(*) FROM items{where}", args).fetchone()[0]
        return count

    def remember_sources(self, sources: Iterable[Source]) -> None:
        """Keep what the feeds show of each source (name, publisher, Land), so that its
        items keep them after it is removed from sources.yaml."""
        rows = [(s.id, s.name, s.publisher, s.land, s.kind, s.homepage) for s in sources]
        known = {tuple(row) for row in self._conn.execute(
            "SELECT id, name, publisher, land, kind, homepage FROM sources")}  # fmt: skip
        changed = [row for row in rows if row not in known]
        if not changed:
            return
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO sources (id, name, publisher, land, kind, homepage) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                "publisher = excluded.publisher, land = excluded.land, kind = excluded.kind, "
                "homepage = excluded.homepage",
                changed,
            )

    def known_sources(self) -> dict[str, Source]:
        """Every source the store has seen, as last configured (disabled: not configured)."""
        rows = self._conn.execute("SELECT id, name, publisher, land, kind, homepage FROM sources")
        columns = ("id", "name", "publisher", "land", "kind", "homepage")
        return {
            row[0]: Source(**dict(zip(columns, row, strict=True)), enabled=False) for row in rows
        }

    def group_ids(self) -> list[str]:
        """The near-duplicate groups that have more than one member."""
        rows = self._conn.execute(
            "SELECT group_id FROM items WHERE group_id IS NOT NULL "
            "GROUP BY group_id HAVING count(*) > 1 ORDER BY group_id"
        )
        return [row[0] for row in rows]

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
        sizes: dict[str, int] = {}
        if group_ids:
            marks = ",".join("?" * len(group_ids))
            # The first few members of each group only: a joint text republished by
            # hundreds of sources must not make every entry list every other member.
            for group_id, source_id, key, url, size in self._conn.execute(
                "SELECT group_id, source_id, key, url, size FROM ("
                " SELECT group_id, source_id, key, url,"
                "  row_number() OVER (PARTITION BY group_id ORDER BY published, source_id) AS n,"
                "  count(*) OVER (PARTITION BY group_id) AS size"
                f" FROM items WHERE group_id IN ({marks})"
                ") WHERE n <= ? ORDER BY group_id, n",
                [*group_ids, RELATED_SHOWN + 1],
            ):
                members.setdefault(group_id, []).append((source_id, key, url))
                sizes[group_id] = size
        result = []
        for row, identity in zip(rows, keys, strict=True):
            related = tuple(
                url
                for source_id, key, url in members.get(row["group_id"], [])
                if url and (source_id, key) != identity
            )[:RELATED_SHOWN]
            size = sizes.get(row["group_id"], 1)
            result.append(stored_item(row, tuple(campaigns.get(identity, ())), related, size))
        return result

    def item_counts(self, since: datetime) -> dict[str, tuple[int, int]]:
        """Per source: (items in all, items published since `since`)."""
        rows = self._conn.execute(
            "SELECT source_id, count(*), sum(published >= ?) FROM items GROUP BY source_id",
            (to_text(since),),
        )
        return {row[0]: (row[1], row[2] or 0) for row in rows}

    def count_items(self, source_id: str | None = None) -> int:
        sql, args = "SELECT count(*) FROM items", tuple[str, ...]()
        if source_id:
            sql, args = sql + " WHERE source_id = ?", (source_id,)
        count: int = self._conn.execute(sql, args).fetchone()[0]
        return count


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
        listing_shape=_shape(row["listing_shape"]),
        found_by=row["found_by"],
    )


def _shape(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    parent, block = json.loads(text)
    return str(parent), str(block)
