"""SQLite storage: schema and migrations, idempotent upserts, queries.

One transaction per source refresh, so a crash in the middle of a cycle leaves
every source either fully stored or untouched. WAL lets the web server read
while the worker writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.campaigns import Verdict
from aggregator.dedupe import Candidate, choose_group, decode, encode, shingles
from aggregator.model import FetchOutcome, FetchState, Item, StoredItem
from aggregator.normalize import clean_text

MIGRATIONS: list[str] = [
    # 1: items, fetch state per URL, fetch history
    """
    CREATE TABLE items (
        source_id     TEXT NOT NULL,
        key           TEXT NOT NULL,
        url           TEXT,
        title         TEXT NOT NULL,
        summary_html  TEXT NOT NULL DEFAULT '',
        summary_text  TEXT NOT NULL DEFAULT '',
        content_html  TEXT NOT NULL DEFAULT '',
        published     TEXT NOT NULL,
        date_is_guess INTEGER NOT NULL DEFAULT 0,
        fingerprint   TEXT NOT NULL,
        guid          TEXT,
        fetched_from  TEXT NOT NULL,
        first_seen    TEXT NOT NULL,
        updated       TEXT NOT NULL,
        PRIMARY KEY (source_id, key)
    );
    CREATE INDEX items_published ON items (published DESC);
    CREATE INDEX items_source_url ON items (source_id, url);
    CREATE INDEX items_source_fingerprint ON items (source_id, fingerprint);
    CREATE TABLE fetch_state (
        url                  TEXT PRIMARY KEY,
        source_id            TEXT NOT NULL,
        etag                 TEXT,
        last_modified        TEXT,
        last_status          TEXT,
        last_error           TEXT,
        last_error_kind      TEXT,
        last_message         TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        last_success         TEXT,
        last_attempt         TEXT,
        next_attempt         TEXT,
        moved_to             TEXT,
        gone                 INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE fetch_history (
        id          INTEGER PRIMARY KEY,
        source_id   TEXT NOT NULL,
        url         TEXT NOT NULL,
        at          TEXT NOT NULL,
        status      TEXT NOT NULL,
        error_kind  TEXT,
        message     TEXT,
        items_found INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX fetch_history_source ON fetch_history (source_id, at DESC);
    """,
    # 2: campaign verdicts, near-duplicate groups
    """
    ALTER TABLE items ADD COLUMN group_id TEXT;
    ALTER TABLE items ADD COLUMN shingles TEXT;
    CREATE INDEX items_group ON items (group_id);
    CREATE TABLE item_campaigns (
        source_id   TEXT NOT NULL,
        key         TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        reason      TEXT NOT NULL,
        PRIMARY KEY (source_id, key, campaign_id)
    );
    CREATE INDEX item_campaigns_campaign ON item_campaigns (campaign_id);
    CREATE TABLE campaign_rules (
        campaign_id TEXT PRIMARY KEY,
        digest      TEXT NOT NULL
    );
    """,
]

GROUP_WINDOW = timedelta(days=21)  # joint releases of one occasion appear within weeks


def _ts(value: datetime) -> str:
    """Aware datetime -> sortable UTC text."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


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
                conn.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # -- fetch state -------------------------------------------------------------

    def fetch_state(self, url: str) -> FetchState | None:
        row = self._conn.execute("SELECT * FROM fetch_state WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
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
            last_success=_dt(row["last_success"]),
            last_attempt=_dt(row["last_attempt"]),
            next_attempt=_dt(row["next_attempt"]),
            moved_to=row["moved_to"],
            gone=bool(row["gone"]),
        )

    def fetch_states(self, source_id: str | None = None) -> list[FetchState]:
        sql, args = "SELECT url FROM fetch_state", ()
        if source_id:
            sql, args = sql + " WHERE source_id = ?", (source_id,)
        urls = [row[0] for row in self._conn.execute(sql + " ORDER BY url", args)]
        return [state for url in urls if (state := self.fetch_state(url))]

    def _record_outcome(
        self, conn: sqlite3.Connection, source_id: str, outcome: FetchOutcome, now: datetime
    ) -> None:
        """Fetch state and history of one request; a skipped URL leaves both alone."""
        if outcome.status == "skipped":
            return
        ok = outcome.status in ("ok", "not-modified")
        failed = outcome.status == "error"
        conn.execute(
            """
            INSERT INTO fetch_state (url, source_id, etag, last_modified, last_status, last_error,
                                     last_error_kind, last_message, consecutive_failures,
                                     last_success, last_attempt, next_attempt, moved_to, gone)
            VALUES (:url, :source_id, :etag, :last_modified, :status, :error, :kind, :message,
                    :failures, :success, :now, :next, :moved_to, :gone)
            ON CONFLICT (url) DO UPDATE SET
                source_id = excluded.source_id,
                etag = CASE WHEN :ok THEN coalesce(excluded.etag, etag) ELSE etag END,
                last_modified = CASE WHEN :ok THEN coalesce(excluded.last_modified, last_modified)
                                     ELSE last_modified END,
                last_status = excluded.last_status,
                last_error = excluded.last_error,
                last_error_kind = excluded.last_error_kind,
                last_message = CASE WHEN :status = 'not-modified' THEN last_message
                                    ELSE excluded.last_message END,
                consecutive_failures = CASE WHEN :failed THEN consecutive_failures + 1
                                            ELSE 0 END,
                last_success = coalesce(excluded.last_success, last_success),
                last_attempt = excluded.last_attempt,
                next_attempt = excluded.next_attempt,
                moved_to = coalesce(excluded.moved_to, moved_to),
                gone = max(gone, excluded.gone)
            """,
            {
                "url": outcome.url,
                "source_id": source_id,
                "etag": outcome.etag if ok else None,
                "last_modified": outcome.last_modified if ok else None,
                "status": outcome.status,
                "error": outcome.message if failed else None,
                "kind": outcome.error_kind if failed else None,
                "message": outcome.message,
                "failures": 1 if failed else 0,
                "success": _ts(now) if ok else None,
                "now": _ts(now),
                "next": _ts(outcome.next_attempt) if outcome.next_attempt else None,
                "moved_to": outcome.moved_to,
                "gone": int(outcome.gone),
                "ok": ok,
                "failed": failed,
            },
        )
        conn.execute(
            """
            INSERT INTO fetch_history (source_id, url, at, status, error_kind, message,
                                       items_found, duration_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                source_id,
                outcome.url,
                _ts(now),
                outcome.status,
                outcome.error_kind,
                outcome.message,
                outcome.items_found,
                outcome.duration_ms,
            ),
        )

    # -- items -------------------------------------------------------------------

    def _existing(self, conn: sqlite3.Connection, item: Item) -> sqlite3.Row | None:
        """The stored row that is this item: by key, else by its canonical link, else by
        the same title and teaser published the same day (a link that changed its dress)."""
        row = conn.execute(
            "SELECT * FROM items WHERE source_id = ? AND key = ?", (item.source_id, item.key)
        ).fetchone()
        if row is None and item.url:
            row = conn.execute(
                "SELECT * FROM items WHERE source_id = ? AND url = ? LIMIT 1",
                (item.source_id, item.url),
            ).fetchone()
        if row is None and not item.date_is_guess:
            row = conn.execute(
                """SELECT * FROM items WHERE source_id = ? AND fingerprint = ?
                   AND date_is_guess = 0 AND substr(published, 1, 10) = ? LIMIT 1""",
                (item.source_id, item.fingerprint, _ts(item.published)[:10]),
            ).fetchone()
        return row

    def _upsert_item(self, conn: sqlite3.Connection, item: Item, now: datetime) -> tuple[str, str]:
        """Insert or update one item; returns 'new', 'updated' or 'same', and its stored key."""
        row = self._existing(conn, item)
        if row is None:
            conn.execute(
                """
                INSERT INTO items (source_id, key, url, title, summary_html, summary_text,
                                   content_html, published, date_is_guess, fingerprint, guid,
                                   fetched_from, first_seen, updated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    item.source_id, item.key, item.url, item.title, item.summary_html,
                    item.summary_text, item.content_html, _ts(item.published),
                    int(item.date_is_guess), item.fingerprint, item.guid, item.fetched_from,
                    _ts(now), _ts(min(item.published, now)),
                ),
            )  # fmt: skip
            return "new", item.key
        content = row["content_html"] or ""
        new_content = item.content_html or content  # a listing without full text keeps it
        if row["fetched_from"] != item.fetched_from:
            # Seen through another target (feed vs. listing page): it may add what is
            # missing, but not overwrite, or the two would take turns forever.
            item = replace(item, title=row["title"], summary_html=row["summary_html"],
                           summary_text=row["summary_text"], fingerprint=row["fingerprint"],
                           url=row["url"])  # fmt: skip
            new_content = content or item.content_html
        changed = (
            row["title"] != item.title
            or row["summary_html"] != item.summary_html
            or content != new_content
        )
        better_date = bool(row["date_is_guess"]) and not item.date_is_guess
        if not changed and not better_date:
            return "same", row["key"]
        conn.execute(
            """
            UPDATE items SET title = ?, summary_html = ?, summary_text = ?, content_html = ?,
                             fingerprint = ?, url = coalesce(?, url),
                             published = CASE WHEN ? THEN ? ELSE published END,
                             date_is_guess = CASE WHEN ? THEN 0 ELSE date_is_guess END,
                             updated = CASE WHEN ? THEN ? ELSE updated END
            WHERE source_id = ? AND key = ?
            """,
            (
                item.title, item.summary_html, item.summary_text, new_content,
                item.fingerprint, item.url, better_date, _ts(item.published), better_date,
                changed, _ts(now), row["source_id"], row["key"],
            ),
        )  # fmt: skip
        return ("updated" if changed else "same"), row["key"]

    def stored_fingerprint(self, item: Item) -> str | None:
        """The fingerprint stored for this item (by key or link), or None if it is new."""
        row = self._existing(self._conn, item)
        return row["fingerprint"] if row is not None else None

    def save_refresh(
        self,
        source_id: str,
        items: Iterable[Item],
        outcomes: Iterable[FetchOutcome],
        now: datetime,
        verdicts: Mapping[str, Sequence[Verdict]] | None = None,
    ) -> SaveResult:
        """Store one source's refresh in a single transaction.

        `verdicts` are the campaigns each item (by key) belongs to. New and changed
        items are also placed in their near-duplicate group.
        """
        counts = {"new": 0, "updated": 0, "same": 0}
        with self.transaction() as conn:
            for item in items:
                status, key = self._upsert_item(conn, item, now)
                counts[status] += 1
                if status != "same":
                    self._set_campaigns(conn, source_id, key, (verdicts or {}).get(item.key, ()))
                    self._group(conn, source_id, key)
            for outcome in outcomes:
                self._record_outcome(conn, source_id, outcome, now)
        return SaveResult(new=counts["new"], updated=counts["updated"])

    # -- campaigns and groups ----------------------------------------------------

    def _set_campaigns(
        self, conn: sqlite3.Connection, source_id: str, key: str, verdicts: Sequence[Verdict]
    ) -> None:
        conn.execute("DELETE FROM item_campaigns WHERE source_id = ? AND key = ?", (source_id, key))
        conn.executemany(
            "INSERT INTO item_campaigns (source_id, key, campaign_id, reason) VALUES (?, ?, ?, ?)",
            [(source_id, key, v.campaign_id, v.reason) for v in verdicts if v.matched],
        )

    def _group(self, conn: sqlite3.Connection, source_id: str, key: str) -> None:
        """Put an item in the group of its nearest duplicate from another source, if any."""
        row = conn.execute(
            "SELECT * FROM items WHERE source_id = ? AND key = ?", (source_id, key)
        ).fetchone()
        own = shingles(
            " ".join([row["title"], row["summary_text"], clean_text(row["content_html"])])
        )
        conn.execute(
            "UPDATE items SET shingles = ?, group_id = NULL WHERE source_id = ? AND key = ?",
            (encode(own), source_id, key),
        )
        published = datetime.fromisoformat(row["published"])
        nearby = conn.execute(
            """SELECT source_id, key, group_id, shingles FROM items
               WHERE source_id != ? AND published BETWEEN ? AND ? AND shingles != ''""",
            (source_id, _ts(published - GROUP_WINDOW), _ts(published + GROUP_WINDOW)),
        )
        candidates = (Candidate(r[0], r[1], r[2], decode(r[3])) for r in nearby)
        grouping = choose_group(source_id, own, candidates)
        if grouping is None:
            return
        conn.execute(
            "UPDATE items SET group_id = ? WHERE source_id = ? AND key = ?",
            (grouping.group_id, source_id, key),
        )
        if grouping.founder:
            conn.execute(
                "UPDATE items SET group_id = ? WHERE source_id = ? AND key = ?",
                (grouping.group_id, grouping.founder.source_id, grouping.founder.key),
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
    ) -> list[StoredItem]:
        """Stored items, newest published first, with their campaigns and group."""
        where: list[str] = []
        args: list[object] = []
        if source_ids is not None:
            ids = list(source_ids)
            where.append(f"source_id IN ({','.join('?' * len(ids))})")
            args.extend(ids)
        if campaign_id is not None:
            where.append(
                "EXISTS (SELECT 1 FROM item_campaigns c WHERE c.source_id = items.source_id "
                "AND c.key = items.key AND c.campaign_id = ?)"
            )
            args.append(campaign_id)
        if published_between is not None:
            where.append("published BETWEEN ? AND ?")
            args.extend(_ts(t) for t in published_between)
        sql = "SELECT * FROM items"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY published DESC, first_seen DESC, source_id, key"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args.extend([limit, offset])
        rows = self._conn.execute(sql, args).fetchall()
        return self._with_relations(rows)

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
            result.append(_stored_item(row, tuple(campaigns.get(identity, ())), related))
        return result

    def item_counts(self, since: datetime) -> dict[str, tuple[int, int]]:
        """Per source: (items in all, items published since `since`)."""
        rows = self._conn.execute(
            "SELECT source_id, count(*), sum(published >= ?) FROM items GROUP BY source_id",
            (_ts(since),),
        )
        return {row[0]: (row[1], row[2] or 0) for row in rows}

    def count_items(self, source_id: str | None = None) -> int:
        if source_id:
            sql, args = "SELECT count(*) FROM items WHERE source_id = ?", (source_id,)
        else:
            sql, args = "SELECT count(*) FROM items", ()
        return self._conn.execute(sql, args).fetchone()[0]


def _stored_item(
    row: sqlite3.Row, campaigns: tuple[str, ...] = (), related: tuple[str, ...] = ()
) -> StoredItem:
    item = Item(
        source_id=row["source_id"],
        key=row["key"],
        url=row["url"],
        title=row["title"],
        summary_html=row["summary_html"],
        summary_text=row["summary_text"],
        content_html=row["content_html"],
        published=datetime.fromisoformat(row["published"]),
        date_is_guess=bool(row["date_is_guess"]),
        fingerprint=row["fingerprint"],
        fetched_from=row["fetched_from"],
        guid=row["guid"],
    )
    return StoredItem(
        item=item,
        first_seen=datetime.fromisoformat(row["first_seen"]),
        updated=datetime.fromisoformat(row["updated"]),
        campaigns=campaigns,
        group_id=row["group_id"],
        related=related,
    )
