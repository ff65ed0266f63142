"""Redirects, links and pagers never lead from a source into another internal service.

The loopback sites stand for an operator's intranet source: configured on 127.0.0.1,
they are fetched; a second server on another port stands for the service next door
(a database's HTTP port, an admin page), and 169.254.169.254 for a cloud's metadata.
"""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.config.schema import Defaults
from aggregator.errors import AddressRefused
from aggregator.fetch.addresses import is_internal, operator_urls, origin_of
from aggregator.fetch.client import Fetched, Fetcher
from tests.helpers.cli import run_cli
from tests.siteserver import Route, SiteServer

INTERNAL = [
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.255",
    "0.0.0.0",
    "224.0.0.251",
    "255.255.255.255",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::7f00:1",
    "2002:7f00:1::1",
    "2002:c0a8:101::1",
    "::127.0.0.1",
]
PUBLIC = [
    "8.8.8.8",
    "100.128.0.1",
    "172.32.0.1",
    "193.99.144.80",
    "2a00:1450:4001::1",
    "64:ff9b::808:808",
    "::ffff:8.8.8.8",
    "2002:808:808::1",
]


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses_are_recognised(address):
    assert is_internal(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_not_internal(address):
    assert not is_internal(address)


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_in_ipv6_clothing_is_judged_as_itself(number):
    v4 = ipaddress.IPv4Address(number)
    for v6 in (f"::ffff:{v4}", f"64:ff9b::{number >> 16:x}:{number & 0xFFFF:x}"):
        assert is_internal(v6) == is_internal(v4), v6


@given(st.text(max_size=40))
def test_origin_of_never_raises(text):
    assert isinstance(origin_of(f"http://{text}/"), str)


def _fetch(url: str, configured: list[str]) -> Fetched:
    async def go() -> Fetched:
        async with Fetcher(Defaults(host_delay="0s")) as fetcher:
            with operator_urls(configured):
                fetched = await fetcher.get(url)
        assert isinstance(fetched, Fetched)
        return fetched

    return asyncio.run(go())


@pytest.fixture
def next_door():
    """Another service on this machine, which must never be asked for anything."""
    server = SiteServer().start()
    server.routes["/secret"] = Route(body=b"<rss><channel><title>intern</title></channel></rss>")
    try:
        yield server
    finally:
        server.stop()


def test_a_redirect_to_another_internal_service_is_refused_without_contacting_it(site, next_door):
    site.routes["/moved.xml"] = Route(status=302, headers={"Location": next_door.url("secret")})
    with pytest.raises(AddressRefused) as refused:
        _fetch(site.url("moved.xml"), [site.base])
    assert next_door.requests == []
    message = str(refused.value)
    assert site.url("moved.xml") in message and "127.0.0.1" in message


def test_a_redirect_to_a_name_that_resolves_internally_is_refused(site):
    """'localhost' is a name: only the resolved address tells that it is internal."""
    port = site.base.rsplit(":", 1)[1]
    target = f"http://localhost:{port}/feeds/spree-neisse-rss2.xml"
    site.routes["/via-name.xml"] = Route(status=301, headers={"Location": target})
    with pytest.raises(AddressRefused):
        _fetch(site.url("via-name.xml"), [site.base])


def test_a_redirect_to_the_metadata_address_is_refused(site):
    meta = "http://169.254.169.254/latest/meta-data/"
    site.routes["/meta.xml"] = Route(status=302, headers={"Location": meta})
    with pytest.raises(AddressRefused, match=r"169\.254\.169\.254"):
        _fetch(site.url("meta.xml"), [site.base])


def test_a_redirect_within_the_configured_site_is_followed(site):
    target = site.url("feeds/spree-neisse-rss2.xml")
    site.routes["/here.xml"] = Route(status=301, headers={"Location": target})
    assert _fetch(site.url("here.xml"), [site.base]).final_url == target


def test_a_kept_alive_connection_to_an_internal_origin_serves_only_its_sources(site):
    """A pooled connection is not connected anew, so the pool itself is checked."""

    async def go() -> None:
        async with Fetcher(Defaults(host_delay="0s")) as fetcher:
            with operator_urls([site.base]):
                await fetcher.get(site.url("feeds/spree-neisse-rss2.xml"))
            with operator_urls(["https://other.example/"]), pytest.raises(AddressRefused):
                await fetcher.get(site.url("feeds/kreis-atom03.xml"))

    asyncio.run(go())


def test_outside_a_source_no_internal_address_is_fetched(site):
    async def go() -> None:
        async with Fetcher(Defaults(host_delay="0s")) as fetcher:
            await fetcher.get(site.url("feeds/spree-neisse-rss2.xml"))

    with pytest.raises(AddressRefused):
        asyncio.run(go())


def test_fetch_refuses_redirects_and_detail_links_into_the_local_network(
    site, next_door, tmp_path, write_config
):
    """Through the CLI: a feed redirected next door, a listing whose detail links and
    pager point next door. The source's own items are stored, the service next door
    hears nothing, and the operator is told which redirect was refused."""
    site.routes["/kreis/rss.xml"] = Route(status=302, headers={"Location": next_door.url("secret")})
    listing = (
        "<html><body><main><h1>Pressemitteilungen</h1><ul>"
        + "".join(
            f"<li class='m'><span class='d'>2{n}.08.2019</span>"
            f"<a href='{next_door.url(f'detail-{n}.html')}'>Meldung {n} des Kreises</a></li>"
            for n in range(1, 4)
        )
        + f"</ul><a class='next' href='{next_door.url('seite-2.html')}'>weiter</a>"
        "</main></body></html>"
    ).encode()
    site.routes["/kreis/presse/"] = Route(body=listing)
    config = write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - {id: kreis, name: Landkreis Beispiel, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('kreis/rss.xml')}'], "
        f"pages: [{{url: '{site.url('kreis/presse/')}', items: 'li.m', title: 'a', "
        "date: '.d', next: 'a.next', follow: true}]}\n"
    )
    env = {"AGGREGATOR_DB": str(tmp_path / "a.db")}
    fetched = run_cli("--config", str(config), "fetch", env=env)
    said = (fetched.stdout + fetched.stderr).decode()
    assert next_door.requests == []
    assert "refused" in said and site.url("kreis/rss.xml") in said, said
    written = run_cli("--config", str(config), "feed", env=env)
    assert written.stdout.count(b"Meldung ") == 3  # the listing's items, from the listing
