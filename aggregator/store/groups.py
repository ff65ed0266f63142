"""Near-duplicate groups as stored: each item's shingles (table item_shingles) and
MinHash band keys, and its group id. Whose group an item joins is decided by the judge
the store is handed (core.judging, classify.dedupe.nearest); this finds the candidates it
chooses from and records the choice."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from aggregator.core.judging import Candidate, Judge, Shingled, group_id_for
from aggregator.store.items import Upserted
from aggregator.store.rows import to_text
from aggregator.store.shingles import decode, encode, store_shingles, stored_shingles

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


def stored_band_keys(conn: sqlite3.Connection, judge: Judge, seq: int) -> Sequence[int]:
    """The band keys of an item's stored shingles (none without them)."""
    shingles = stored_shingles(conn, seq)
    return judge.band_keys(shingles) if shingles else ()


def renumber(conn: sqlite3.Connection, judge: Judge, moves: Sequence[tuple[int, int]]) -> None:
    """Point an item's band keys at its new arrival number (items.release_read; its
    shingles moved with it)."""
    for old, new in moves:
        keys = stored_band_keys(conn, judge, new)
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
    shingled = [(item, *_shingles_of(conn, judge, source_id, item, prepared)) for item in stored]
    for item, own, keys, fixed, _old in shingled:
        if keys and not fixed:
            _join_nearest(conn, judge, source_id, item, own, keys)
    for item, _own, keys, _fixed, old in shingled:  # a changed item's old keys replaced
        if old:
            drop_band_keys(conn, item.seq, old)
        add_band_keys(conn, item.seq, keys)


def _join_nearest(
    conn: sqlite3.Connection,
    judge: Judge,
    source_id: str,
    item: Upserted,
    own: frozenset[int],
    keys: Sequence[int],
) -> None:
    """The item joins the group of the candidate its judge chooses among the other
    sources' items that share a band key with it within GROUP_WINDOW, or founds one named
    after that candidate. The candidates are filtered where their narrow rows are (a large
    store holds many items that share a key but lie months apart); only the chosen one's
    key and group are read from `items`."""
    marks = ",".join("?" * len(keys))
    window = (to_text(item.published - GROUP_WINDOW), to_text(item.published + GROUP_WINDOW))
    nearby = conn.execute(
        f"""SELECT seq, source_id, shingles FROM item_shingles
            WHERE seq IN (SELECT seq FROM item_bands WHERE band IN ({marks})
                          UNION ALL SELECT seq FROM item_bands_recent WHERE band IN ({marks}))
              AND source_id != ? AND published BETWEEN ? AND ?""",
        (*keys, *keys, source_id, *window),
    )
    nearest = judge.nearest(source_id, own, (Candidate(*row) for row in nearby))
    if nearest is None:
        return
    chosen = nearest.candidate
    key, group_id = conn.execute(
        "SELECT key, group_id FROM items WHERE seq = ?", (chosen.seq,)
    ).fetchone()
    if group_id is None:  # an item an editor split off founds no group by itself
        group_id = group_id_for(chosen.source_id, key)
        conn.execute(
            "UPDATE items SET group_id = ? WHERE seq = ? AND group_fixed = 0",
            (group_id, chosen.seq),
        )
    conn.execute("UPDATE items SET group_id = ? WHERE seq = ?", (group_id, item.seq))


def _shingles_of(
    conn: sqlite3.Connection,
    judge: Judge,
    source_id: str,
    item: Upserted,
    prepared: Mapping[str, Shingled],
) -> tuple[frozenset[int], Sequence[int], bool, Sequence[int]]:
    """An item's shingles, its band keys, whether an editor fixed its group (a new item's
    never is) and the band keys it had before (a changed item's, stored anew here)."""
    shingled = item.shingled or prepared.get(item.text) or judge.shingle([item.text])[item.text]
    own = shingled.shingles
    if item.shingled is not None:  # a new item: stored with them
        return own, shingled.bands, False, ()
    (fixed,) = conn.execute("SELECT group_fixed FROM items WHERE seq = ?", (item.seq,)).fetchone()
    conn.execute(
        "UPDATE items SET group_id = CASE WHEN group_fixed THEN group_id ELSE NULL END "
        "WHERE seq = ?",
        (item.seq,),
    )
    before = stored_band_keys(conn, judge, item.seq)
    store_shingles(conn, item.seq, source_id, item.published, own)
    return own, shingled.bands, bool(fixed), before


def pack_hex_shingles(conn: sqlite3.Connection) -> None:
    """Shingles written as hex text, before they were packed, packed (migration 25)."""
    rows = conn.execute("SELECT seq, shingles FROM item_shingles WHERE typeof(shingles) = 'text'")
    conn.executemany(
        "UPDATE item_shingles SET shingles = ? WHERE seq = ?",
        [(encode(decode(text)), seq) for seq, text in rows.fetchall()],
    )


def backfill_band_keys(conn: sqlite3.Connection, judge: Judge) -> None:
    """Items stored before band keys existed get theirs, so they are still found
    (migrations 6 and 10, when the shingles were still a column of `items`)."""
    rows = conn.execute("SELECT seq, shingles FROM items WHERE shingles != ''").fetchall()
    conn.executemany(  # a generator: twenty rows per item are not held at once
        "INSERT OR IGNORE INTO item_bands (band, seq) VALUES (?, ?)",
        ((band, seq) for seq, text in rows for band in judge.band_keys(decode(text))),
    )


RESHINGLE_BATCH = 1000


def reshingle(conn: sqlite3.Connection, judge: Judge) -> None:
    """Every item's shingles and band keys computed anew from its stored text (after the
    shingle hash changed, migration 14: the shingles were still a column of `items`), in
    batches, so that a large store needs little memory."""
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
