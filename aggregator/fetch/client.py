"""The HTTP edge: one shared httpx.AsyncClient (a pool per origin), conditional GET,
limits, politeness.

Every way a request can go wrong ends as a FetchError subclass, so that the
pipeline records it against its source and carries on with the others. Each
host gets at most `per_host` requests at a time, a pause between two request
starts, and its robots.txt is obeyed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Self
from urllib.parse import urlsplit, urlunsplit

import httpx
from protego import Protego

from aggregator import __version__
from aggregator.config.schema import Defaults
from aggregator.core.model import Timeouts
from aggregator.core.robots import Remembered, RobotsCache
from aggregator.errors import (
    AddressRefused,
    ConnectFailed,
    DNSFailed,
    FetchError,
    FetchTimeout,
    HTTPStatusFailed,
    RedirectFailed,
    RobotsDisallowed,
    RobotsUnavailable,
    TLSFailed,
    TooLarge,
)
from aggregator.fetch.addresses import refused
from aggregator.fetch.pools import PerOriginTransport
from aggregator.fetch.slots import LATER, URGENT, PrioritySlots

PRODUCT = "jobcenter-aggregator"
ROBOTS_TTL = 24 * 3600.0
ROBOTS_RETRY = 3600.0  # a robots.txt that answered 5xx is asked again after this
DOWN_MEMORY = 60.0  # a host whose robots.txt could not be reached is not asked again for this
MAX_CRAWL_DELAY = 30.0
ROBOTS_MAX_BYTES = 512 * 1024


# Failures below HTTP: the host itself is out of reach, not one of its URLs.
UNREACHABLE = (FetchTimeout, ConnectFailed, TLSFailed)


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    etag: str | None
    last_modified: str | None
    moved_to: str | None = None  # set when every redirect on the way was permanent


@dataclass(frozen=True, slots=True)
class NotModified:
    url: str


def user_agent(contact: str) -> str:
    return f"{PRODUCT}/{__version__} (+{contact})"


Reader = Callable[[httpx.Response], Awaitable[bytes]]


@dataclass
class _Host:
    """Politeness per host name and port: how many requests at once, and how often."""

    slots: asyncio.Semaphore
    pace: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    crawl_delay: float = 0.0  # asked for by the host's robots.txt


@dataclass
class _Rules:
    """robots.txt of one origin (scheme, host and port: its scope in RFC 9309)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots: Protego | None = None
    until: float = 0.0  # asked again from then on
    failed: bool = False  # answered 5xx
    down: FetchError | None = None  # could not be reached ...
    down_until: float = 0.0  # ... and is not asked again before then


