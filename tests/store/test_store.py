import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.classify.judge import CLASSIFIER
from aggregator.core.kinds import Failure, Status
from aggregator.core.model import FetchOutcome
from aggregator.errors import StorageError
from aggregator.store.database import MIGRATIONS, Store
from tests.helpers.checks import present
from tests.helpers.items import JOINT, T0, make_item
from tests.helpers.old_schemas import DROP_AFTER_18, SHINGLES_BACK_IN_ITEMS


@pytest.fixture
def store(tmp_path: Path):
    store = Store(tmp_path / "test.db", CLASSIFIER)
    yield store
    store.close()


def test_schema_is_migrated_and_wal_is_on(store: Store):
    assert store.schema_version == len(MIGRATIONS) >= 2
    assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_refetching_the_same_items_adds_nothing(store: Store):
    assert store.save_refresh("spree-neisse", [make_item()], [], T0).new == 1
    again = store.save_refresh("spree-neisse", [make_item()], [], T0 + timedelta(hours=1))
    assert (again.new, again.updated) == (0, 0)
    assert store.count_items() == 1
    [stored] = store.items()
    assert stored.updated == stored.item.published and stored.first_seen == T0


def test_changed_text_updates_in_place_and_moves_updated_not_published(store: Store):
    store.save_refresh("spree-neisse", [make_item()], [], T0)
    later = T0 + timedelta(hours=2)
    result = store.save_refresh(
        "spree-neisse", [make_item(title="Aktionswoche (korrigiert)")], [], later
    )
    assert result.updated == 1
    [stored] = store.items()
    assert stored.item.title == "Aktionswoche (korrigiert)"
    assert stored.updated == later and stored.first_seen == T0
    assert stored.item.published == datetime(2019, 8, 28, 7, 15, tzinfo=UTC)


def test_same_link_under_another_key_is_the_same_item(store: Store):
    store.save_refresh("spree-neisse", [make_item(key="guid:urn:x")], [], T0)
    result = store.save_refresh("spree-neisse", [make_item(key="link:e.de/1")], [], T0)
    assert result.new == 0 and store.count_items() == 1


def test_a_first_read_finds_its_own_items_again_by_link_and_by_text(store: Store):
    """A source's first read asks no lookups for items that cannot be stored yet, but one
    release listed twice in it (another key, or another link) is still one item."""
    twice_by_link = [make_item(key="guid:urn:x"), make_item(key="link:e.de/1")]
    assert store.save_refresh("spree-neisse", twice_by_link, [], T0).new == 1
    moved = make_item(key="link:u.de/1?sid=9", url="https://u.de/1?from=2", source_id="uckermark")
    twice_by_text = [
        make_item(key="link:u.de/1", url="https://u.de/1", source_id="uckermark"),
        moved,
    ]
    assert store.save_refresh("uckermark", twice_by_text, [], T0).new == 1
    assert store.count_items() == 2


def test_same_title_teaser_and_day_under_another_link_is_the_same_item(store: Store):
    store.save_refresh("spree-neisse", [make_item()], [], T0)
    moved = make_item(key="link:e.de/1?sid=9", url="https://e.de/1?from=page2")
    assert store.save_refresh("spree-neisse", [moved], [], T0).new == 0
    next_year = make_item(
        key="link:e.de/2", url="https://e.de/2", published=datetime(2020, 8, 28, 7, 15, tzinfo=UTC)
    )
    assert store.save_refresh("spree-neisse", [next_year], [], T0).new == 1


def test_a_failed_refresh_leaves_the_store_untouched(store: Store, monkeypatch):
    store.save_refresh("spree-neisse", [make_item()], [], T0)
    bad = make_item(key="link:e.de/2", url="https://e.de/2")
    broken = make_item(key="link:e.de/3", url="https://e.de/3", title=None)  # NOT NULL violation
    with pytest.raises(sqlite3.IntegrityError):
        store.save_refresh("spree-neisse", [bad, broken], [FetchOutcome("u", Status.OK)], T0)
    assert store.count_items() == 1
    assert store.fetch_state("spree-neisse", "u") is None


