"""SQLite storage: the connection, its transactions and migrations, and the one
`Store` through which the rest of the program reads and writes.

One transaction per source refresh, so a crash in the middle of a cycle leaves every
source either fully stored or untouched; one per migration (store.migrate). WAL lets the
web server read while the worker writes. The SQL of each domain lives in its own module (items,
fetch_state, campaigns, groups, targets, sources, queue); `Store` opens the
transactions, is composed of per-domain parts (accounts, campaigns, curation, ...) and
turns sqlite3's errors into StorageError in all of them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from aggregator.core.judging import Judge, Shingled, Verdict
from aggregator.core.kinds import Change
from aggregator.core.model import (
    DetailQueueChange,
    FetchOutcome,
    FetchState,
    Item,
    QueuedDetail,
    SaveResult,
    StoredItem,
)
from aggregator.core.robots import RobotsCache
from aggregator.errors import SchemaError, StorageError
from aggregator.store import (
    campaigns,
    fetch_state,
    groups,
    migrate,
    queue,
    robots,
)
from aggregator.store import items as _items
from aggregator.store.accounts import AccountStorage
from aggregator.store.campaigns import CampaignStorage
from aggregator.store.curation import CurationStorage
from aggregator.store.digests import DigestStorage
from aggregator.store.echoes import EchoStorage
from aggregator.store.failures import CAUSES, is_storage_failure, os_error_cause, storage_error
from aggregator.store.schema import FLOOD_ALLOWANCE, FLOOD_THRESHOLD, MIGRATIONS
from aggregator.store.sources import SourceStorage
from aggregator.store.storage import Storage
from aggregator.store.targets import TargetStorage
from aggregator.store.websub import WebSubStorage

__all__ = ["CAUSES", "MIGRATIONS", "SaveResult", "Store", "is_storage_failure", "os_error_cause"]

T = TypeVar("T")
WAL_CHECKPOINT_PAGES = 10_000


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
    public: dict[str, Callable[..., Any]] = {}
    for part in reversed(cls.__mro__):  # the store's own methods last: they win
        if issubclass(part, Storage):
            public.update(
                (name, value)
                for name, value in vars(part).items()
                if callable(value) and not name.startswith("_") and name != "transaction"
            )
    for name, method in public.items():
        setattr(cls, name, _translated(method))
    return cls


SQLITE_HEADER = b"SQLite format 3\x00"


def _identity(path: str) -> tuple[int, int] | None:
    """The file's device and inode: another file at the same path has others."""
    if path == ":memory:" or path.startswith("file:"):
        return None
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


