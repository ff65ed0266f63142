"""What the per-domain parts of the store (accounts, curation) build on: the connection
and its write transaction, which store.database.Store provides."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager


class Storage:
    """A base of the store's parts: `_conn` to read, `transaction()` to write."""

    _conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # provided by Store