def test_fetch_state_keeps_validators_and_the_failures_the_refresh_counted(store: Store):
    ok = FetchOutcome(
        "https://e.de/rss.xml", Status.OK, etag='"abc"', last_modified="Wed, 28 Aug 2019"
    )
    store.save_refresh("spree-neisse", [], [ok], T0)
    fail = FetchOutcome(
        "https://e.de/rss.xml", Status.ERROR, "HTTP 500", Failure.HTTP_STATUS, failures=1
    )
    store.save_refresh("spree-neisse", [], [fail], T0 + timedelta(minutes=30))
    again = replace(fail, failures=2)  # pipeline.attempt counts them, once
    store.save_refresh("spree-neisse", [], [again], T0 + timedelta(minutes=60))
    state = store.fetch_state("spree-neisse", "https://e.de/rss.xml")
    assert state is not None
    assert state.etag == '"abc"' and state.consecutive_failures == 2
    assert state.last_success == T0 and state.last_error == "HTTP 500"
    store.save_refresh(
        "spree-neisse", [], [FetchOutcome(ok.url, Status.NOT_MODIFIED)], T0 + timedelta(hours=2)
    )
    state = store.fetch_state("spree-neisse", ok.url)
    assert state is not None
    assert state.consecutive_failures == 0 and state.etag == '"abc"'
    history = store._conn.execute("SELECT count(*) FROM fetch_history").fetchone()[0]
    assert history == 4


def test_items_are_newest_first_and_filterable(store: Store):
    old = make_item(key="link:e.de/old", url="https://e.de/old", published=T0 - timedelta(days=3))
    other = make_item(key="link:o.de/1", url="https://o.de/1", source_id="other")
    store.save_refresh("spree-neisse", [old, make_item()], [], T0)
    store.save_refresh("other", [other], [], T0)
    assert [s.item.url for s in store.items()][-1] == "https://e.de/old"
    assert {s.item.source_id for s in store.items(source_ids=["other"])} == {"other"}
    assert len(store.items(limit=1)) == 1


def _joins_the_group_of(store: Store, source_id: str) -> bool:
    other = make_item(
        "link:u.de/9",
        source_id="uckermark",
        url="https://u.de/9",
        summary_text=JOINT + " in Prenzlau",
        fingerprint="f2",
    )
    store.save_refresh("uckermark", [other], [], T0)
    groups = {s.item.source_id: s.group_id for s in store.items(limit=None)}
    return bool(groups[source_id]) and groups[source_id] == groups["uckermark"]


def test_items_stored_before_band_keys_get_them_and_still_group(tmp_path: Path):
    """A store from before band keys existed (version 4) keeps grouping its old items."""
    path = tmp_path / "old.db"
    old = Store(path, CLASSIFIER)
    old.save_refresh("spree-neisse", [make_item(summary_text=JOINT)], [], T0)
    old._conn.execute("PRAGMA user_version = 4")
    old._conn.execute("DROP TABLE robots")  # migration 11
    old._conn.execute("DROP TABLE digest_deliveries")  # migration 12
    old._conn.execute("DROP TABLE websub_subscriptions")  # migration 13
    old._conn.execute("DROP TABLE item_bands_recent")  # migration 15
    old._conn.execute("ALTER TABLE items DROP COLUMN held")  # migration 17
    old._conn.executescript(DROP_AFTER_18)  # migration 19
    old._conn.execute("DROP TABLE item_bands")  # and what migrations 5 to 9 made
    old._conn.execute("DROP TABLE sources")
    old._conn.execute("ALTER TABLE discovered DROP COLUMN started_from")
    old._conn.execute("DROP TABLE detail_queue")  # migration 8
    old._conn.execute("ALTER TABLE fetch_state DROP COLUMN listing_shape")  # migration 9
    old._conn.execute("ALTER TABLE fetch_state DROP COLUMN found_by")
    old.close()

    store = Store(path, CLASSIFIER)
    assert store.schema_version == len(MIGRATIONS)
    assert _band_rows(store)
    assert _joins_the_group_of(store, "spree-neisse")
    store.close()


