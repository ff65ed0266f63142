"""What the store keeps of digests: each recipient's period claimed once, even by two
senders at the same moment; the next digest starts where the last one ended; a failed
one is claimed again only after its wait, and one left 'sending' by a dead sender is
never sent again."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from aggregator.classify.judge import CLASSIFIER
from aggregator.core.kinds import DeliveryState
from aggregator.store.database import Store
from tests.helpers.items import T0, make_item

RECIPIENTS = [("a@kreis.example", "<1@x>"), ("b@kreis.example", "<2@x>")]


def store_items(store: Store, count: int, start: int = 0) -> None:
    items = [
        make_item(
            f"link:e.de/{n}", url=f"https://e.de/{n}", fingerprint=f"f{n}", title=f"Meldung {n}"
        )
        for n in range(start, start + count)
    ]
    store.save_refresh("spree-neisse", items, [], T0 + timedelta(minutes=start))


def test_two_senders_at_once_claim_each_recipient_once(tmp_path: Path):
    path = tmp_path / "digests.db"
    Store(path, CLASSIFIER).close()
    claimed: list[list[str]] = []
    start = threading.Barrier(2)

    def sender() -> None:
        store = Store(path, CLASSIFIER)
        start.wait()
        claims = store.claim_digest("team", "2026-12-04", RECIPIENTS, "x:1", T0, None)
        claimed.append([c.recipient for c in claims])
        store.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed, key=len) == [[], ["a@kreis.example", "b@kreis.example"]]


def test_the_next_period_starts_where_the_last_ended(tmp_path: Path):
    store = Store(tmp_path / "digests.db", CLASSIFIER)
    store_items(store, 3)
    [first] = store.claim_digest("team", "p1", RECIPIENTS[:1], "x:1", T0, None)
    assert (first.after, first.upto) == (0, 3)
    store.finish_digest("team", "p1", "a@kreis.example", DeliveryState.SENT, 3, T0)
    assert store.claim_digest("team", "p1", RECIPIENTS[:1], "x:1", T0, None) == []
    store_items(store, 2, start=3)
    [second] = store.claim_digest("team", "p2", RECIPIENTS[:1], "x:1", T0, None)
    assert (second.after, second.upto) == (3, 5)
    assert [s.item.title for s in store.items(arrived=(3, 5), by_arrival=True)] == [
        "Meldung 3",
        "Meldung 4",
    ]


def test_a_first_period_starts_with_what_was_first_seen_since(tmp_path: Path):
    store = Store(tmp_path / "digests.db", CLASSIFIER)
    store_items(store, 2)  # first seen at T0
    store_items(store, 2, start=10)  # first seen ten minutes later
    [claim] = store.claim_digest("team", "p1", RECIPIENTS[:1], "x:1", T0, T0 + timedelta(minutes=5))
    assert (claim.after, claim.upto) == (2, 4)


def test_a_failed_period_is_claimed_again_after_its_wait_with_its_message_id(tmp_path: Path):
    store = Store(tmp_path / "digests.db", CLASSIFIER)
    [claim] = store.claim_digest("team", "p1", RECIPIENTS[:1], "x:1", T0, None)
    store.fail_digest("team", "p1", "a@kreis.example", "SMTP: 451", T0 + timedelta(minutes=1), T0)
    # a failed period's items come with the next one: the next starts where it started
    assert store.digest_cursor("team", "a@kreis.example") == claim.after == 0
    assert store.claim_digest("team", "p1", [("a@kreis.example", "<new@x>")], "x:1", T0, None) == []
    [again] = store.claim_digest(
        "team", "p1", [("a@kreis.example", "<new@x>")], "x:1", T0 + timedelta(minutes=1), None
    )
    assert again.message_id == claim.message_id == "<1@x>" and again.attempt == 2
    assert again.after == claim.after


def test_a_period_left_sending_by_a_dead_sender_is_never_sent_again(tmp_path: Path):
    store = Store(tmp_path / "digests.db", CLASSIFIER)
    store_items(store, 2)
    store.claim_digest("team", "p1", RECIPIENTS, "gone:1", T0, None)
    store.claim_digest("team", "p2", RECIPIENTS[:1], "alive:2", T0, None)
    marked = store.interrupted_digests(lambda claimant: claimant == "alive:2", T0)
    assert sorted((row.period, row.recipient) for row in marked) == [
        ("p1", "a@kreis.example"),
        ("p1", "b@kreis.example"),
    ]
    later = T0 + timedelta(days=1)
    assert store.claim_digest("team", "p1", RECIPIENTS, "x:3", later, None) == []
    delivery = store.digest_delivery("team", "p1", "b@kreis.example")
    assert delivery is not None and delivery.state == "uncertain"
    assert store.digest_cursor("team", "b@kreis.example") == 2  # the next starts after it
