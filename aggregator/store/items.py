"""Stored items: finding the row that is an item, inserting or revising it, and the
queries the feeds, the dashboard and the campaigns read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from aggregator.core.judging import Judge, Kept, Shingled
from aggregator.core.kinds import Change
from aggregator.core.model import Item, StoredItem
from aggregator.store.rows import PUBLISHED, item_filters, stored_item, stored_time, to_text
from aggregator.store.shingles import store_shingles

RELATED_SHOWN = 5  # links to other members of a near-duplicate group, per entry


@dataclass(slots=True)
class FirstRead:
    """What a refresh has stored of a source that had nothing stored before it: the
    identities `existing` looks items up by, so that an item of a first read that cannot
    be there asks no query (three per new item were a tenth of storing a cold cycle).
    Values are only added, so a value here means a query is worth asking, no more."""

    keys: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    texts: set[tuple[str, str]] = field(default_factory=set)

    def may_hold(self, item: Item) -> bool:
        return (
            item.key in self.keys
            or (item.url is not None and item.url in self.urls)
            or (item.fingerprint, to_text(item.published)[:10]) in self.texts
        )

    def add(self, item: Item) -> None:
        self.keys.add(item.key)
        if item.url:
            self.urls.add(item.url)
        self.texts.add((item.fingerprint, to_text(item.published)[:10]))


def first_read(conn: sqlite3.Connection, source_id: str) -> FirstRead | None:
    """A FirstRead when the store holds nothing of this source yet, else None."""
    held = conn.execute("SELECT 1 FROM items WHERE source_id = ? LIMIT 1", (source_id,))
    return None if held.fetchone() else FirstRead()


def existing(
    conn: sqlite3.Connection, item: Item, first: FirstRead | None = None
) -> sqlite3.Row | None:
    """The stored row that is this item: by key, else by its canonical link, else by
    the same title and teaser published the same day (a link that changed its dress)."""
    if first is not None and not first.may_hold(item):
        return None
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
            (item.source_id, item.fingerprint, to_text(item.published)[:10]),
        ).fetchone()
    found: sqlite3.Row | None = row
    return found


@dataclass(frozen=True, slots=True)
class Upserted:
    """What storing one item did, and what grouping it needs of the stored row."""

    status: Change
    key: str  # the stored key (an item found again by link keeps its first key)
    seq: int
    text: str  # title, teaser and full text as stored: what near-duplicates compare ('' if same)
    published: datetime
    shingled: Shingled | None = None  # a new item's, stored with it


def hold(conn: sqlite3.Connection, seqs: list[int]) -> None:
    """Hold these items back from the feeds of many sources (schema migration 17)."""
    conn.executemany("UPDATE items SET held = 1 WHERE seq = ?", [(seq,) for seq in seqs])


def mark_press(conn: sqlite3.Connection, seqs: list[int]) -> None:
    """These new items are press articles (coverage), not a jobcenter's (migration 24)."""
    conn.executemany("UPDATE items SET press = 1 WHERE seq = ?", [(seq,) for seq in seqs])


def wait(conn: sqlite3.Connection, seqs: list[int]) -> None:
    """Keep these new items out of every output until their detail page is read
    (schema migration 19)."""
    conn.executemany("UPDATE items SET waiting = 1 WHERE seq = ?", [(seq,) for seq in seqs])


def release_read(conn: sqlite3.Connection, source_id: str) -> list[tuple[int, int]]:
    """Let out this source's waiting items whose detail page no longer waits (read, or
    given up after its attempts), each with a new arrival number: they arrive now, after
    everything that went out before. Returns (old, new) per item, for the
    near-duplicate index that points at arrival numbers."""
    rows = conn.execute(
        "SELECT seq FROM items i WHERE source_id = ? AND waiting = 1 AND NOT EXISTS "
        "(SELECT 1 FROM detail_queue q WHERE q.source_id = i.source_id AND q.key = i.key) "
        "ORDER BY seq",
        (source_id,),
    ).fetchall()
    released = []
    for (old,) in rows:
        (new,) = conn.execute(
            "UPDATE items SET waiting = 0, seq = (SELECT max(seq) + 1 FROM items) "
            "WHERE seq = ? RETURNING seq",
            (old,),
        ).fetchone()
        released.append((old, new))
    return released


