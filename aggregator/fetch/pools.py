"""A connection pool per origin instead of one for all.

httpcore's pool walks its whole connection list, for each idle connection, every time a
request arrives or leaves: quadratic in the pool's size. With one pool for a thousand
press offices at 64 requests at once that was 40 million checks and most of a cycle's
CPU. Every office is a host of its own, so a pool per origin loses no reuse and keeps
each walk to `per_host` connections. Pools of hosts we are done with are closed, the
least recently used first, so that ten thousand hosts do not mean ten thousand sockets.
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from aggregator.fetch.addresses import GuardedBackend, check_origin

Origin = tuple[bytes, bytes, int | None]


@dataclass
class _Pool:
    transport: httpx.AsyncHTTPTransport
    guard: GuardedBackend
    active: int = 0  # responses handed out whose body is not yet closed


class _CountedStream(httpx.AsyncByteStream):
    """A response body that tells its pool when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, pool: _Pool) -> None:
        self._stream, self._pool, self._open = stream, pool, True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        if self._open:
            self._open = False
            self._pool.active -= 1
        await self._stream.aclose()


def _guard(transport: httpx.AsyncHTTPTransport) -> GuardedBackend:
    """Put the address check into the transport's connection pool. httpx does not take
    a network backend, so it is set on its httpcore pool; if that ever moves, fail here
    rather than fetch unguarded."""
    pool = transport._pool
    if not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpcore's pool has no _network_backend: the address check is lost")
    guard = GuardedBackend(pool._network_backend)
    pool._network_backend = guard
    return guard


class PerOriginTransport(httpx.AsyncBaseTransport):
    """Routes each request to the pool of its origin; keeps at most `idle_pools` pools
    without a request under way."""

    def __init__(self, per_host: int, idle_pools: int) -> None:
        self._limits = httpx.Limits(max_connections=per_host, max_keepalive_connections=per_host)
        self._idle_pools = idle_pools
        self._pools: OrderedDict[Origin, _Pool] = OrderedDict()
        self._tls: ssl.SSLContext | None = None  # one for all pools: building one costs ms

    def _pool(self, url: httpx.URL) -> _Pool:
        origin = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(origin)
        if pool is None:
            transport = httpx.AsyncHTTPTransport(
                verify=self._context(), http2=True, limits=self._limits
            )
            pool = self._pools[origin] = _Pool(transport, _guard(transport))
        self._pools.move_to_end(origin)
        return pool

    def _context(self) -> ssl.SSLContext:
        """The one context of all pools, plain HTTP ones too: given none (or False),
        httpx builds a context of its own for every pool, a third of a millisecond each."""
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        return self._tls

    async def _close_surplus(self) -> None:
        idle = [origin for origin, pool in self._pools.items() if pool.active == 0]
        # taken out at once, before the first await: nobody else can pick them up meanwhile
        closing = [
            self._pools.pop(origin) for origin in idle[: max(0, len(idle) - self._idle_pools)]
        ]
        for pool in closing:
            await pool.transport.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pool = self._pool(request.url)
        if pool.guard.internal_seen:  # a kept-alive connection is not connected again
            check_origin(str(request.url), [pool.guard.internal_seen])
        pool.active += 1
        try:
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            pool.active -= 1
            raise
        if len(self._pools) > 2 * self._idle_pools:  # the walk below is paid now and then
            await self._close_surplus()
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CountedStream(response.stream, pool),
            extensions=response.extensions,
        )

    @property
    def open_pools(self) -> int:
        return len(self._pools)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.transport.aclose()