def test_band_keys_of_the_old_layout_are_rebuilt_by_arrival_number(tmp_path: Path):
    """Version 5 kept band keys with the item's source id and key; version 6 by its seq."""
    from aggregator.classify.minhash import band_keys

    path = tmp_path / "v5.db"
    old, shingled = _store_with_one_joint_item(path)
    old._conn.executescript(
        "DROP TABLE item_bands;"
        "CREATE TABLE item_bands (band INTEGER NOT NULL, source_id TEXT NOT NULL,"
        " key TEXT NOT NULL);"
        "DROP TABLE sources; ALTER TABLE discovered DROP COLUMN started_from;"
        "DROP TABLE detail_queue;"
        "ALTER TABLE fetch_state DROP COLUMN listing_shape;"
        "ALTER TABLE fetch_state DROP COLUMN found_by;"
        "DROP TABLE robots; DROP TABLE digest_deliveries; DROP TABLE websub_subscriptions;"
        "DROP TABLE item_bands_recent; ALTER TABLE items DROP COLUMN held;"
        + DROP_AFTER_18
        + "PRAGMA user_version = 5;"
    )
    old._conn.executemany(
        "INSERT INTO item_bands VALUES (?, 'spree-neisse', 'link:e.de/1')",
        [(band,) for band in band_keys(shingled)],
    )
    old.close()
    _assert_band_keys_rebuilt(path, shingled)


def _band_rows(store: Store) -> list[tuple[int, int]]:
    """The stored band keys, recent or moved into item_bands."""
    rows = store._conn.execute(
        "SELECT band, seq FROM item_bands UNION ALL SELECT band, seq FROM item_bands_recent"
    )
    return [(band, seq) for band, seq in rows]


def _store_with_one_joint_item(path: Path) -> tuple[Store, frozenset[int]]:
    from aggregator.store.shingles import decode

    old = Store(path, CLASSIFIER)
    old.save_refresh("spree-neisse", [make_item(summary_text=JOINT)], [], T0)
    shingled = decode(old._conn.execute("SELECT shingles FROM item_shingles").fetchone()[0])
    return old, shingled


def _assert_band_keys_rebuilt(path: Path, shingled: frozenset[int]) -> None:
    """Opened again, the store holds the item's band keys by its seq, and still groups."""
    from aggregator.classify.minhash import band_keys

    store = Store(path, CLASSIFIER)
    rows = _band_rows(store)
    assert sorted(rows) == sorted((band, 1) for band in band_keys(shingled))
    assert _joins_the_group_of(store, "spree-neisse")
    store.close()


def test_band_keys_of_the_per_band_hash_are_computed_anew(tmp_path: Path):
    """Version 9 hashed each band on its own; version 10 mixes the keys in numpy: the old
    keys are dropped and computed anew, so old items are still found."""
    path = tmp_path / "v9.db"
    old, shingled = _store_with_one_joint_item(path)
    old._conn.execute("DELETE FROM item_bands")
    old._conn.executemany(  # keys no new item would share
        "INSERT INTO item_bands VALUES (?, 1)", [(n,) for n in range(1, 21)]
    )
    old._conn.execute("PRAGMA user_version = 9")
    old._conn.execute("DROP TABLE robots")  # migration 11
    old._conn.execute("DROP TABLE digest_deliveries")  # migration 12
    old._conn.execute("DROP TABLE websub_subscriptions")  # migration 13
    old._conn.execute("DROP TABLE item_bands_recent")  # migration 15
    old._conn.execute("ALTER TABLE items DROP COLUMN held")  # migration 17
    old._conn.executescript(DROP_AFTER_18)  # migration 19
    old.close()
    _assert_band_keys_rebuilt(path, shingled)


