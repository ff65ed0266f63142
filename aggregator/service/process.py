"""What makes one process the service: the pid lock beside the database, the listening
socket bound before anything starts, and uvicorn without its own signal handling."""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import uvicorn

from aggregator.errors import CannotStart, StorageError
from aggregator.store.database import os_error_cause


class InstanceLock:
    """The pid file beside the database, held with an exclusive lock while the service
    runs: a second service on the same database refuses to start instead of both
    writing (and the second deleting the first's pid file). The kernel drops the lock
    when the holder dies, so a kill -9 leaves nothing stale behind."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        try:
            self._acquire()
        except OSError as exc:  # beside the database: its disk is full or read-only
            raise StorageError(str(self.path), os_error_cause(exc)) from None

    def _acquire(self) -> None:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise CannotStart(
                f"another aggregator (pid {holder}) is running on this database ({self.path} "
                "is locked); stop it, or use another --db"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    @staticmethod
    def held(path: Path) -> bool:
        """Whether a running service holds the lock (a stale pid file is not held)."""
        with path.open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    def release(self) -> None:
        if self._file is not None:
            self.path.unlink(missing_ok=True)
            self._file.close()
            self._file = None


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything starts, so a taken address is one
    clear error and not a traceback after "started"."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CannotStart(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the service owns the signals."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
