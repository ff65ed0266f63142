"""Shingle sets as the store keeps them: packed little-endian unsigned 64-bit numbers,
the form classify.dedupe compares in numpy, in the table item_shingles (schema migration
25); older stores held hex text."""

from __future__ import annotations

import sqlite3
import sys
from array import array
from collections.abc import Iterable
from datetime import datetime

from aggregator.store.rows import to_text


def _packed(values: Iterable[int] | bytes) -> array[int]:
    """Unsigned 64-bit numbers from ints or from their stored bytes."""
    numbers = array("Q", values)
    if sys.byteorder == "big":  # stored little-endian everywhere
        numbers.byteswap()
    return numbers


def encode(values: frozenset[int]) -> bytes | str:
    """Shingles as stored: packed little-endian unsigned 64-bit numbers; none as '' (the
    queries skip it).

    Every candidate of every new item is compared, so the packed form (read in one call)
    replaced hex text, which stores written before may still hold.
    """
    if not values:
        return ""
    return _packed(sorted(values)).tobytes()


def decode(stored: bytes | str | None) -> frozenset[int]:
    if not stored:
        return frozenset()
    if isinstance(stored, bytes):
        return frozenset(_packed(stored))
    return frozenset(int(v, 16) for v in stored.split())  # written before packing


def stored_shingles(conn: sqlite3.Connection, seq: int) -> frozenset[int]:
    row = conn.execute("SELECT shingles FROM item_shingles WHERE seq = ?", (seq,)).fetchone()
    return decode(row[0]) if row else frozenset()


def store_shingles(
    conn: sqlite3.Connection, seq: int, source_id: str, published: datetime, own: frozenset[int]
) -> None:
    """An item's shingles as the candidate search reads them; none are no row."""
    packed = encode(own)
    if not packed:
        conn.execute("DELETE FROM item_shingles WHERE seq = ?", (seq,))
        return
    conn.execute(
        "INSERT OR REPLACE INTO item_shingles (seq, source_id, published, shingles) "
        "VALUES (?, ?, ?, ?)",
        (seq, source_id, to_text(published), packed),
    )
