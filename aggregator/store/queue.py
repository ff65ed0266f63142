"""The queue of detail pages still to be read: a listing shows 150 undated items, a
refresh may read 30 of their pages, the next refreshes read the rest, until every item's
page has been read once (or failed three times)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from aggregator.core.model import DetailQueueChange, Entry, QueuedDetail
from aggregator.store.rows import from_text, to_text

MAX_ATTEMPTS = 3


def _encode(entry: Entry) -> str:
    return json.dumps(
        {
            "title": entry.title,
            "link": entry.link,
            "guid": entry.guid,
            "published": to_text(entry.published) if entry.published else None,
            "summary_html": entry.summary_html,
        },
        ensure_ascii=False,
    )


def _decode(text: str) -> Entry:
    data = json.loads(text)
    return Entry(
        title=data["title"],
        link=data["link"],
        guid=data["guid"],
        published=from_text(data["published"]),
        summary_html=data["summary_html"],
    )


def queued(conn: sqlite3.Connection, source_id: str, target: str, limit: int) -> list[QueuedDetail]:
    rows = conn.execute(
        "SELECT key, target, entry, base, attempts FROM detail_queue "
        "WHERE source_id = ? AND target = ? ORDER BY queued_at, key LIMIT ?",
        (source_id, target, limit),
    )
    return [QueuedDetail(key, t, _decode(entry), base, n) for key, t, entry, base, n in rows]


def apply(
    conn: sqlite3.Connection, source_id: str, change: DetailQueueChange, now: datetime
) -> None:
    conn.executemany(
        "INSERT INTO detail_queue (source_id, key, target, entry, base, queued_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_id, key) DO NOTHING",
        [(source_id, q.key, q.target, _encode(q.entry), q.base, to_text(now)) for q in change.add],
    )
    conn.executemany(
        "DELETE FROM detail_queue WHERE source_id = ? AND key = ?",
        [(source_id, key) for key in change.done],
    )
    conn.executemany(
        "UPDATE detail_queue SET attempts = attempts + 1 WHERE source_id = ? AND key = ?",
        [(source_id, key) for key in change.failed],
    )
    conn.execute(
        "DELETE FROM detail_queue WHERE source_id = ? AND attempts >= ?", (source_id, MAX_ATTEMPTS)
    )
