"""Which addresses a fetch may connect to, checked when it connects.

A press office's redirect, a link found on its page, its pager, a detail page or its
robots.txt must never lead the fetcher into the machine's own networks: loopback,
private ranges, link-local (a cloud's metadata service), CGNAT, multicast, or the
IPv6 forms that embed such an IPv4 address (the WebSub hub judges callbacks the same
way). The check runs on the address actually connected to, after the name was resolved,
so a name that resolves differently between a check and the connection cannot slip
through. The operator's own configured URLs are
the exception: a source on such an address (an intranet, the tests) stays reachable,
but nothing it links to or redirects to may reach another one.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore

from aggregator.errors import AddressRefused

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: mapped, NAT64, 6to4 or IPv4-compatible."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if any(ip in net for net in _NAT64) or ip in ipaddress.IPv6Network("::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_internal(address: str | Address) -> bool:
    """True for every address that is not on the public internet (the registries of
    special-purpose addresses, as the standard library keeps them: loopback, private,
    link-local, CGNAT, reserved, documentation) and for multicast; an IPv6 address that
    stands for an IPv4 one is judged as that one."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return True
        v4 = _embedded_v4(ip)
        if v4 is not None:
            return is_internal(v4)
    return not ip.is_global or ip.is_multicast


def is_address(host: str) -> bool:
    """Whether a URL's host is an IP address rather than a name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def origin_of(url: str) -> str:
    """'http://Example.org:8080/x' -> 'example.org:8080' (the port made explicit)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # no URL, or a port that is no number: matches nothing configured
        return f"{url}:?"
    host = parts.hostname or ""
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    return f"{host.lower()}:{port}"


def refused(origin: str, address: str, asked: str | None = None) -> AddressRefused:
    """The refusal of a URL (`asked`, if it led elsewhere) on an internal address."""
    how = f"{asked} led to {origin}" if asked and origin_of(asked) != origin else origin
    return AddressRefused(
        f"refused: {how} is on the internal address {address}; only the source's own "
        "configured URLs may be on loopback, private or link-local addresses",
        origin,
        address,
    )


# The origins (host:port) the operator configured for the source being refreshed (or
# typed into a command): only they may be internal. Unset, none may.
_OPERATOR_ORIGINS: ContextVar[frozenset[str]] = ContextVar("operator_origins", default=frozenset())


@contextlib.contextmanager
def operator_urls(urls: Iterable[str]) -> Iterator[None]:
    """Within the block, internal addresses are allowed only for these URLs' origins."""
    token = _OPERATOR_ORIGINS.set(frozenset(origin_of(u) for u in urls))
    try:
        yield
    finally:
        _OPERATOR_ORIGINS.reset(token)


def check_origin(url: str, addresses: Sequence[str]) -> None:
    """Raise AddressRefused if `url` may not be fetched from any of `addresses`."""
    internal = [a for a in addresses if is_internal(a)]
    origin = origin_of(url)
    if internal and origin not in _OPERATOR_ORIGINS.get():
        raise refused(origin, internal[0])


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the address check at connect time: the name is
    resolved here, each address checked, and only a permitted address connected to."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()
        self.internal_seen: str | None = None  # an internal address this pool connected to

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _resolve(host, port, timeout)
        url = f"//{host}:{port}/"
        internal = [a for a in addresses if is_internal(a)]
        if internal:
            check_origin(url, internal)
            self.internal_seen = internal[0]
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def _resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The host's addresses, a literal one as it is, in the resolver's order."""
    if is_address(host):
        return [str(ipaddress.ip_address(host.strip("[]")))]
    try:
        with anyio.fail_after(timeout):
            found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
    except OSError as exc:
        raise httpcore.ConnectError(f"Name or service not known: {host} ({exc})") from exc
    seen: dict[str, None] = {}
    for *_, sockaddr in found:
        seen.setdefault(str(sockaddr[0]).split("%")[0], None)
    return list(seen)
