"""Near-duplicate groups as stored: each item's shingles and MinHash band keys, and
its group id. Which group an item joins is decided by the judge the store is handed
(core.judging, classify.dedupe.choose_group); this finds the candidates it chooses from
and records the choice."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import timedelta

from aggregator.core.judging import Candidate, Judge, Shingled
from aggregator.store.items import Upserted
from aggregator.store.rows import to_text
from aggregator.store.shingles import decode, encode

GROUP_WINDOW = timedelta(days=21)  # joint releases of one occasion appear within weeks


RECENT_BANDS = 10_000  # rows (about 500 items) kept apart before they join item_bands


def save_band_keys(
    conn: sqlite3.Connection,
    judge: Judge,
    seq: int,
    own: frozenset[int],
    old: frozenset[int] = frozenset(),
    keys: Sequence[int] | None = None,
) -> Sequence[int]:
    """Replace an item's MinHash band keys (see dedupe), unless given computed; returns them.

    New keys go to the small table of recent ones (see move_recent_band_keys). The old
    keys are computed again from the old shingles, so that the tables need no index by
    item.
    """
    keys = judge.band_keys(own) if keys is None else keys
    if old:
        gone = [(b, seq) for b in judge.band_keys(old)]
        conn.executemany("DELETE FROM item_bands WHERE band = ? AND seq = ?", gone)
        conn.executemany("DELETE FROM item_bands_recent WHERE band = ? AND seq = ?", gone)
    conn.executemany(
        "INSERT OR IGNORE INTO item_bands_recent (band, seq) VALUES (?, ?)",
        [(b, seq) for b in keys],
    )
    return keys


def renumber(
    conn: sqlite3.Connection, judge: Judge, moves: Sequence[tuple[int, int, str | bytes]]
) -> None:
    """Point an item's band keys at its new arrival number (items.release_read)."""
    for old, new, shingles in moves:
        keys = judge.band_keys(decode(shingles)) if shingles else ()
        gone = [(band, old) for band in keys]
        conn.executemany("DELETE FROM item_bands WHERE band = ? AND seq = ?", gone)
        conn.executemany("DELETE FROM item_bands_recent WHERE band = ? AND seq = ?", gone)
        conn.executemany(
            "INSERT OR IGNORE INTO item_bands_recent (band, seq) VALUES (?, ?)",
            [(band, new) for band in keys],
        )


def move_recent_band_keys(conn: sqlite3.Connection) -> None:
    """Move the recent band keys into item_bands once there are RECENT_BANDS of them: the
    big table's pages are then written once for hundreds of items, not once per refresh."""
    (count,) = conn.execute("SELECT count(*) FROM item_bands_recent").fetchone()
    if count >= RECENT_BANDS:
        conn.execute("INSERT OR IGNORE INTO item_bands SELECT band, seq FROM item_bands_recent")
        conn.execute("DELETE FROM item_bands_recent")


def group_near_duplicates(
    conn: sqlite3.Connection,
    judge: Judge,
    source_id: str,
    stored: Sequence[Upserted],
    prepared: Mapping[str, Shingled],
) -> None:
    """Put each new or changed item of one refresh in the group of its nearest duplicate
    from another source, if any.

    `prepared` holds shingles computed beforehand by text; others are computed here. The
    candidates of all the refresh's items are read in two queries, not one per item: they
    are other sources' items, so nothing this refresh stores is among them, and a group
    founded here on a candidate is named after that candidate (group_id_for), so another
    item choosing the same candidate names the same group.
    """
    shingled = [(item, *_shingles_of(conn, judge, item, prepared)) for item in stored]
    waiting = [(item, own, keys) for item, own, keys, fixed in shingled if keys and not fixed]
    # looked up before this refresh's own keys are stored: they would only find themselves
    by_band = _items_by_band(conn, {key for _, _, keys in waiting for key in keys})
    for item, own, keys, _fixed in shingled:
        save_band_keys(conn, judge, item.seq, own, decode(item.old_shingles), keys)
    if not waiting:
        return
    found = _candidates(conn, source_id, {seq for seqs in by_band.values() for seq in seqs})
    for item, own, keys in waiting:
        low = to_text(item.published - GROUP_WINDOW)
        high = to_text(item.published + GROUP_WINDOW)
        seqs = sorted({seq for key in keys for seq in by_band.get(key, ())})
        candidates = (
            found[seq][0] for seq in seqs if seq in found and low <= found[seq][1] <= high
        )
        grouping = judge.choose_group(source_id, own, candidates)
        if grouping is None:
            continue
        conn.execute("UPDATE items SET group_id = ? WHERE seq = ?", (grouping.group_id, item.seq))
        if grouping.founder:  # an item an editor split off founds no group by itself
            conn.execute(
                "UPDATE items SET group_id = ? WHERE source_id = ? AND key = ? AND group_fixed = 0",
                (grouping.group_id, grouping.founder.source_id, grouping.founder.key),
            )


