"""Items waiting for the detail page that dates them (schema migration 19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.classify.judge import CLASSIFIER
from aggregator.core.model import DetailQueueChange, Entry, QueuedDetail
from aggregator.store.database import Store
from aggregator.store.queue import MAX_ATTEMPTS
from tests.helpers.items import JOINT, make_item

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
LISTING = "https://e.de/presse/"


def _queued(key: str) -> DetailQueueChange:
    entry = Entry(title="Aktionswoche", link="https://e.de/2")
    return DetailQueueChange(add=(QueuedDetail(key, LISTING, entry, LISTING),))


def _titles(store: Store, **filters: object) -> list[str]:
    return [s.item.title for s in store.items(by_arrival=True, **filters)]  # type: ignore[arg-type]


def _store_with_a_waiting_item(path: Path) -> Store:
    store = Store(path, CLASSIFIER)
    first = make_item("a", url="https://e.de/1", title="erste", fingerprint="a")
    waiting = make_item(
        "b",
        url="https://e.de/2",
        title="wartet",
        published=T0,
        date_is_guess=True,
        fingerprint="b",
        summary_text=JOINT,
    )
    saved = store.save_refresh("spree-neisse", [first, waiting], [], T0, details=_queued("b"))
    assert saved.waiting == 1
    later = make_item("c", url="https://e.de/3", title="später", fingerprint="c")
    store.save_refresh("spree-neisse", [later], [], T0 + timedelta(hours=1))
    return store


def test_a_waiting_item_is_in_no_output_until_its_page_is_read(tmp_path: Path) -> None:
    store = _store_with_a_waiting_item(tmp_path / "w.db")
    assert _titles(store) == ["erste", "später"]
    assert store.count() == 2
    assert _titles(store, with_waiting=True) == ["erste", "wartet", "später"]
    assert store.item_counts(T0 - timedelta(days=9999))["spree-neisse"] == (2, 2)

    dated = make_item(
        "b", url="https://e.de/2", title="wartet", fingerprint="b", summary_text=JOINT
    )
    done = DetailQueueChange(done=("b",))
    store.save_refresh("spree-neisse", [dated], [], T0 + timedelta(hours=2), details=done)
    assert _titles(store) == ["erste", "später", "wartet"]  # arrives now, after "später"
    store.close()


def test_a_release_is_seen_by_the_next_digest_period(tmp_path: Path) -> None:
    store = _store_with_a_waiting_item(tmp_path / "w.db")
    sent_up_to = store.last_arrival()
    store.save_refresh(
        "spree-neisse", [], [], T0 + timedelta(hours=2), details=DetailQueueChange(done=("b",))
    )
    fresh = store.items(arrived=(sent_up_to, store.last_arrival()))
    assert [s.item.title for s in fresh] == ["wartet"]
    store.close()


def test_an_item_whose_page_keeps_failing_goes_out_flagged(tmp_path: Path) -> None:
    store = _store_with_a_waiting_item(tmp_path / "w.db")
    for hour in range(MAX_ATTEMPTS):
        store.save_refresh(
            "spree-neisse",
            [],
            [],
            T0 + timedelta(hours=2 + hour),
            details=DetailQueueChange(failed=("b",)),
        )
    released = [s.item for s in store.items() if s.item.title == "wartet"]
    assert released and released[0].date_is_guess
    store.close()


def test_a_released_item_still_finds_its_near_duplicates(tmp_path: Path) -> None:
    store = _store_with_a_waiting_item(tmp_path / "w.db")
    store.save_refresh(
        "spree-neisse", [], [], T0 + timedelta(hours=2), details=DetailQueueChange(done=("b",))
    )
    (seq,) = store._conn.execute("SELECT seq FROM items WHERE key = 'b'").fetchone()
    bands = store._conn.execute(
        "SELECT count(*) FROM (SELECT seq FROM item_bands UNION ALL "
        "SELECT seq FROM item_bands_recent) WHERE seq = ?",
        (seq,),
    ).fetchone()[0]
    assert bands > 0
    store.close()


def test_a_released_item_dated_by_its_page_is_found_at_its_number_and_date(
    tmp_path: Path,
) -> None:
    """Released, the item takes a new arrival number, and its page gave it the real date:
    the near-duplicate search (item_shingles) follows both, so a joint release of that
    day from another source joins it."""
    store = _store_with_a_waiting_item(tmp_path / "w.db")
    dated = make_item(
        "b", url="https://e.de/2", title="wartet", fingerprint="b", summary_text=JOINT
    )
    done = DetailQueueChange(done=("b",))
    store.save_refresh("spree-neisse", [dated], [], T0 + timedelta(hours=2), details=done)
    (seq, published) = store._conn.execute(
        "SELECT seq, published FROM items WHERE key = 'b'"
    ).fetchone()
    searched = store._conn.execute(
        "SELECT seq, published FROM item_shingles WHERE source_id = 'spree-neisse' AND seq = ?",
        (seq,),
    ).fetchall()
    assert [tuple(row) for row in searched] == [(seq, published)]
    assert published.startswith("2019-08-28")

    other = make_item(
        "link:u.de/9", source_id="uckermark", url="https://u.de/9", summary_text=JOINT + " Prenzlau"
    )
    store.save_refresh("uckermark", [other], [], T0 + timedelta(hours=3))
    groups = {s.item.key: s.group_id for s in store.items(limit=None)}
    assert groups["b"] and groups["b"] == groups["link:u.de/9"]
    store.close()