@_storage_errors
class Store(
    AccountStorage,
    CampaignStorage,
    CurationStorage,
    DigestStorage,
    EchoStorage,
    SourceStorage,
    TargetStorage,
    WebSubStorage,
):
    """The one place that talks SQL (accounts and curation in parts of their own)."""

    def __init__(self, path: str | Path, judge: Judge, readonly: bool = False) -> None:
        """`judge` makes the decisions the store applies as it writes (classify's
        CLASSIFIER, handed in where the program is put together). `readonly` opens a
        database that cannot be written (a read-only disk or file) for reading; it must
        already have this version's schema."""
        self.path = str(path)
        self._judge = judge
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
        self._file = _identity(self.path)

    def file_problem(self) -> str | None:
        """What is wrong with the database file on disk, which the open connection cannot
        tell: deleted, replaced by another file, or its header overwritten. Reads the file
        itself and opens it anew (cheap: the schema page only)."""
        if self._file is None:
            return None  # in memory
        try:
            now = _identity(self.path)
            with open(self.path, "rb") as file:
                header = file.read(len(SQLITE_HEADER))
        except OSError as exc:
            return f"database file {self.path} is gone ({exc.strerror})"
        if now != self._file:
            return f"database file {self.path} was replaced while the service ran"
        if header != SQLITE_HEADER:
            return f"database file {self.path} is corrupt: not an SQLite header"
        mode = "immutable=1" if self.readonly else "mode=ro"  # a read-only disk has no -shm
        uri = f"{Path(self.path).resolve().as_uri()}?{mode}"
        try:
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as fresh:
                fresh.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            return f"database file {self.path} cannot be read: {exc}"
        return None

    def _connect(self) -> sqlite3.Connection:
        if not self.readonly:
            return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        if not Path(self.path).is_file():
            raise StorageError(self.path, "no such database file")
        uri = Path(self.path).resolve().as_uri()
        try:  # read-only, seeing what another process writes, if SQLite can share its WAL
            conn = sqlite3.connect(
                f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:  # on a read-only disk: as an unchanging file
            return sqlite3.connect(
                f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False
            )

    def _check_schema(self) -> None:
        """Refuse a schema this version did not write, before touching anything."""
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        latest = len(MIGRATIONS)
        if version > latest:
            raise SchemaError(
                self.path,
                f"database schema {version} is newer than this version ({latest}): "
                "upgrade the aggregator or use another --db",
            )
        if version < 0:
            raise SchemaError(
                self.path,
                f"database schema {version} was not written by the aggregator: use another --db",
            )
        if self.readonly and version < latest:
            raise SchemaError(
                self.path,
                f"database schema {version} is older than this "
                f"version ({latest}) and the database is read-only",
            )

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
        for number in range(version + 1, len(MIGRATIONS) + 1):
            with self.transaction() as conn:
                migrate.apply(conn, self._judge, number)

    @property
    def schema_version(self) -> int:
        version: int = self._conn.execute("PRAGMA user_version").fetchone()[0]
        return version

    def data_version(self) -> tuple[int, int]:
        """Changes whenever anyone commits: for caches of what is rendered from the store."""
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        total = self._conn.execute("SELECT total_changes()").fetchone()[0]
        return version, total

    # -- one refresh ---------------------------------------------------------------

    def save_refresh(  # noqa: PLR0913 - one refresh, all of it named
        self,
        source_id: str,
        items: Iterable[Item],
        outcomes: Iterable[FetchOutcome],
        now: datetime,
        verdicts: Mapping[str, Sequence[Verdict]] | None = None,
        shingled: Mapping[str, Shingled] | None = None,
        details: DetailQueueChange | None = None,
        press: bool = False,
    ) -> SaveResult:
        """Store one source's refresh in a single transaction.

        `verdicts` are the campaigns each item (by key) belongs to. New and changed
        items are also placed in their near-duplicate group; `shingled` may hold their
        shingles computed beforehand (by comparable text), to keep that CPU out of the
        transaction. `details` adds to and takes from the source's queue of detail pages
        still to be read, in the same transaction as the items they complete.
        """
        counts = dict.fromkeys(Change, 0)
        held: list[int] = []
        waiting: list[int] = []
        released: list[tuple[int, int]] = []
        queued = {q.key for q in details.add} if details is not None else set()
        to_group: list[_items.Upserted] = []
        with self.transaction() as conn:
            first = _items.first_read(conn, source_id)
            for item in items:
                mine = first if item.source_id == source_id else None
                stored = _items.upsert_item(conn, self._judge, item, now, shingled, mine)
                counts[stored.status] += 1
                if stored.status == Change.NEW and counts[Change.NEW] > FLOOD_ALLOWANCE:
                    held.append(stored.seq)
                if stored.status == Change.NEW and item.date_is_guess and stored.key in queued:
                    waiting.append(stored.seq)
                if stored.status == Change.NEW and press:
                    _items.mark_press(conn, [stored.seq])
                if stored.status != Change.SAME:
                    verdict = (verdicts or {}).get(item.key, ())
                    new = stored.status == Change.NEW
                    campaigns.set_campaigns(conn, source_id, stored.key, verdict, new)
                    if not press:  # an article is no member of a joint release
                        to_group.append(stored)
            groups.group_near_duplicates(conn, self._judge, source_id, to_group, shingled or {})
            held = held if counts[Change.NEW] > FLOOD_THRESHOLD else []
            _items.hold(conn, held)
            groups.move_recent_band_keys(conn)
            for outcome in outcomes:
                fetch_state.record_outcome(conn, source_id, outcome, now)
            _items.wait(conn, waiting)
            if details is not None:
                queue.apply(conn, source_id, details, now)
                released = _items.release_read(conn, source_id)
                groups.renumber(conn, self._judge, released)
        return SaveResult(
            new=counts[Change.NEW],
            updated=counts[Change.UPDATED],
            held=len(held),
            waiting=len(waiting),
            released=len(released),
        )

    # -- robots.txt ------------------------------------------------------------------

    def robots_cache(self) -> RobotsCache:
        """robots.txt of the origins asked within its lifetime, for a new fetcher."""
        return robots.load(self._conn, time.time())

    def save_robots(self, cache: RobotsCache) -> None:
        """What a fetcher learnt of robots.txt, in one transaction at its end."""
        if cache.changed:
            with self.transaction() as conn:
                robots.save(conn, cache.changed, time.time())
            cache.changed.clear()

    # -- what a refresh reads first ----------------------------------------------

    def fetch_state(self, source_id: str, url: str) -> FetchState | None:
        """What is remembered of a URL as this source fetched it (two sources may share one)."""
        return fetch_state.fetch_state(self._conn, source_id, url)

    def fetch_states(self, source_id: str | None = None) -> list[FetchState]:
        return fetch_state.fetch_states(self._conn, source_id)

    def queued_details(self, source_id: str, target: str, limit: int) -> list[QueuedDetail]:
        """Detail pages of this listing still to be read, oldest first."""
        return queue.queued(self._conn, source_id, target, limit)

    def stored_fingerprint(self, item: Item) -> str | None:
        """The fingerprint stored for this item (by key or link), or None if it is new."""
        row = _items.existing(self._conn, item)
        return row["fingerprint"] if row is not None else None

    # -- items, for feeds, pages and campaigns -------------------------------------

    def items(  # noqa: PLR0913 - one query, its filters keyword-only
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
        arrived: tuple[int, int] | None = None,
        without_held: bool = False,
        with_waiting: bool = False,
        press: bool | None = False,
    ) -> list[StoredItem]:
        """Stored items, newest published first (or in order of arrival), with their
        campaigns and group; `arrived`: only those whose arrival number is after the
        first and up to the second; `without_held`: not a source's flood; `with_waiting`:
        also those waiting for the detail page that dates them (rows.item_filters)."""
        return _items.select(
            self._conn,
            limit=limit,
            offset=offset,
            source_ids=source_ids,
            campaign_id=campaign_id,
            published_between=published_between,
            text=text,
            by_arrival=by_arrival,
            group_id=group_id,
            arrived=arrived,
            without_held=without_held,
            with_waiting=with_waiting,
            press=press,
        )

    def item(self, source_id: str, key: str) -> StoredItem | None:
        return _items.one(self._conn, source_id, key)

    def count(
        self,
        *,
        source_ids: Iterable[str] | None = None,
        campaign_id: str | None = None,
        text: str | None = None,
        group_id: str | None = None,
        without_held: bool = False,
        press: bool | None = False,
    ) -> int:
        return _items.count(
            self._conn,
            source_ids=source_ids,
            campaign_id=campaign_id,
            text=text,
            group_id=group_id,
            without_held=without_held,
            press=press,
        )

    def item_counts(self, since: datetime) -> dict[str, tuple[int, int]]:
        """Per source: (items in all, items published since `since`)."""
        return _items.counts_by_source(self._conn, since)

    def count_items(self, source_id: str | None = None) -> int:
        return _items.count_of_source(self._conn, source_id)

    def group_ids(self) -> list[str]:
        """The near-duplicate groups that have more than one member."""
        return groups.group_ids(self._conn)

    def last_arrival(self) -> int:
        return _items.last_arrival(self._conn)
