"""Writing one refresh: items (insert, update, find again), campaign verdicts,
near-duplicate groups, fetch state and history. Every function runs inside the
transaction of its caller."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from aggregator.classify.campaigns import Verdict
from aggregator.classify.dedupe import (
    Candidate,
    Shingled,
    band_keys,
    choose_group,
    comparable_text,
    decode,
    encode,
    shingle_texts,
)
from aggregator.core.model import FetchOutcome, Item
from aggregator.parse.blocks import better_title
from aggregator.store.rows import to_text

GROUP_WINDOW = timedelta(days=21)  # joint releases of one occasion appear within weeks


def record_outcome(
    conn: sqlite3.Connection, source_id: str, outcome: FetchOutcome, now: datetime
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
                                 last_success, last_attempt, next_attempt, moved_to, gone,
                                 listing_shape, found_by)
        VALUES (:url, :source_id, :etag, :last_modified, :status, :error, :kind, :message,
                :failures, :success, :now, :next, :moved_to, :gone, :shape, :found_by)
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
            gone = max(gone, excluded.gone),
            listing_shape = coalesce(excluded.listing_shape, listing_shape),
            found_by = CASE WHEN :status = 'not-modified' THEN found_by
                            ELSE excluded.found_by END
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
            "success": to_text(now) if ok else None,
            "now": to_text(now),
            "next": to_text(outcome.next_attempt) if outcome.next_attempt else None,
            "moved_to": outcome.moved_to,
            "gone": int(outcome.gone),
            "shape": json.dumps(outcome.listing_shape) if outcome.listing_shape else None,
            "found_by": outcome.found_by,
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
            to_text(now),
            outcome.status,
            outcome.error_kind,
            outcome.message,
            outcome.items_found,
            outcome.duration_ms,
        ),
    )


# -- items -------------------------------------------------------------------


def existing(conn: sqlite3.Connection, item: Item) -> sqlite3.Row | None:
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
            (item.source_id, item.fingerprint, to_text(item.published)[:10]),
        ).fetchone()
    found: sqlite3.Row | None = row
    return found


@dataclass(frozen=True, slots=True)
class Upserted:
    """What storing one item did, and what grouping it needs of the stored row."""

    status: str  # 'new', 'updated' or 'same'
    key: str  # the stored key (an item found again by link keeps its first key)
    seq: int
    text: str  # title, teaser and full text as stored: what near-duplicates compare ('' if same)
    published: datetime
    old_shingles: bytes | str | None = None


def upsert_item(conn: sqlite3.Connection, item: Item, now: datetime) -> Upserted:
    """Insert or update one item."""
    row = existing(conn, item)
    if row is None:
        (seq,) = conn.execute(
            """
            INSERT INTO items (source_id, key, url, title, summary_html, summary_text,
                               content_html, published, date_is_guess, fingerprint, guid,
                               fetched_from, first_seen, updated, seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    (SELECT coalesce(max(seq), 0) + 1 FROM items))
            RETURNING seq
            """,
            (
                item.source_id, item.key, item.url, item.title, item.summary_html,
                item.summary_text, item.content_html, to_text(item.published),
                int(item.date_is_guess), item.fingerprint, item.guid, item.fetched_from,
                to_text(now), to_text(min(item.published, now)),
            ),
        ).fetchone()  # fmt: skip
        text = comparable_text(item.title, item.summary_text, item.content_html)
        return Upserted("new", item.key, seq, text, item.published)
    content = row["content_html"] or ""
    new_content = item.content_html or content  # a listing without full text keeps it
    if row["fetched_from"] != item.fetched_from:
        # Seen through another target (feed vs. listing page): it may add what is
        # missing, but not overwrite, or the two would take turns forever.
        item = replace(item, title=row["title"], summary_html=row["summary_html"],
                       summary_text=row["summary_text"], fingerprint=row["fingerprint"],
                       url=row["url"])  # fmt: skip
        new_content = content or item.content_html
    if item.title and better_title(item.title, row["title"]) == row["title"] != item.title:
        item = replace(item, title=row["title"])  # the detail page's full headline stays
    changed = (
        row["title"] != item.title
        or row["summary_html"] != item.summary_html
        or content != new_content
    )
    better_date = bool(row["date_is_guess"]) and not item.date_is_guess
    published = item.published if better_date else datetime.fromisoformat(row["published"])
    if not changed and not better_date:
        return Upserted("same", row["key"], row["seq"], "", published)
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
            item.fingerprint, item.url, better_date, to_text(item.published), better_date,
            changed, to_text(now), row["source_id"], row["key"],
        ),
    )  # fmt: skip
    status = "updated" if changed else "same"
    text = comparable_text(item.title, item.summary_text, new_content)
    return Upserted(status, row["key"], row["seq"], text, published, row["shingles"])


def set_campaigns(
    conn: sqlite3.Connection, source_id: str, key: str, verdicts: Sequence[Verdict]
) -> None:
    conn.execute("DELETE FROM item_campaigns WHERE source_id = ? AND key = ?", (source_id, key))
    conn.executemany(
        "INSERT INTO item_campaigns (source_id, key, campaign_id, reason) VALUES (?, ?, ?, ?)",
        [(source_id, key, v.campaign_id, v.reason) for v in verdicts if v.matched],
    )


def save_band_keys(
    conn: sqlite3.Connection,
    seq: int,
    own: frozenset[int],
    old: frozenset[int] = frozenset(),
    keys: Sequence[int] | None = None,
) -> Sequence[int]:
    """Replace an item's MinHash band keys (see dedupe), unless given computed; returns them.

    The old keys are computed again from the old shingles, so that the table needs no
    index by item.
    """
    keys = band_keys(own) if keys is None else keys
    conn.executemany(
        "DELETE FROM item_bands WHERE band = ? AND seq = ?", [(b, seq) for b in band_keys(old)]
    )
    conn.executemany(
        "INSERT OR IGNORE INTO item_bands (band, seq) VALUES (?, ?)", [(b, seq) for b in keys]
    )
    return keys


def group_near_duplicates(
    conn: sqlite3.Connection, source_id: str, stored: Upserted, prepared: Mapping[str, Shingled]
) -> None:
    """Put an item in the group of its nearest duplicate from another source, if any.

    `prepared` holds shingles computed beforehand by text; others are computed here.
    """
    shingled = prepared.get(stored.text) or shingle_texts([stored.text])[stored.text]
    own = shingled.shingles
    conn.execute(
        "UPDATE items SET shingles = ?, group_id = NULL WHERE seq = ?", (encode(own), stored.seq)
    )
    old = decode(stored.old_shingles)
    keys = save_band_keys(conn, stored.seq, own, old, shingled.bands)
    if not keys:
        return
    marks = ",".join("?" * len(keys))
    window = (to_text(stored.published - GROUP_WINDOW), to_text(stored.published + GROUP_WINDOW))
    nearby = conn.execute(
        f"""SELECT source_id, key, group_id, shingles FROM items
            WHERE seq IN (SELECT seq FROM item_bands WHERE band IN ({marks}))
              AND source_id != ? AND +published BETWEEN ? AND ? AND shingles != ''""",
        (*keys, source_id, *window),
    )
    candidates = (Candidate(r[0], r[1], r[2], decode(r[3])) for r in nearby)
    grouping = choose_group(source_id, own, candidates)
    if grouping is None:
        return
    conn.execute("UPDATE items SET group_id = ? WHERE seq = ?", (grouping.group_id, stored.seq))
    if grouping.founder:
        conn.execute(
            "UPDATE items SET group_id = ? WHERE source_id = ? AND key = ?",
            (grouping.group_id, grouping.founder.source_id, grouping.founder.key),
        )
