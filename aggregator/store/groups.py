"""Near-duplicate groups as stored: each item's shingles and MinHash band keys, and
its group id. Which group an item joins is decided by the judge the store is handed
(core.judging, classify.dedupe.choose_group); this finds the candidates it chooses from
and records the choice."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from aggregator.core.judging import Candidate, Judge, Shingled
from aggregator.store.items import Upserted
from aggregator.store.rows import to_text
from aggregator.store.shingles import decode, encode

GROUP_WINDOW = timedelta(days=21)  # joint releases of one occasion appear within weeks


RECENT_BANDS = 10_000  # rows (about 500 items) kept apart before they join item_bands


def drop_band_keys(conn: sqlite3.Connection, seq: int, keys: Iterable[int]) -> None:
    """Take an item's band keys out of both tables (they have no index by item, so the
    keys are named: computed again from the item's shingles)."""
    gone = [(band, seq) for band in keys]
    conn.executemany("DELETE FROM item_bands WHERE band = ? AND seq = ?", gone)
    conn.executemany("DELETE FROM item_bands_recent WHERE band = ? AND seq = ?", gone)


def add_band_keys(conn: sqlite3.Connection, seq: int, keys: Iterable[int]) -> None:
    """New keys go to the small table of recent ones (see move_recent_band_keys)."""
    conn.executemany(
        "INSERT OR IGNORE INTO item_bands_recent (band, seq) VALUES (?, ?)",
        [(band, seq) for band in keys],
    )


def renumber(
    conn: sqlite3.Connection, judge: Judge, moves: Sequence[tuple[int, int, str | bytes]]
) -> None:
    """Point an item's band keys at its new arrival number (items.release_read)."""
    for old, new, shingles in moves:
        keys = judge.band_keys(decode(shingles)) if shingles else ()
        drop_band_keys(conn, old, keys)
        add_band_keys(conn, new, keys)


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
    candidates are looked up before the refresh's own band keys are stored: they are the
    same source's, so they would only find themselves (400 of the rows each refresh of 20
    items read on the farm).
    """
    shingled = [(item, *_shingles_of(conn, judge, item, prepared)) for item in stored]
    for item, own, keys, fixed in shingled:
        if keys and not fixed:
            _join_nearest(conn, judge, source_id, item, own, keys)
    for item, _own, keys, _fixed in shingled:  # a changed item's old keys replaced
        if item.old_shingles:
            drop_band_keys(conn, item.seq, judge.band_keys(decode(item.old_shingles)))
        add_band_keys(conn, item.seq, keys)


def _join_nearest(
    conn: sqlite3.Connection,
    judge: Judge,
    source_id: str,
    item: Upserted,
    own: frozenset[int],
    keys: Sequence[int],
) -> None:
    """The item joins the group its judge chooses among the other sources' items that
    share a band key with it within GROUP_WINDOW, filtered where the rows are (in SQLite):
    a large store holds many items that share a key but lie months apart."""
    marks = ",".join("?" * len(keys))
    window = (to_text(item.published - GROUP_WINDOW), to_text(item.published + GROUP_WINDOW))
    nearby = conn.execute(
        f"""SELECT source_id, key, group_id, shingles FROM items
            WHERE seq IN (SELECT seq FROM item_bands WHERE band IN ({marks})
                          UNION ALL SELECT seq FROM item_bands_recent WHERE band IN ({marks}))
              AND source_id != ? AND +published BETWEEN ? AND ? AND shingles != ''""",
        (*keys, *keys, source_id, *window),
    )
    candidates = (Candidate(r[0], r[1], r[2], _as_bytes(r[3])) for r in nearby)
    grouping = judge.choose_group(source_id, own, candidates)
    if grouping is None:
        return
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