def upsert_item(
    conn: sqlite3.Connection,
    judge: Judge,
    item: Item,
    now: datetime,
    prepared: Mapping[str, Shingled] | None = None,
    first: FirstRead | None = None,
) -> Upserted:
    """Insert or update one item. A new one is stored with its shingles (from `prepared`,
    by comparable text, or computed here). `first` is given for a source's first read
    (see FirstRead)."""
    row = existing(conn, item, first)
    if row is None:
        text = judge.comparable_text(item.title, item.summary_text, item.content_html)
        shingled = (prepared or {}).get(text) or judge.shingle([text])[text]
        (seq,) = conn.execute(
            """
            INSERT INTO items (source_id, key, url, title, summary_html, summary_text,
                               content_html, published, date_is_guess, fingerprint, guid,
                               fetched_from, first_seen, updated, dated_by, seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    (SELECT coalesce(max(seq), 0) + 1 FROM items))
            RETURNING seq
            """,
            (
                item.source_id,
                item.key,
                item.url,
                item.title,
                item.summary_html,
                item.summary_text,
                item.content_html,
                to_text(item.published),
                int(item.date_is_guess),
                item.fingerprint,
                item.guid,
                item.fetched_from,
                to_text(now),
                to_text(min(item.published, now)),
                item.dated_by,
            ),
        ).fetchone()
        store_shingles(conn, seq, item.source_id, item.published, shingled.shingles)
        if first is not None:
            first.add(item)
        return Upserted(Change.NEW, item.key, seq, text, item.published, shingled=shingled)
    revision = judge.revise(_kept(row), item)
    item, new_content = revision.item, revision.content_html
    if not revision.changed and not revision.better_date:
        return Upserted(Change.SAME, row["key"], row["seq"], "", revision.published)
    changed, better_date, published = revision.changed, revision.better_date, revision.published
    conn.execute(
        """
        UPDATE items SET title = ?, summary_html = ?, summary_text = ?, content_html = ?,
                         fingerprint = ?, url = coalesce(?, url),
                         published = CASE WHEN ? THEN ? ELSE published END,
                         date_is_guess = CASE WHEN ? THEN 0 ELSE date_is_guess END,
                         dated_by = CASE WHEN ? THEN ? ELSE dated_by END,
                         updated = CASE WHEN ? THEN ? ELSE updated END
        WHERE source_id = ? AND key = ?
        """,
        (
            item.title,
            item.summary_html,
            item.summary_text,
            new_content,
            item.fingerprint,
            item.url,
            better_date,
            to_text(item.published),
            better_date,
            better_date,
            item.dated_by,
            changed,
            to_text(now),
            row["source_id"],
            row["key"],
        ),
    )
    if first is not None:  # what the row holds now
        first.add(replace(item, key=row["key"], published=published))
    status = Change.UPDATED if changed else Change.SAME
    text = judge.comparable_text(item.title, item.summary_text, new_content)
    return Upserted(status, row["key"], row["seq"], text, published)


def _kept(row: sqlite3.Row) -> Kept:
    return Kept(
        row["title"],
        row["summary_html"],
        row["summary_text"],
        row["content_html"] or "",
        row["fingerprint"],
        row["url"],
        row["fetched_from"],
        bool(row["date_is_guess"]),
        stored_time(row["published"]),
    )