class Fetcher:
    """Shared client with global and per-host limits, pacing and robots.txt."""

    def __init__(
        self,
        defaults: Defaults,
        transport: httpx.AsyncBaseTransport | None = None,
        robots: RobotsCache | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`clock`: the monotonic seconds pacing and robots.txt lifetimes count in (a
        test moves it on instead of waiting)."""
        self.defaults = defaults
        self.clock = clock
        self.robots = robots if robots is not None else RobotsCache()
        self._global = PrioritySlots(defaults.concurrency)
        self._hosts: defaultdict[str, _Host] = defaultdict(
            lambda: _Host(asyncio.Semaphore(defaults.per_host))
        )
        self._rules: defaultdict[str, _Rules] = defaultdict(_Rules)
        self._client = httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=defaults.max_redirects,
            headers={
                "User-Agent": user_agent(defaults.contact),
                "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, "
                "text/html;q=0.8, */*;q=0.5",
                "Accept-Language": "de-DE, de;q=0.9",
            },
            transport=transport or PerOriginTransport(defaults.per_host, defaults.concurrency),
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _timeouts(self, timeouts: Timeouts | None) -> Timeouts:
        if timeouts:
            return timeouts
        d = self.defaults
        return Timeouts(
            d.timeout.total_seconds(),
            d.connect_timeout.total_seconds(),
            d.read_timeout.total_seconds(),
        )

    def _host_and_rules(self, url: str) -> tuple[_Host, _Rules]:
        """The politeness state of the URL's host and the robots.txt rules of its origin."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        return self._hosts[parts.netloc.lower()], self._rules[origin]

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        timeouts: Timeouts | None = None,
    ) -> Fetched | NotModified:
        """GET `url` politely; raise a FetchError subclass on any failure."""
        limits = self._timeouts(timeouts)
        host, rules = self._host_and_rules(url)
        await self._check_robots(host, rules, url, limits)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._request(host, url, headers, limits, self._read_capped)

    async def wait_turn(self, url: str) -> None:
        """Read the host's robots.txt and wait until its pacing lets the next request
        start, holding nothing. A source does this before it takes a slot among the
        sources in progress: waiting out a host's politeness (a second after robots.txt on
        a first contact) must not keep other sources from being fetched and read. A
        failure is left to the `get` that follows, which raises it again."""
        host, rules = self._host_and_rules(url)
        with contextlib.suppress(FetchError):
            await self._check_robots(host, rules, url, self._timeouts(None))
        wait = max(host.next_start - self.clock(), 0.0)
        if wait:
            await asyncio.sleep(wait)

    async def _request(
        self,
        host: _Host,
        url: str,
        headers: dict[str, str],
        limits: Timeouts,
        read: Reader,
        priority: int = URGENT,
    ) -> Fetched | NotModified:
        async with host.slots:
            await self._pace(host)  # waiting for one host must not hold a global slot
            async with self._global.hold(priority):
                return await self._guarded(url, headers, limits, read)

    async def _guarded(
        self, url: str, headers: dict[str, str], limits: Timeouts, read: Reader
    ) -> Fetched | NotModified:
        """One request, its failures turned into FetchErrors."""
        try:
            async with asyncio.timeout(limits.total):
                return await self._get(url, headers, limits, read)
        except AddressRefused as exc:
            raise refused(exc.origin, exc.address, url) from exc
        except TimeoutError as exc:
            raise FetchTimeout(f"no complete answer within {limits.total:g}s") from exc
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"timed out ({type(exc).__name__})") from exc
        except httpx.TooManyRedirects as exc:
            raise RedirectFailed(
                f"more than {self.defaults.max_redirects} redirects (a loop?)"
            ) from exc
        except httpx.ConnectError as exc:
            raise _connect_error(exc) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise ConnectFailed(f"connection broken: {_reason(exc)}") from exc
        except httpx.DecodingError as exc:
            raise FetchError(f"cannot decode the body: {_reason(exc)}") from exc
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"unsupported URL: {_reason(exc)}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {_reason(exc)}") from exc

    async def _pace(self, host: _Host) -> None:
        """Leave at least host_delay (or robots.txt's Crawl-delay) between two starts."""
        delay = max(self.defaults.host_delay.total_seconds(), host.crawl_delay)
        async with host.pace:
            wait = host.next_start - self.clock()
            if wait > 0:
                await asyncio.sleep(wait)
            host.next_start = self.clock() + delay

    async def _check_robots(self, host: _Host, rules: _Rules, url: str, limits: Timeouts) -> None:
        async with rules.lock:  # who waited here learns what the first one found
            if rules.down and self.clock() < rules.down_until:
                raise rules.down  # no answer, no site: spare the requests and the pacing
            if self.clock() >= rules.until:
                await self._load_robots(host, rules, url, limits)
        if rules.failed:
            raise RobotsUnavailable("robots.txt answered with a server error; trying later")
        if rules.robots is not None and not rules.robots.can_fetch(url, PRODUCT):
            raise RobotsDisallowed("robots.txt disallows this URL for our user agent")

    async def _load_robots(self, host: _Host, rules: _Rules, url: str, limits: Timeouts) -> None:
        """Fetch robots.txt once a day per host. 4xx means: allowed. A host that does not
        answer it (timeout, refused, TLS) is not asked for pages either, as RFC 9309 asks
        of unreachable rules: the page would most likely fail the same way, at the cost
        of another timeout and of more load on a struggling server."""
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        rules.robots, rules.failed = None, False
        known = self.robots.recall(origin, time.time())
        if known is not None:  # read by an earlier process, and still valid
            rules.until = self.clock() + (known.expires - time.time())
            rules.failed = known.server_error
            if known.text is not None:
                self._obey(host, rules, known.text)
            return
        rules.until = self.clock() + ROBOTS_TTL
        allowed = Remembered(None, False, time.time() + ROBOTS_TTL)
        try:
            # the first contact with a site waits for the requests of sites under way
            response = await self._request(
                host, robots_url, {}, limits, self._read_robots, priority=LATER
            )
        except HTTPStatusFailed as exc:
            if exc.status >= 500:
                rules.failed = True
                rules.until = self.clock() + ROBOTS_RETRY
                self.robots.remember(origin, Remembered(None, True, time.time() + ROBOTS_RETRY))
            else:
                self.robots.remember(origin, allowed)
            return
        except UNREACHABLE as exc:
            rules.until = 0.0
            down = type(exc)(f"robots.txt: {exc}; nothing fetched from this host until it answers")
            rules.down, rules.down_until = down, self.clock() + DOWN_MEMORY
            raise down from None
        except FetchError:  # too large, too many redirects: as if there were none
            self.robots.remember(origin, allowed)
            return
        assert isinstance(response, Fetched)
        text = response.body.decode("utf-8", errors="replace")
        self.robots.remember(origin, Remembered(text, False, time.time() + ROBOTS_TTL))
        self._obey(host, rules, text)

    @staticmethod
    def _obey(host: _Host, rules: _Rules, text: str) -> None:
        try:
            rules.robots = Protego.parse(text)
        except Exception:  # protego raises assorted errors; a broken file counts as absent
            return
        crawl_delay = rules.robots.crawl_delay(PRODUCT)
        if crawl_delay:
            host.crawl_delay = max(host.crawl_delay, min(float(crawl_delay), MAX_CRAWL_DELAY))

    async def _get(
        self, url: str, headers: dict[str, str], limits: Timeouts, read: Reader
    ) -> Fetched | NotModified:
        timeout = httpx.Timeout(limits.read, connect=limits.connect)
        async with self._client.stream("GET", url, headers=headers, timeout=timeout) as response:
            if response.status_code == 304:
                return NotModified(url)
            if response.status_code >= 400:
                raise HTTPStatusFailed(
                    response.status_code,
                    f"HTTP {response.status_code} {response.reason_phrase}",
                    response.headers.get("Retry-After"),
                )
            body = await read(response)
            history = response.history
            permanent = bool(history) and all(r.status_code in (301, 308) for r in history)
            return Fetched(
                url=url,
                final_url=str(response.url),
                status=response.status_code,
                headers=dict(response.headers),
                body=body,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                moved_to=str(response.url) if permanent else None,
            )

    async def _read_capped(self, response: httpx.Response) -> bytes:
        """Read the decoded body, aborting once it passes the cap (this also stops gzip bombs)."""
        return await _read_at_most(response, self.defaults.max_body)

    async def _read_robots(self, response: httpx.Response) -> bytes:
        return await _read_at_most(response, ROBOTS_MAX_BYTES)


async def _read_at_most(response: httpx.Response, cap: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise TooLarge(f"body of {int(declared)} bytes exceeds the cap of {cap} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise TooLarge(f"body exceeds the cap of {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _connect_error(exc: httpx.ConnectError) -> FetchError:
    if _is_tls(exc):
        return TLSFailed(f"TLS failed: {_reason(exc)}")
    text = _reason(exc).lower()
    if any(
        hint in text
        for hint in (
            "name or service not known",
            "nodename nor servname",
            "name resolution",
            "getaddrinfo",
            "no address associated",
        )
    ):
        return DNSFailed(f"host name not found (DNS): {_reason(exc)}")
    return ConnectFailed(f"cannot connect: {_reason(exc)}")


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "SSL" in str(exc) or "certificate" in str(exc).lower()


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
