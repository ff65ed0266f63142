"""Bringing a store up to the newest schema: each migration's SQL (store.schema) and the
steps some of them need in Python, one transaction per migration."""

from __future__ import annotations

import sqlite3

from aggregator.core.judging import Judge
from aggregator.store import groups
from aggregator.store.schema import (
    BANDS_MIGRATION,
    BANDS_REKEYED,
    MIGRATIONS,
    RESHINGLED,
    SHINGLES_APART,
)


def statements(script: str) -> list[str]:
    """A migration's statements one by one: split at each semicolon that ends a complete
    statement (SQLite decides), as a trigger's body holds semicolons of its own."""
    found: list[str] = []
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending.strip())
            pending = ""
    return found


def apply(conn: sqlite3.Connection, judge: Judge, number: int) -> None:
    """Migration `number` (counted from 1), inside the caller's transaction."""
    for statement in statements(MIGRATIONS[number - 1]):
        conn.execute(statement)
    if number in (BANDS_MIGRATION, BANDS_REKEYED):
        groups.backfill_band_keys(conn, judge)
    if number == RESHINGLED:
        groups.reshingle(conn, judge)
    if number == SHINGLES_APART:
        groups.pack_hex_shingles(conn)
    conn.execute(f"PRAGMA user_version = {number}")
