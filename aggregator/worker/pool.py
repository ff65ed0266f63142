"""Where the pure, CPU-heavy steps of a refresh run: in worker processes beside the
event loop, or inline.

Parsing and normalising a document (reading.py) costs far more CPU than fetching it.
Run inline, it stalls the event loop, and with it every request in flight; threads
do not help, as the interpreter lock serialises them. A small process pool does the
reading on the other cores while the loop goes on fetching and storing.

A worker that dies (killed, out of memory, a crashing parser) breaks its pool: the pool
is replaced and the documents it held are tried once more in the new one, so a document
that kills its worker twice is reported as unreadable and the others are read. When a
new pool cannot even start (workers cannot run here at all), documents are read in this
process instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import ParamSpec, Self, TypeVar

from aggregator.config.schema import Defaults
from aggregator.core.logs import event
from aggregator.errors import WorkerError

P = ParamSpec("P")
T = TypeVar("T")


def default_workers() -> int:
    """One less than the cores: the event loop keeps one to itself."""
    return max(0, (os.cpu_count() or 1) - 1)


def offload_for(defaults: Defaults) -> Offload:
    """The offload the settings ask for: `workers` processes, by default all cores but one."""
    return Offload(default_workers() if defaults.workers is None else defaults.workers)


PARENT_CHECK_SECONDS = 1.0


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent died (kill -9 leaves no one to stop it) is adopted by
    another process: then it exits, instead of living on, idle, forever."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(0)


def _warm_up() -> None:
    """Import the readers once when a worker starts, not on its first document; leave
    Ctrl+C to the parent, which stops its workers when it stops (no traceback from each);
    exit when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True
    ).start()
    import aggregator.parse.detail
    import aggregator.parse.pages
    import aggregator.worker.tasks  # noqa: F401


class Offload:
    """Runs pure functions of picklable arguments in `workers` processes (0: inline)."""

    def __init__(self, workers: int = 0, initializer: Callable[[], None] = _warm_up) -> None:
        self.workers = workers
        self._initializer = initializer
        self._replacing = asyncio.Lock()
        self._retrying = asyncio.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor | None:
        if self.workers <= 0:
            return None
        # spawn, not fork: the parent runs an event loop and threads that a fork would copy
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=self._initializer)

    @property
    def inline(self) -> bool:
        return self._pool is None

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        call = partial(function, *args, **kwargs)
        try:
            return await self._run(call)
        except BrokenProcessPool:
            pass
        # Second tries one at a time: a document that kills its worker again takes no
        # other document with it.
        async with self._retrying:
            try:
                return await self._run(call)
            except BrokenProcessPool:
                raise WorkerError("the worker process reading this document died, twice") from None

    async def _run(self, call: Callable[[], T]) -> T:
        pool = self._pool
        if pool is None:
            return call()
        try:
            return await asyncio.wrap_future(pool.submit(call))
        except BrokenProcessPool:
            await self._replace(pool)
            raise

    async def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A new pool for a broken one, if a new one can run anything at all."""
        async with self._replacing:
            if self._pool is not broken:
                return  # replaced already, for another document of the broken pool
            broken.shutdown(wait=False, cancel_futures=True)
            fresh = self._new_pool()
            assert fresh is not None
            try:
                await asyncio.wrap_future(fresh.submit(os.getpid))
            except BrokenProcessPool:
                fresh.shutdown(wait=False, cancel_futures=True)
                self._pool = None
                event(
                    "parsing workers cannot start here; parsing in the main process", logging.ERROR
                )
                return
            self._pool = fresh

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


INLINE = Offload(0)
