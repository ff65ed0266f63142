import asyncio
import contextlib
import gzip
import time
from urllib.parse import urlsplit

import pytest

from aggregator.config.schema import Defaults
from aggregator.core.model import Timeouts
from aggregator.core.robots import Remembered, RobotsCache
from aggregator.errors import (
    ConnectFailed,
    FetchTimeout,
    HTTPStatusFailed,
    RedirectFailed,
    RobotsDisallowed,
    TooLarge,
)
from aggregator.fetch.addresses import operator_urls
from aggregator.fetch.client import Fetched, Fetcher, NotModified
from tests.siteserver import Route

QUICK = {"host_delay": "0s"}


def get(url: str, defaults: Defaults | None = None, **kwargs):
    async def go():
        async with Fetcher(defaults or Defaults(**QUICK)) as fetcher:
            with operator_urls([url]):  # the loopback site stands for one the operator chose
                return await fetcher.get(url, **kwargs)

    return asyncio.run(go())


def test_conditional_get_returns_not_modified(site):
    first = get(site.url("feeds/spree-neisse-rss2.xml"))
    assert isinstance(first, Fetched) and first.etag and first.last_modified
    assert b"Spree-Nei\xc3\x9fe" in first.body
    again = get(site.url("feeds/spree-neisse-rss2.xml"), etag=first.etag)
    assert isinstance(again, NotModified)
    assert site.requests[-1].headers["If-None-Match"] == first.etag
    by_date = get(site.url("feeds/spree-neisse-rss2.xml"), last_modified=first.last_modified)
    assert isinstance(by_date, NotModified)


def test_user_agent_is_honest(site):
    get(site.url("feeds/spree-neisse-rss2.xml"))
    agent = site.requests[-1].headers["User-Agent"]
    assert agent.startswith("jobcenter-aggregator/") and "+https://" in agent


def test_http_errors_are_typed(site):
    site.routes["/gone.xml"] = Route(status=503, headers={"Retry-After": "120"})
    with pytest.raises(HTTPStatusFailed) as caught:
        get(site.url("gone.xml"))
    assert caught.value.status == 503 and caught.value.retry_after == "120"
    assert not caught.value.transient  # the server said when to come back: we obey
    site.routes["/busy.xml"] = Route(status=500)
    with pytest.raises(HTTPStatusFailed) as caught:
        get(site.url("busy.xml"))
    assert caught.value.transient
    with pytest.raises(HTTPStatusFailed) as caught:
        get(site.url("missing.xml"))
    assert caught.value.status == 404 and not caught.value.transient


def test_body_cap_is_enforced_while_streaming(site):
    site.routes["/big.xml"] = Route(body=b"x" * 300_000)
    with pytest.raises(TooLarge):
        get(site.url("big.xml"), Defaults(max_body=100_000, **QUICK))