def test_shingles_of_the_per_shingle_hash_are_computed_anew(tmp_path: Path):
    """Version 13 hashed each shingle's text; version 14 mixes its words' hashes: every
    stored item's shingles and band keys are computed anew from its stored text."""
    from aggregator.classify.dedupe import comparable_text
    from aggregator.classify.minhash import band_keys, shingles
    from aggregator.store.shingles import decode, encode

    path = tmp_path / "v13.db"
    old, now = _store_with_one_joint_item(path)
    old._conn.executescript(DROP_AFTER_18)  # migration 19
    old._conn.execute("UPDATE items SET shingles = ?", (encode(frozenset(range(1, 60))),))
    old._conn.execute("DELETE FROM item_bands")
    old._conn.executemany("INSERT INTO item_bands VALUES (?, 1)", [(n,) for n in range(1, 21)])
    old._conn.execute("PRAGMA user_version = 13")
    old._conn.execute("DROP TABLE item_bands_recent")  # migration 15
    old._conn.execute("ALTER TABLE items DROP COLUMN held")  # migration 17
    old.close()
    store = Store(path, CLASSIFIER)
    title, text, content, stored = store._conn.execute(
        "SELECT title, summary_text, content_html, shingles FROM items JOIN item_shingles "
        "USING (seq)"
    ).fetchone()
    expected = shingles(comparable_text(title, text, content))
    assert decode(stored) == expected == now
    rows = {band for band, _seq in _band_rows(store)}
    assert rows == set(band_keys(expected))
    assert _joins_the_group_of(store, "spree-neisse")
    store.close()


@pytest.mark.parametrize("recent_limit", [1, 10_000])
def test_joint_releases_group_whether_their_band_keys_are_recent_or_moved(
    store: Store, monkeypatch: pytest.MonkeyPatch, recent_limit: int
):
    """Band keys wait in a small table until RECENT_BANDS of them are there, then move
    into item_bands; candidates are found in both."""
    from aggregator.store import groups

    monkeypatch.setattr(groups, "RECENT_BANDS", recent_limit)
    store.save_refresh("spree-neisse", [make_item(summary_text=JOINT)], [], T0)
    recent = store._conn.execute("SELECT count(*) FROM item_bands_recent").fetchone()[0]
    moved = store._conn.execute("SELECT count(*) FROM item_bands").fetchone()[0]
    if recent_limit == 1:  # moved at the end of the refresh that stored them
        assert recent == 0 and moved > 0
    else:
        assert recent > 0 and moved == 0
    assert _joins_the_group_of(store, "spree-neisse")


def test_a_changed_item_replaces_its_band_keys(store: Store):
    from aggregator.classify.minhash import band_keys, shingles

    store.save_refresh("spree-neisse", [make_item(summary_text=JOINT)], [], T0)
    changed = "Ganz anderer Text über den Kreistag, die Haushaltsberatung und neue Radwege"
    update = make_item(summary_text=changed, summary_html=f"<p>{changed}</p>")
    assert store.save_refresh("spree-neisse", [update], [], T0).updated == 1
    stored = {band for band, _seq in _band_rows(store)}
    assert stored == set(band_keys(shingles(f"Aktionswoche {changed} ")))
    assert not _joins_the_group_of(store, "spree-neisse")