def _shingles_of(
    conn: sqlite3.Connection, judge: Judge, item: Upserted, prepared: Mapping[str, Shingled]
) -> tuple[frozenset[int], Sequence[int], bool]:
    """An item's shingles, its band keys, and whether an editor fixed its group (a new
    item's never is); a changed item's shingles are stored anew here."""
    shingled = item.shingled or prepared.get(item.text) or judge.shingle([item.text])[item.text]
    own = shingled.shingles
    fixed = False
    if item.shingled is None:  # a changed item: grouped anew, unless an editor fixed it
        (fixed,) = conn.execute(
            "SELECT group_fixed FROM items WHERE seq = ?", (item.seq,)
        ).fetchone()
        conn.execute(
            "UPDATE items SET shingles = ?, group_id = CASE WHEN group_fixed THEN group_id "
            "ELSE NULL END WHERE seq = ?",
            (encode(own), item.seq),
        )
    return own, shingled.bands, bool(fixed)


AT_ONCE = 500  # values bound to one query: far below SQLite's limit of 32,766


def _chunks(values: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), AT_ONCE):
        yield ordered[start : start + AT_ONCE]


def _items_by_band(conn: sqlite3.Connection, keys: set[int]) -> dict[int, list[int]]:
    """The items (arrival numbers) that carry each of these band keys."""
    by_band: dict[int, list[int]] = {}
    for chunk in _chunks(keys):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT band, seq FROM item_bands WHERE band IN ({marks}) "
            f"UNION ALL SELECT band, seq FROM item_bands_recent WHERE band IN ({marks})",
            (*chunk, *chunk),
        )
        for band, seq in rows:
            by_band.setdefault(band, []).append(seq)
    return by_band


def _candidates(
    conn: sqlite3.Connection, source_id: str, seqs: set[int]
) -> dict[int, tuple[Candidate, str]]:
    """Other sources' items among these, with shingles: each as a candidate, and when it
    was published (stored text, compared as text like the column)."""
    found: dict[int, tuple[Candidate, str]] = {}
    for chunk in _chunks(seqs):
        rows = conn.execute(
            "SELECT seq, source_id, key, group_id, shingles, published FROM items "
            f"WHERE seq IN ({','.join('?' * len(chunk))}) AND source_id != ? "
            "AND shingles != ''",
            (*chunk, source_id),
        )
        for seq, source, key, group_id, shingles, published in rows:
            found[seq] = (Candidate(source, key, group_id, _as_bytes(shingles)), published)
    return found


def _as_bytes(stored: bytes | str) -> bytes:
    """Shingles as packed bytes, also from the hex text stores wrote before packing."""
    if isinstance(stored, bytes):
        return stored
    packed = encode(decode(stored))
    return packed if isinstance(packed, bytes) else b""


def backfill_band_keys(conn: sqlite3.Connection, judge: Judge) -> None:
    """Items stored before band keys existed get theirs, so they are still found."""
    rows = conn.execute("SELECT seq, shingles FROM items WHERE shingles != ''").fetchall()
    conn.executemany(  # a generator: twenty rows per item are not held at once
        "INSERT OR IGNORE INTO item_bands (band, seq) VALUES (?, ?)",
        ((band, seq) for seq, text in rows for band in judge.band_keys(decode(text))),
    )


RESHINGLE_BATCH = 1000


def reshingle(conn: sqlite3.Connection, judge: Judge) -> None:
    """Every item's shingles and band keys computed anew from its stored text (after the
    shingle hash changed), in batches, so that a large store needs little memory."""
    conn.execute("DELETE FROM item_bands")  # migration 14: item_bands_recent comes after
    last = 0
    while rows := conn.execute(
        "SELECT seq, title, summary_text, content_html FROM items WHERE seq > ? "
        "ORDER BY seq LIMIT ?",
        (last, RESHINGLE_BATCH),
    ).fetchall():
        texts = {
            seq: judge.comparable_text(title, text, content) for seq, title, text, content in rows
        }
        shingled = judge.shingle(texts.values())
        conn.executemany(
            "UPDATE items SET shingles = ? WHERE seq = ?",
            [(encode(shingled[text].shingles), seq) for seq, text in texts.items()],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO item_bands (band, seq) VALUES (?, ?)",
            [(band, seq) for seq, text in texts.items() for band in shingled[text].bands],
        )
        last = rows[-1][0]


def group_ids(conn: sqlite3.Connection) -> list[str]:
    """The near-duplicate groups that have more than one member."""
    rows = conn.execute(
        "SELECT group_id FROM items WHERE group_id IS NOT NULL "
        "GROUP BY group_id HAVING count(*) > 1 ORDER BY group_id"
    )
    return [row[0] for row in rows]
