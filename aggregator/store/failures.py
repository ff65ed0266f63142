"""The database's failures in the words an operator acts on ("disk full", "read-only"),
and telling them from a bad value of ours."""

from __future__ import annotations

import errno
import sqlite3

from aggregator.errors import StorageError

CAUSES = {
    "SQLITE_FULL": "disk full",
    "SQLITE_READONLY": "read-only",
    "SQLITE_NOTADB": "not a database",
    "SQLITE_CORRUPT": "the file is corrupt",
    "SQLITE_CANTOPEN": "cannot be opened (missing folder, no permission or read-only)",
    "SQLITE_BUSY": "locked by another process",
    "SQLITE_LOCKED": "locked by another process",
    "SQLITE_IOERR": "input/output error",
    "SQLITE_PERM": "no permission",
}


def os_error_cause(exc: OSError) -> str:
    """The words of CAUSES for a file next to the database that could not be written."""
    causes = {errno.ENOSPC: "disk full", errno.EROFS: "read-only", errno.EACCES: "no permission"}
    return causes.get(exc.errno or 0, exc.strerror or str(exc))


def storage_error(path: str, exc: sqlite3.Error) -> StorageError:
    """What went wrong, in the words an operator acts on ("disk full", "read-only")."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, cause in CAUSES.items():
        if name.startswith(prefix):
            return StorageError(path, cause, str(exc))
    return StorageError(path, str(exc) or type(exc).__name__)


def is_storage_failure(exc: BaseException) -> bool:
    """The database or its disk failed, as opposed to a bad value of ours (a constraint,
    a wrong binding): those stay what they are, one item's or one source's problem."""
    if isinstance(exc, StorageError):
        return True
    if not isinstance(exc, sqlite3.Error):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    return isinstance(exc, sqlite3.OperationalError) or name.startswith(tuple(CAUSES))