def select(  # noqa: PLR0913 - one query, its filters keyword-only
    conn: sqlite3.Connection,
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
    campaigns and group (`press`: the press articles instead)."""
    where, args = item_filters(
        source_ids,
        campaign_id,
        published_between,
        text,
        group_id,
        arrived,
        without_held,
        with_waiting,
        press,
    )
    order = "seq" if by_arrival else f"{PUBLISHED} DESC, first_seen DESC, source_id, key"
    sql = f"SELECT * FROM items{where} ORDER BY {order}"
    if limit is not None or offset:
        sql += " LIMIT ? OFFSET ?"
        args.extend([-1 if limit is None else limit, offset])
    return with_relations(conn, conn.execute(sql, args).fetchall())


def one(conn: sqlite3.Connection, source_id: str, key: str) -> StoredItem | None:
    """One item as the outputs show it (waiting or not), with its campaigns and group."""
    rows = conn.execute(
        "SELECT * FROM items WHERE source_id = ? AND key = ?", (source_id, key)
    ).fetchall()
    found = with_relations(conn, rows)
    return found[0] if found else None


def count(
    conn: sqlite3.Connection,
    *,
    source_ids: Iterable[str] | None = None,
    campaign_id: str | None = None,
    text: str | None = None,
    group_id: str | None = None,
    without_held: bool = False,
    press: bool | None = False,
) -> int:
    where, args = item_filters(
        source_ids, campaign_id, None, text, group_id, None, without_held, press=press
    )
    found: int = conn.execute(f"SELECT count(*) FROM items{where}", args).fetchone()[0]
    return found


def counts_by_source(conn: sqlite3.Connection, since: datetime) -> dict[str, tuple[int, int]]:
    """Per source: (items in all, items published since `since`)."""
    rows = conn.execute(
        f"SELECT source_id, count(*), sum({PUBLISHED} >= ?) FROM items "
        "WHERE waiting = 0 AND press = 0 "
        "GROUP BY source_id",
        (to_text(since),),
    )
    return {row[0]: (row[1], row[2] or 0) for row in rows}


def count_of_source(conn: sqlite3.Connection, source_id: str | None = None) -> int:
    sql, args = "SELECT count(*) FROM items", tuple[str, ...]()
    if source_id:
        sql, args = sql + " WHERE source_id = ?", (source_id,)
    found: int = conn.execute(sql, args).fetchone()[0]
    return found


def with_relations(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[StoredItem]:
    """Attach each item's campaigns and the links of its near-duplicates."""
    keys = [(row["source_id"], row["key"]) for row in rows]
    campaigns: dict[tuple[str, str], list[str]] = {}
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        values = ",".join("(?, ?)" for _ in chunk)
        identities = [part for identity in chunk for part in identity]
        for source_id, key, campaign_id in conn.execute(
            "SELECT source_id, key, campaign_id FROM item_campaigns c "
            f"WHERE (source_id, key) IN (VALUES {values}) AND NOT EXISTS (SELECT 1 FROM "
            "campaign_overrides o WHERE o.campaign_id = c.campaign_id AND o.source_id = "
            "c.source_id AND o.key = c.key AND o.member = 0) "
            "UNION SELECT source_id, key, campaign_id FROM campaign_overrides "
            f"WHERE member = 1 AND (source_id, key) IN (VALUES {values}) ORDER BY campaign_id",
            identities + identities,
        ):  # what the rules found, with the editors' decisions over it (store.curation)
            campaigns.setdefault((source_id, key), []).append(campaign_id)
    group_ids = sorted({row["group_id"] for row in rows if row["group_id"]})
    members: dict[str, list[tuple[str, str, str | None]]] = {}
    sizes: dict[str, int] = {}
    if group_ids:
        marks = ",".join("?" * len(group_ids))
        # The first few members of each group only: a joint text republished by
        # hundreds of sources must not make every entry list every other member.
        for group_id, source_id, key, url, size in conn.execute(
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


def last_arrival(conn: sqlite3.Connection) -> int:
    """The arrival number of the newest item (0: none yet)."""
    found: int = conn.execute("SELECT coalesce(max(seq), 0) FROM items").fetchone()[0]
    return found


def arrivals_before(conn: sqlite3.Connection, moment: datetime) -> int:
    """The arrival number before the first item first seen at or after `moment` (an item
    let out after waiting for its detail page arrives late, with an earlier first_seen)."""
    found: int = conn.execute(
        "SELECT coalesce(min(seq) - 1, (SELECT coalesce(max(seq), 0) FROM items)) FROM items "
        "WHERE first_seen >= ?",
        (to_text(moment),),
    ).fetchone()[0]
    return found
