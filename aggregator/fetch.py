"""The HTTP edge: one shared httpx.AsyncClient, conditional GET, limits, politeness.

Every way a request can go wrong ends as a FetchError subclass, so that the
pipeline records it against its source and carries on with the others. Each
host gets at most `per_host` requests at a time, a pause between two request
starts, and its robots.txt is obeyed.
"""

from __future__ import annotations

import asyncio
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
from aggregator.model import Defaults, Timeouts

PRODUCT = "jobcenter-aggregator"
ROBOTS_TTL = 24 * 3600.0
ROBOTS_RETRY = 3600.0  # a robots.txt that answered 5xx is asked again after this
DNS_MEMORY = 60.0  # a host name that did not resolve is not looked up again for this long
MAX_CRAWL_DELAY = 30.0
ROBOTS_MAX_BYTES = 512 * 1024


class FetchError(Exception):
    """A request failed; `transient` errors are worth one more try in the same cycle."""

    transient = False

    @property
    def kind(self) -> str:
        return type(self).__name__


class FetchTimeout(FetchError):
    transient = True


class ConnectFailed(FetchError):
    """Connection refused or reset."""

    transient = True


class DNSFailed(ConnectFailed):
    transient = False


class TLSFailed(FetchError):
    pass


class TooLarge(FetchError):
    pass


class RedirectFailed(FetchError):
    pass


class RobotsDisallowed(FetchError):
    """robots.txt asks us not to fetch this URL."""


class RobotsUnavailable(FetchError):
    """robots.txt answered 5xx: we may not know the rules, so we try later."""


class HTTPStatusFailed(FetchError):
    def __init__(self, status: int, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def kind(self) -> str:
        return "Gone" if self.status == 410 else "HTTPStatusFailed"

    @property
    def transient(self) -> bool:  # type: ignore[override]
        return self.status >= 500 and not self.retry_after


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
    """Per-host politeness state."""

    slots: asyncio.Semaphore
    pace: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    robots: Protego | None = None
    robots_until: float = 0.0
    robots_failed: bool = False
    unresolved: DNSFailed | None = None  # the host's name did not resolve ...
    unresolved_until: float = 0.0  # ... and is not looked up again before then


class Fetcher:
    """Shared client with global and per-host limits, pacing and robots.txt."""

    def __init__(self, defaults: Defaults, transport: httpx.AsyncBaseTransport | None = None):
        self.defaults = defaults
        self._global = asyncio.Semaphore(defaults.concurrency)
        self._hosts: defaultdict[str, _Host] = defaultdict(
            lambda: _Host(asyncio.Semaphore(defaults.per_host))
        )
        self._client = httpx.AsyncClient(
            http2=True,
            follow_redirects=True,
            max_redirects=defaults.max_redirects,
            headers={
                "User-Agent": user_agent(defaults.contact),
                "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, "
                "text/html;q=0.8, */*;q=0.5",
                "Accept-Language": "de-DE, de;q=0.9",
            },
            limits=httpx.Limits(max_connections=defaults.concurrency * 2),
            transport=transport,
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
        parts = urlsplit(url)
        host = self._hosts[parts.netloc.lower()]
        await self._check_robots(host, url, limits)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._request(host, url, headers, limits, self._read_capped)

    async def _request(
        self, host: _Host, url: str, headers: dict[str, str], limits: Timeouts, read: Reader
    ) -> Fetched | NotModified:
        async with host.slots:
            await self._pace(host)  # waiting for one host must not hold a global slot
            async with self._global:
                return await self._guarded(url, headers, limits, read)

    async def _guarded(
        self, url: str, headers: dict[str, str], limits: Timeouts, read: Reader
    ) -> Fetched | NotModified:
        """One request, its failures turned into FetchErrors."""
        try:
            async with asyncio.timeout(limits.total):
                return await self._get(url, headers, limits, read)
        except TimeoutError:
            raise FetchTimeout(f"no complete answer within {limits.total:g}s") from None
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"timed out ({type(exc).__name__})") from None
        except httpx.TooManyRedirects:
            raise RedirectFailed(
                f"more than {self.defaults.max_redirects} redirects (a loop?)"
            ) from None
        except httpx.ConnectError as exc:
            raise _connect_error(exc) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise ConnectFailed(f"connection broken: {_reason(exc)}") from None
        except httpx.DecodingError as exc:
            raise FetchError(f"cannot decode the body: {_reason(exc)}") from None
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"unsupported URL: {_reason(exc)}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {_reason(exc)}") from None

    async def _pace(self, host: _Host) -> None:
        """Leave at least host_delay (or robots.txt's Crawl-delay) between two starts."""
        delay = self.defaults.host_delay.total_seconds()
        if host.robots is not None:
            crawl_delay = host.robots.crawl_delay(PRODUCT)
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), MAX_CRAWL_DELAY))
        async with host.pace:
            wait = host.next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            host.next_start = time.monotonic() + delay

    async def _check_robots(self, host: _Host, url: str, limits: Timeouts) -> None:
        if host.unresolved and time.monotonic() < host.unresolved_until:
            raise host.unresolved  # no name, no site: spare the lookups and the pacing
        async with host.robots_lock:
            if time.monotonic() >= host.robots_until:
                await self._load_robots(host, url, limits)
        if host.robots_failed:
            raise RobotsUnavailable("robots.txt answered with a server error; trying later")
        if host.robots is not None and not host.robots.can_fetch(url, PRODUCT):
            raise RobotsDisallowed("robots.txt disallows this URL for our user agent")

    async def _load_robots(self, host: _Host, url: str, limits: Timeouts) -> None:
        """Fetch robots.txt once a day per host. Unreachable or 4xx means: allowed."""
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        host.robots, host.robots_failed = None, False
        host.robots_until = time.monotonic() + ROBOTS_TTL
        try:
            response = await self._request(host, robots_url, {}, limits, self._read_robots)
        except HTTPStatusFailed as exc:
            if exc.status >= 500:
                host.robots_failed = True
                host.robots_until = time.monotonic() + ROBOTS_RETRY
            return
        except DNSFailed as exc:  # the page cannot be reached either: say so at once
            host.robots_until = 0.0
            host.unresolved, host.unresolved_until = exc, time.monotonic() + DNS_MEMORY
            raise
        except FetchError:
            return
        assert isinstance(response, Fetched)
        text = response.body.decode("utf-8", errors="replace")
        try:
            host.robots = Protego.parse(text)
        except Exception:  # protego raises assorted errors; a broken file counts as absent
            host.robots = None

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
