"""A semaphore that serves its waiters by priority, then in order of arrival.

The fetcher's global request slots use it so that a source already under way (its
robots.txt answered, its listing page next) goes before the first contact with a
source not yet started. With plain first-come order, a cycle that starts a thousand
sources at once asks a thousand robots.txt before the first listing page, and the
parsing, which could overlap the network, waits for all of them.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

URGENT, LATER = 0, 1


class PrioritySlots:
    def __init__(self, slots: int) -> None:
        self._free = slots
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrival = itertools.count()

    @asynccontextmanager
    async def hold(self, priority: int = URGENT) -> AsyncIterator[None]:
        await self._acquire(priority)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, priority: int) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._arrival), granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release()  # handed a slot just as we were cancelled: pass it on
            raise  # a cancelled future left in the heap is skipped by _release

    def _release(self) -> None:
        while self._waiting:
            _, _, granted = heapq.heappop(self._waiting)
            if not granted.done():
                granted.set_result(None)
                return
        self._free += 1
