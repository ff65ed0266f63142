"""Where the pure, CPU-heavy steps of a refresh run: in worker processes beside the
event loop, or inline.

Parsing and normalising a document (reading.py) costs far more CPU than fetching it.
Run inline, it stalls the event loop, and with it every request in flight; threads
do not help, as the interpreter lock serialises them. A small process pool does the
reading on the other cores while the loop goes on fetching and storing. A worker
that dies (killed, out of memory, a crashing parser) costs only the document it was
reading: the pool is replaced and that document reported as unreadable.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, Self, TypeVar

from aggregator.model import Defaults
from aggregator.parse import ParseError

P = ParamSpec("P")
T = TypeVar("T")


def default_workers() -> int:
    """One less than the cores: the event loop keeps one to itself."""
    return max(0, (os.cpu_count() or 1) - 1)


def offload_for(defaults: Defaults) -> Offload:
    """The offload the settings ask for: `workers` processes, by default all cores but one."""
    return Offload(default_workers() if defaults.workers is None else defaults.workers)


def _warm_up() -> None:
    """Import the readers once when a worker starts, not on its first document."""
    import aggregator.reading  # noqa: F401


class Offload:
    """Runs pure functions of picklable arguments in `workers` processes (0: inline)."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor | None:
        if self.workers <= 0:
            return None
        # spawn, not fork: the parent runs an event loop and threads that a fork would copy
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm_up)

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._pool is None:
            return function(*args, **kwargs)
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(function, *args, **kwargs))
        except BrokenProcessPool:
            if self._pool is pool:  # the first to notice replaces it
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            raise ParseError("the worker process reading this document died") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


INLINE = Offload(0)