def test_shingles_move_out_of_the_items_rows_packed_and_still_group(tmp_path: Path):
    """Version 24 kept shingles in a late column of `items`, as packed bytes or, written
    before packing, hex text; version 25 keeps them packed in item_shingles, the rows of
    items lose the column, and old items are still found by new ones."""
    from aggregator.store.shingles import decode

    path = tmp_path / "v24.db"
    old = Store(path, CLASSIFIER)
    joint = (
        "Vom 26. bis 30. August laden die kommunalen Jobcenter zu einer bundesweiten "
        "Aktionswoche ein und zeigen ihre Angebote für Familien und Betriebe vor Ort"
    )
    unlike = "Der Kreistag berät am Donnerstag über den Haushalt und die Sanierung der Straßen"
    first = make_item(summary_text=joint)
    second = make_item("link:e.de/2", url="https://e.de/2", summary_text=unlike, fingerprint="f3")
    old.save_refresh("spree-neisse", [first, second], [], T0)
    packed = dict(old._conn.execute("SELECT seq, shingles FROM item_shingles").fetchall())
    old._conn.executescript(SHINGLES_BACK_IN_ITEMS)
    as_hex = " ".join(f"{v:x}" for v in sorted(decode(packed[1])))
    old._conn.execute("UPDATE items SET shingles = ? WHERE seq = 1", (as_hex,))
    old._conn.execute("PRAGMA user_version = 24")
    old.close()

    store = Store(path, CLASSIFIER)
    columns = [row[1] for row in store._conn.execute("PRAGMA table_info(items)")]
    assert "shingles" not in columns
    moved = dict(store._conn.execute("SELECT seq, shingles FROM item_shingles").fetchall())
    assert moved == packed and all(isinstance(v, bytes) for v in moved.values())
    other = make_item(
        "link:u.de/9",
        source_id="uckermark",
        url="https://u.de/9",
        summary_text=joint + " in Prenzlau",
        fingerprint="f2",
    )
    store.save_refresh("uckermark", [other], [], T0)
    groups = {s.item.key: s.group_id for s in store.items(limit=None)}
    assert groups["link:e.de/1"] and groups["link:e.de/1"] == groups["link:u.de/9"]
    assert groups["link:e.de/2"] is None
    store.close()


def test_a_near_duplicate_without_a_group_founds_one_named_after_it(store: Store):
    """The first item of a joint release names the group, which its later members join."""
    from aggregator.core.judging import group_id_for

    store.save_refresh("spree-neisse", [make_item(summary_text=JOINT)], [], T0)
    for n, source_id in enumerate(("uckermark", "oder-spree")):
        other = make_item(
            f"link:{source_id}/1",
            source_id=source_id,
            url=f"https://{source_id}.de/1",
            summary_text=JOINT + " in " + source_id,
            fingerprint=f"g{n}",
        )
        store.save_refresh(source_id, [other], [], T0)
    groups = {s.item.source_id: s.group_id for s in store.items(limit=None)}
    assert set(groups.values()) == {group_id_for("spree-neisse", "link:e.de/1")}


def test_shingles_computed_beforehand_are_used_for_the_text_they_were_computed_from(
    store: Store,
):
    from aggregator.classify.dedupe import comparable_text
    from aggregator.core.judging import Shingled
    from aggregator.store.shingles import decode

    item = make_item(summary_text=JOINT)
    text = comparable_text(item.title, item.summary_text, item.content_html)
    prepared = Shingled(frozenset(range(100, 120)), (7, 8, 9))
    store.save_refresh("spree-neisse", [item], [], T0, shingled={text: prepared})
    stored = store._conn.execute("SELECT shingles FROM item_shingles").fetchone()[0]
    assert decode(stored) == prepared.shingles
    bands = {band for band, _seq in _band_rows(store)}
    assert bands == {7, 8, 9}


def test_how_items_were_found_is_carried_over_from_a_store_before_it_was_kept(tmp_path: Path):
    """Version 8 kept "heuristic" only in the message; version 9 keeps it as a value."""
    path = tmp_path / "v8.db"
    old = Store(path, CLASSIFIER)
    outcomes = [
        FetchOutcome(
            "https://e.de/liste", Status.OK, "heuristic: guessed 5 items in ul > li (sure)"
        ),
        FetchOutcome("https://e.de/rss", Status.OK, "12 items"),
    ]
    old.save_refresh("spree-neisse", [], outcomes, T0)
    old._conn.executescript(
        "ALTER TABLE fetch_state DROP COLUMN listing_shape;"
        "ALTER TABLE fetch_state DROP COLUMN found_by; DROP TABLE robots;"
        "DROP TABLE digest_deliveries; DROP TABLE websub_subscriptions;"
        "DROP TABLE item_bands_recent; ALTER TABLE items DROP COLUMN held;"
        + DROP_AFTER_18
        + "PRAGMA user_version = 8;"
    )
    old.close()
    store = Store(path, CLASSIFIER)
    assert present(store.fetch_state("spree-neisse", "https://e.de/liste")).found_by == "heuristic"
    assert present(store.fetch_state("spree-neisse", "https://e.de/rss")).found_by is None
    store.close()


