"""The HTTP edge: one shared httpx.AsyncClient, conditional GET, limits, typed errors.

Every way a request can go wrong ends as a FetchError subclass, so that the
pipeline records it against its source and carries on with the others.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Self
from urllib.parse import urlsplit

import httpx

from aggregator import __version__
from aggregator.model import Defaults


class FetchError(Exception):
    """A request failed; `transient` errors are worth one more try in the same cycle."""

    transient = False

    @property
    def kind(self) -> str:
        return type(self).__name__


class FetchTimeout(FetchError):
    transient = True


class ConnectFailed(FetchError):
    """DNS failure, connection refused or reset."""

    transient = True


class TLSFailed(FetchError):
    pass


class TooLarge(FetchError):
    pass


class RedirectFailed(FetchError):
    pass


class HTTPStatusFailed(FetchError):
    def __init__(self, status: int, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:  # type: ignore[override]
        return self.status >= 500 or self.status == 429


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
    return f"jobcenter-aggregator/{__version__} (+{contact})"


class Fetcher:
    """Shared client with global and per-host concurrency limits."""

    def __init__(self, defaults: Defaults, transport: httpx.AsyncBaseTransport | None = None):
        self.defaults = defaults
        self._global = asyncio.Semaphore(defaults.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(defaults.per_host)
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

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        timeout: timedelta | None = None,
    ) -> Fetched | NotModified:
        """GET `url` within the limits; raise a FetchError subclass on any failure."""
        total = (timeout or self.defaults.timeout).total_seconds()
        host = urlsplit(url).hostname or ""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._global, self._hosts[host]:
            try:
                async with asyncio.timeout(total):
                    return await self._get(url, headers, total)
            except TimeoutError:
                raise FetchTimeout(f"no complete answer within {total:g}s") from None
            except httpx.TimeoutException as exc:
                raise FetchTimeout(f"timed out ({type(exc).__name__})") from None
            except httpx.TooManyRedirects:
                raise RedirectFailed(
                    f"more than {self.defaults.max_redirects} redirects (a loop?)"
                ) from None
            except httpx.ConnectError as exc:
                if _is_tls(exc):
                    raise TLSFailed(f"TLS failed: {_reason(exc)}") from None
                raise ConnectFailed(f"cannot connect: {_reason(exc)}") from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                raise ConnectFailed(f"connection broken: {_reason(exc)}") from None
            except httpx.DecodingError as exc:
                raise FetchError(f"cannot decode the body: {_reason(exc)}") from None
            except httpx.UnsupportedProtocol as exc:
                raise FetchError(f"unsupported URL: {_reason(exc)}") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {_reason(exc)}") from None

    async def _get(self, url: str, headers: dict[str, str], total: float) -> Fetched | NotModified:
        timeout = httpx.Timeout(
            total, connect=min(total, self.defaults.connect_timeout.total_seconds())
        )
        async with self._client.stream("GET", url, headers=headers, timeout=timeout) as response:
            if response.status_code == 304:
                return NotModified(url)
            if response.status_code >= 400:
                raise HTTPStatusFailed(
                    response.status_code,
                    f"HTTP {response.status_code} {response.reason_phrase}",
                    response.headers.get("Retry-After"),
                )
            body = await self._read_capped(response)
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
        cap = self.defaults.max_body
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


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "SSL" in str(exc) or "certificate" in str(exc).lower()


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
