"""A source takes its slot among the sources in progress at its first request."""

import asyncio
from dataclasses import dataclass, field

import pytest

from aggregator.core.model import Timeouts
from aggregator.fetch.client import Fetched, NotModified
from aggregator.pipeline.gate import held_from_first_request


@dataclass
class SlowHosts:
    """A fetcher whose hosts get ready only when the test says so."""

    ready: dict[str, asyncio.Event] = field(default_factory=dict)
    got: list[str] = field(default_factory=list)

    async def wait_turn(self, url: str) -> None:
        if url in self.ready:
            await self.ready[url].wait()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        timeouts: Timeouts | None = None,
    ) -> Fetched | NotModified:
        self.got.append(url)
        return NotModified(url)


def test_a_source_waiting_for_its_host_holds_no_slot() -> None:
    async def run() -> list[str]:
        http = SlowHosts({"https://slow.example/": asyncio.Event()})
        slots = asyncio.Semaphore(1)

        async def source(url: str) -> None:
            async with held_from_first_request(http, slots) as gate:
                await gate.get(url)
                await gate.get(url + "seite-2")  # the slot is held once, not twice

        slow = asyncio.create_task(source("https://slow.example/"))
        await asyncio.wait_for(source("https://quick.example/"), 5)  # not behind the slow one
        assert not slow.done() and not slots.locked()
        http.ready["https://slow.example/"].set()
        await asyncio.wait_for(slow, 5)
        assert not slots.locked()  # given back
        return http.got

    assert asyncio.run(run()) == [
        "https://quick.example/",
        "https://quick.example/seite-2",
        "https://slow.example/",
        "https://slow.example/seite-2",
    ]


def test_a_source_that_fetches_nothing_takes_no_slot_and_a_failure_gives_it_back() -> None:
    async def run() -> None:
        slots = asyncio.Semaphore(1)
        async with held_from_first_request(SlowHosts(), slots) as gate:
            assert not gate.held and not slots.locked()  # backing off: nothing asked
        with pytest.raises(RuntimeError):
            async with held_from_first_request(SlowHosts(), slots) as gate:
                await gate.get("https://example.org/")
                assert slots.locked()
                raise RuntimeError("a bug while reading")
        assert not slots.locked()

    asyncio.run(run())
