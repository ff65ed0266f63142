"""A pool per origin: answers are the same, finished hosts' pools are closed, and a body
still being read is never closed under its reader."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from aggregator.fetch.addresses import operator_urls
from aggregator.fetch.pools import PerOriginTransport
from tests.siteserver import SITES, Route, SiteServer

FEED = "feeds/spree-neisse-rss2.xml"


@pytest.fixture
def sites() -> Iterator[list[SiteServer]]:
    """Six press offices: six origins (one host, six ports)."""
    servers = [SiteServer().start() for _ in range(6)]
    try:
        with operator_urls([server.base for server in servers]):  # the operator's sources
            yield servers
    finally:
        for server in servers:
            server.stop()


def test_each_origin_is_answered_and_idle_pools_are_closed(sites):
    async def go() -> tuple[list[bytes], list[int]]:
        transport = PerOriginTransport(per_host=2, idle_pools=2)
        bodies, open_pools = [], []
        async with httpx.AsyncClient(transport=transport) as client:
            for site in sites:
                bodies.append((await client.get(site.url(FEED))).content)
                open_pools.append(transport.open_pools)
        assert transport.open_pools == 0  # closing the client closes every pool
        return bodies, open_pools

    bodies, open_pools = asyncio.run(go())
    expected = (SITES / FEED).read_bytes()  # the files the sites serve
    assert bodies == [expected] * 6
    assert max(open_pools) <= 4 and open_pools[-1] < 6  # bounded: not one per host seen


def test_a_connection_is_reused_within_its_origin(sites):
    site = sites[0]

    async def go() -> int:
        transport = PerOriginTransport(per_host=2, idle_pools=2)
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                (await client.get(site.url(FEED))).raise_for_status()
            return transport.open_pools

    assert asyncio.run(go()) == 1
    assert len({request.client_port for request in site.requests}) == 1


def test_a_body_being_read_is_not_closed_by_the_eviction_of_idle_pools(sites):
    slow, others = sites[0], sites[1:]
    slow.routes["/big.xml"] = Route(body=b"<rss>" + b" " * 200_000 + b"</rss>", streamed=True)

    async def go() -> bytes:
        transport = PerOriginTransport(per_host=2, idle_pools=1)
        client = httpx.AsyncClient(transport=transport)
        async with client, client.stream("GET", slow.url("big.xml")) as held:
            for site in others:  # each adds a pool and makes the idle ones surplus
                (await client.get(site.url(FEED))).raise_for_status()
            return await held.aread()

    body = asyncio.run(go())
    assert body.startswith(b"<rss>") and body.endswith(b"</rss>") and len(body) == 200_011