def test_an_item_seen_again_through_another_target_keeps_its_first_text(store: Store):
    """A release in a feed and on a listing: when only the listing answers (the feed is
    unchanged), its other title does not replace the feed's, nor count as an update."""
    store.save_refresh("spree-neisse", [make_item()], [], T0)
    listed = make_item(fetched_from="https://e.de/presse/", title="Anders")
    again = store.save_refresh("spree-neisse", [listed], [], T0 + timedelta(hours=1))
    assert (again.new, again.updated) == (0, 0)
    (stored,) = store.items()
    assert stored.item.title == "Aktionswoche"


def test_robots_txt_is_kept_until_it_expires(tmp_path: Path):
    import time

    from aggregator.core.robots import Remembered

    path = tmp_path / "robots.db"
    store = Store(path, CLASSIFIER)
    cache = store.robots_cache()
    cache.remember(
        "https://a.de", Remembered("User-agent: *\nDisallow: /x\n", False, time.time() + 60)
    )
    cache.remember("https://b.de", Remembered(None, True, time.time() - 1))  # already expired
    store.save_robots(cache)
    assert cache.changed == {}
    store.close()

    again = Store(path, CLASSIFIER).robots_cache()
    assert set(again.known) == {"https://a.de"}
    assert (
        present(again.recall("https://a.de", time.time())).text == "User-agent: *\nDisallow: /x\n"
    )
    assert again.recall("https://a.de", time.time() + 120) is None


def test_every_part_of_the_store_reports_database_failures_as_storage_errors(tmp_path: Path):
    Store(tmp_path / "test.db", CLASSIFIER).close()
    readonly = Store(tmp_path / "test.db", CLASSIFIER, readonly=True)
    writes = [
        lambda: readonly.save_refresh("spree-neisse", [make_item()], [], T0),  # the store itself
        lambda: readonly.save_discovered("spree-neisse", T0, ["https://e.de/feed"], []),
        lambda: readonly.forget_campaigns_except([]),
        lambda: readonly.save_echoes(("zeitung", "a"), []),
    ]
    try:
        for write in writes:
            with pytest.raises(StorageError, match="read-only"):
                write()
    finally:
        readonly.close()


def test_items_of_one_refresh_that_choose_one_candidate_share_its_new_group(store: Store):
    """Two items of one refresh that choose the same ungrouped release (the first founds
    a group on it) end in one group with it."""
    store.save_refresh("spree-neisse", [make_item(summary_text=JOINT)], [], T0)
    twice = [
        make_item(
            f"link:u.de/{n}",
            source_id="uckermark",
            url=f"https://u.de/{n}",
            summary_text=f"{JOINT} in {place}",
            fingerprint=f"u{n}",
        )
        for n, place in ((1, "Prenzlau"), (2, "Schwedt"))
    ]
    store.save_refresh("uckermark", twice, [], T0)
    groups = {s.item.key: s.group_id for s in store.items(limit=None)}
    assert groups["link:e.de/1"] is not None
    assert groups["link:e.de/1"] == groups["link:u.de/1"] == groups["link:u.de/2"]


def test_a_release_weeks_apart_is_no_candidate(store: Store):
    store.save_refresh("spree-neisse", [make_item(summary_text=JOINT)], [], T0)
    later = make_item(
        "link:u.de/9",
        source_id="uckermark",
        url="https://u.de/9",
        summary_text=JOINT + " in Prenzlau",
        fingerprint="f2",
        published=make_item().published + timedelta(days=22),
    )
    store.save_refresh("uckermark", [later], [], T0)
    assert all(s.group_id is None for s in store.items(limit=None))