def test_gzip_that_expands_past_the_cap_is_stopped(site):
    bomb = gzip.compress(b"\0" * 5_000_000)
    site.routes["/bomb.xml"] = Route(body=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(TooLarge):
        get(site.url("bomb.xml"), Defaults(max_body=1_000_000, **QUICK))


def test_slow_answer_times_out_within_the_budget(site):
    site.routes["/slow.xml"] = Route(delay=3)
    with pytest.raises(FetchTimeout):
        get(site.url("slow.xml"), timeouts=Timeouts(total=0.5, connect=0.5, read=0.5))


def test_refused_connection_is_typed():
    with pytest.raises(ConnectFailed):
        get("http://127.0.0.1:9/feed.xml")


def test_redirect_loop_is_an_error(site):
    site.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    site.routes["/b"] = Route(status=302, headers={"Location": "/a"})
    with pytest.raises(RedirectFailed):
        get(site.url("a"))


def test_permanent_redirect_is_reported(site):
    site.routes["/old.xml"] = Route(
        status=301, headers={"Location": "/feeds/spree-neisse-rss2.xml"}
    )
    moved = get(site.url("old.xml"))
    assert moved.moved_to == site.url("feeds/spree-neisse-rss2.xml")
    site.routes["/tmp.xml"] = Route(
        status=302, headers={"Location": "/feeds/spree-neisse-rss2.xml"}
    )
    assert get(site.url("tmp.xml")).moved_to is None


def origin_of_url(url: str) -> str:
    """An origin as the robots.txt cache keys it: scheme://host:port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def test_waiting_for_a_slow_host_does_not_block_other_hosts(site):
    """Politeness pauses one host; with one global slot, another host is still served
    while the first waits out its host_delay."""
    other_host = site.url("feeds/kreis-rss091.xml").replace("127.0.0.1", "localhost")

    async def run() -> float:
        first = site.url("feeds/kreis-atom03.xml")
        with operator_urls([first, other_host]):
            return await paced_run(first)

    async def paced_run(first: str) -> float:
        moved = [0.0]  # seconds the fetcher's clock is ahead of the real one

        def clock() -> float:
            return time.monotonic() + moved[0]

        allowed = Remembered("User-agent: *\nAllow: /\n", False, time.time() + 3600)
        robots = RobotsCache({origin_of_url(u): allowed for u in (first, other_host)})
        defaults = Defaults(host_delay="3s", concurrency=1)
        async with Fetcher(defaults, robots=robots, clock=clock) as fetcher:
            await asyncio.gather(fetcher.get(first), fetcher.get(other_host))
            moved[0] += 3.1  # both hosts may be asked again, without waiting for it
            await fetcher.get(first)
            paced = asyncio.create_task(fetcher.get(site.url("feeds/stadt-atom.atom")))
            await asyncio.sleep(0.2)  # the paced request is waiting out host_delay now
            assert not paced.done()
            started = time.monotonic()
            await fetcher.get(other_host)
            elapsed = time.monotonic() - started
            paced.cancel()  # it would go on waiting its 3 s
            with contextlib.suppress(asyncio.CancelledError):
                await paced
            return elapsed

    assert asyncio.run(run()) < 1.5  # not after the paced one's 3 s


def test_robots_txt_read_by_an_earlier_process_is_obeyed_without_asking(site):
    from aggregator.core.robots import Remembered, RobotsCache

    origin = site.base.lower()
    cache = RobotsCache(
        {origin: Remembered("User-agent: *\nDisallow: /feeds/\n", False, time.time() + 3600)}
    )

    async def go():
        async with Fetcher(Defaults(**QUICK), robots=cache) as fetcher:
            with operator_urls([site.base]):
                await fetcher.get(site.url("feeds/spree-neisse-rss2.xml"))

    with pytest.raises(RobotsDisallowed):
        asyncio.run(go())
    assert not [r for r in site.requests if r.path == "/robots.txt"]
    assert cache.changed == {}


def test_expired_robots_txt_is_asked_again_and_remembered(site):
    from aggregator.core.robots import Remembered, RobotsCache

    origin = site.base.lower()
    cache = RobotsCache({origin: Remembered("User-agent: *\nDisallow: /\n", False, 1.0)})
    site.routes["/robots.txt"] = Route(body=b"User-agent: *\nDisallow: /intern/\n")
    fetched = None

    async def go():
        nonlocal fetched
        async with Fetcher(Defaults(**QUICK), robots=cache) as fetcher:
            with operator_urls([site.base]):
                fetched = await fetcher.get(site.url("feeds/spree-neisse-rss2.xml"))

    asyncio.run(go())
    assert isinstance(fetched, Fetched)
    assert [r.path for r in site.requests].count("/robots.txt") == 1
    remembered = cache.changed[origin]
    assert remembered.text == "User-agent: *\nDisallow: /intern/\n"
    assert remembered.expires > time.time() + 23 * 3600 and not remembered.server_error


def test_waiting_for_a_turn_reads_robots_txt_and_holds_no_slot(site):
    """wait_turn asks robots.txt and waits out the host's pacing without holding the
    one global slot: another host is served meanwhile; the page itself is left to get."""
    first = site.url("feeds/kreis-atom03.xml")
    other = site.url("feeds/kreis-rss091.xml").replace("127.0.0.1", "localhost")
    allowed = Remembered("User-agent: *\nAllow: /\n", False, time.time() + 3600)
    robots = RobotsCache({origin_of_url(other): allowed})  # the other host: nothing to wait for

    async def run() -> None:
        defaults = Defaults(host_delay="1s", concurrency=1)
        async with Fetcher(defaults, robots=robots) as fetcher:
            with operator_urls([first, other]):
                turn = asyncio.create_task(fetcher.wait_turn(first))
                while not [r for r in site.requests if r.path == "/robots.txt"]:
                    await asyncio.sleep(0.01)  # until the first contact has begun
                assert isinstance(await fetcher.get(other), Fetched)
                assert not turn.done()  # still waiting out the first host's second
                await turn
                assert [r.path for r in site.requests] == ["/robots.txt", "/feeds/kreis-rss091.xml"]
                assert isinstance(await fetcher.get(first), Fetched)

    asyncio.run(run())
    assert [r.path for r in site.requests].count("/robots.txt") == 1


def test_waiting_for_an_unreachable_host_leaves_the_failure_to_get():
    async def run() -> None:
        async with Fetcher(Defaults(**QUICK)) as fetcher:
            url = "http://127.0.0.1:1/feed.xml"
            with operator_urls([url]):
                await fetcher.wait_turn(url)  # no exception: the get that follows says it
                with pytest.raises(ConnectFailed):
                    await fetcher.get(url)

    asyncio.run(run())
