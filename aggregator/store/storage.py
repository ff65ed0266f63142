"""What the per-domain parts of the store (accounts, curation) build on: the connection
and its write transaction, which store.database.Store provides."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager

from aggregator.core.judging import Judge


class Storage:
    """A base of the store's parts: `_conn` to read, `transaction()` to write, `_judge`
    for the decisions the store applies (core.judging)."""

    _conn: sqlite3.Connection
    _judge: Judge

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # provided by Store
