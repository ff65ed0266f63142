"""A source's slot among the sources in progress, taken at its first request.

The slots bound what a cycle holds in memory: documents fetched and not yet stored. A
source that is only waiting holds none, so it takes its slot when its first request is
about to start: after the host's robots.txt was read and its pacing (a second after
robots.txt on a first contact) is over. Taking the slot before that kept a cold cycle's
slots busy with waiting, and the network idle: a thousand first contacts, thirty-two
at a time, each holding its slot a second. A source that fetches nothing (everything
backing off) takes no slot at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aggregator.core.model import Timeouts
from aggregator.fetch.client import Fetched, NotModified
from aggregator.pipeline.ports import Getter


class SlotOnFirstRequest:
    """The fetcher as one source sees it: the same requests, and the slot taken once."""

    def __init__(self, fetcher: Getter, slots: asyncio.Semaphore) -> None:
        self._fetcher = fetcher
        self._slots = slots
        self.held = False

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        timeouts: Timeouts | None = None,
    ) -> Fetched | NotModified:
        if not self.held:
            await self._fetcher.wait_turn(url)
            await self._slots.acquire()
            self.held = True
        return await self._fetcher.get(
            url, etag=etag, last_modified=last_modified, timeouts=timeouts
        )

    async def wait_turn(self, url: str) -> None:
        await self._fetcher.wait_turn(url)

    def release(self) -> None:
        if self.held:
            self.held = False
            self._slots.release()


@asynccontextmanager
async def held_from_first_request(
    fetcher: Getter, slots: asyncio.Semaphore
) -> AsyncIterator[SlotOnFirstRequest]:
    """The source's fetcher; its slot, if it took one, is given back at the end."""
    gate = SlotOnFirstRequest(fetcher, slots)
    try:
        yield gate
    finally:
        gate.release()
