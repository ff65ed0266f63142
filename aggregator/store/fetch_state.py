"""What is remembered of each fetched URL (fetch_state) and the history of requests
(fetch_history): written with each refresh, read before the next."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from aggregator.core.kinds import Failure, FoundBy, Status
from aggregator.core.model import FetchOutcome, FetchState
from aggregator.store.rows import as_enum, from_text, to_text


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
        ON CONFLICT (source_id, url) DO UPDATE SET
            etag = CASE WHEN :ok THEN coalesce(excluded.etag, etag) ELSE etag END,
            last_modified = CASE WHEN :ok THEN coalesce(excluded.last_modified, last_modified)
                                 ELSE last_modified END,
            last_status = excluded.last_status,
            last_error = excluded.last_error,
            last_error_kind = excluded.last_error_kind,
            last_message = CASE WHEN :status = 'not-modified' THEN last_message
                                ELSE excluded.last_message END,
            consecutive_failures = excluded.consecutive_failures,
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
            "failures": outcome.failures if failed else 0,  # counted by the refresh
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


def fetch_state(conn: sqlite3.Connection, source_id: str, url: str) -> FetchState | None:
    row = conn.execute(
        "SELECT * FROM fetch_state WHERE source_id = ? AND url = ?", (source_id, url)
    ).fetchone()
    return _fetch_state(row) if row is not None else None


def fetch_states(conn: sqlite3.Connection, source_id: str | None = None) -> list[FetchState]:
    sql, args = "SELECT * FROM fetch_state", tuple[str, ...]()
    if source_id:
        sql, args = sql + " WHERE source_id = ?", (source_id,)
    return [_fetch_state(row) for row in conn.execute(sql + " ORDER BY url", args)]


def _fetch_state(row: sqlite3.Row) -> FetchState:
    return FetchState(
        url=row["url"],
        source_id=row["source_id"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_status=as_enum(Status, row["last_status"]),
        last_error=row["last_error"],
        last_error_kind=as_enum(Failure, row["last_error_kind"]),
        last_message=row["last_message"],
        consecutive_failures=row["consecutive_failures"],
        last_success=from_text(row["last_success"]),
        last_attempt=from_text(row["last_attempt"]),
        next_attempt=from_text(row["next_attempt"]),
        moved_to=row["moved_to"],
        gone=bool(row["gone"]),
        listing_shape=_shape(row["listing_shape"]),
        found_by=as_enum(FoundBy, row["found_by"]),
    )


def _shape(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    parent, block = json.loads(text)
    return str(parent), str(block)
