"""Stores prepared for digest tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aggregator.classify.judge import CLASSIFIER
from aggregator.store.database import Store


def configured_long_ago(db: Path, *digest_ids: str) -> None:
    """The store as a service that has known these digests for years leaves it: their
    current period is due now (a new digest waits for its next slot)."""
    store = Store(db, CLASSIFIER)
    try:
        for digest_id in digest_ids:
            store.digest_known_since(digest_id, datetime(2000, 1, 1, tzinfo=UTC))
    finally:
        store.close()
