"""Every way a press office can fail, through the real pipeline against loopback servers.

Each case runs one cycle with the broken source and two healthy ones (a feed and a
listing page) and checks: the typed error, the health record, nothing stored from
the bad answer, the healthy sources stored completely, and a cycle bounded by the
configured timeouts.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.classify.judge import CLASSIFIER
from aggregator.config.loader import parse_config
from aggregator.fetch.client import Fetcher
from aggregator.pipeline.refresh import RefreshResult, refresh_all
from aggregator.store.database import Store
from tests.helpers.cli import run_cli
from tests.listing_expectations import EXPECTED, IKISS_PAGE, IKISS_PAGE_2
from tests.paths import TESTS
from tests.rawserver import RawServer
from tests.siteserver import Route, SiteServer

T0 = datetime(2019, 8, 28, 12, 0, tzinfo=UTC)
TIMEOUT = 2.0
HEALTHY_ITEMS = {
    "gesund-feed": 3,
    "gesund-liste": len(EXPECTED[IKISS_PAGE] + EXPECTED[IKISS_PAGE_2]),
}
SPREE_FEED = (TESTS / "sites/feeds/spree-neisse-rss2.xml").read_bytes()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://e.de/1</link></item></channel></rss>"""


def xxe_feed(secret: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><title>Presse</title>
<item><title>Geheim: &xxe;</title><link>https://e.de/geheim</link>
<description>&xxe;</description></item></channel></rss>""".encode()


@dataclass
class Cycle:
    site: SiteServer
    tmp_path: Path
    broken_url: str
    extra: str = ""
    broken_fields: str = ""
    defaults: dict[str, str] = field(default_factory=dict)

    def config(self):
        defaults = {
            "timeout": f"{TIMEOUT:g}s",
            "connect_timeout": "1s",
            "read_timeout": "1s",
            "host_delay": "0s",
            "interval": "30m",
            **self.defaults,
        }
        text = "version: 1\ndefaults:\n" + "".join(f"  {k}: {v}\n" for k, v in defaults.items())
        text += f"""sources:
  - id: kaputt
    name: Jobcenter Kaputt
    land: TH
    kind: landkreis
{self.broken_fields}    feeds: ['{self.broken_url}']
  - id: gesund-feed
    name: Jobcenter Gesund
    land: BB
    kind: landkreis
    feeds: ['{self.site.url("feeds/spree-neisse-rss2.xml")}']
  - id: gesund-liste
    name: Landkreis Gesund
    land: MV
    kind: landkreis
    pages: [{{url: '{self.site.url(IKISS_PAGE)}', preset: ikiss}}]
{self.extra}"""
        return parse_config(text)

    def run(self, now: datetime = T0) -> tuple[dict[str, RefreshResult], float, Store]:
        config = self.config()
        store = Store(self.tmp_path / "failures.db", CLASSIFIER)

        async def go():
            async with Fetcher(config.defaults) as fetcher:
                return await refresh_all(
                    [s for s in config.sources if s.enabled],
                    config,
                    fetcher,
                    store,
                    clock=lambda: now,
                )

        started = time.monotonic()
        results = asyncio.run(go())
        return {r.source_id: r for r in results}, time.monotonic() - started, store


def check_cycle(cycle: Cycle, kind: str, now: datetime = T0):
    """The common promises: typed error, health row, nothing stored, others complete, bounded."""
    results, duration, store = cycle.run(now)
    broken = results["kaputt"]
    assert broken.status == "error", broken.outcomes
    [outcome] = broken.outcomes
    assert outcome.error_kind == kind, outcome
    state = store.fetch_state("kaputt", cycle.broken_url)
    assert state is not None
    assert state.last_status == "error" and state.last_error_kind == kind
    assert state.consecutive_failures == 1 and state.last_attempt == now
    assert state.last_error == outcome.message
    assert store.count_items("kaputt") == 0
    for source_id, count in HEALTHY_ITEMS.items():
        assert results[source_id].status == "ok"
        assert store.count_items(source_id) == count
    # a retried transient error costs two timeouts; nothing waits for the broken source
    assert duration < 2 * TIMEOUT + 4, duration
    return results, store, state


@pytest.fixture
def cycle(site, tmp_path):
    def make(path_or_url: str, **kwargs) -> Cycle:
        url = path_or_url if "://" in path_or_url else site.url(path_or_url)
        return Cycle(site, tmp_path, url, **kwargs)

    return make


def test_slow_response_times_out_and_is_not_asked_again_in_the_cycle(site, cycle):
    site.routes["/slow.xml"] = Route(body=SPREE_FEED, delay=TIMEOUT + 3)
    check_cycle(cycle("slow.xml"), "FetchTimeout")
    assert site.arrived.count("/slow.xml") == 1  # it had the whole timeout already


def test_socket_that_accepts_and_never_answers(cycle):
    """A host that does not answer robots.txt is not asked for pages (RFC 9309)."""
    server = RawServer("hang").start()
    try:
        _, _, state = check_cycle(cycle(server.url), "FetchTimeout")
        assert state.last_error.startswith("robots.txt: ")
        assert server.accepted == 1
    finally:
        server.stop()


def test_a_host_that_does_not_answer_costs_one_timeout_for_all_its_sources(cycle):
    server = RawServer("hang").start()
    second = server.url.replace("feed.xml", "presse/")
    extra = (
        f"  - {{id: kaputt-2, name: Kaputt 2, land: TH, kind: landkreis, "
        f"pages: [{{url: '{second}'}}]}}\n"
    )
    try:
        results, duration, _ = cycle(server.url, extra=extra).run()
        assert results["kaputt-2"].outcomes[0].error_kind == "FetchTimeout"
        assert server.accepted == 1 and duration < TIMEOUT + 2
    finally:
        server.stop()


def test_reset_connection(cycle):
    server = RawServer("reset").start()
    try:
        check_cycle(cycle(server.url), "ConnectFailed")
    finally:
        server.stop()


def test_server_error_is_retried_once_then_backs_off(site, cycle):
    site.routes["/500.xml"] = Route(status=500)
    _, _, state = check_cycle(cycle("500.xml"), "HTTPStatusFailed")
    assert len(site.requests_to("500.xml")) == 2
    assert T0 + timedelta(minutes=24) <= state.next_attempt <= T0 + timedelta(minutes=36)


def test_not_found_is_not_retried(site, cycle):
    check_cycle(cycle("fehlt.xml"), "HTTPStatusFailed")
    assert len(site.requests_to("fehlt.xml")) == 1


def test_gone_stops_polling(site, cycle):
    site.routes["/alt.xml"] = Route(status=410)
    broken = cycle("alt.xml")
    _, store, state = check_cycle(broken, "Gone")
    assert state.gone and state.next_attempt is None
    store.close()
    results, _, _ = broken.run(T0 + timedelta(days=2))
    assert len(site.requests_to("alt.xml")) == 1  # never asked again
    assert results["kaputt"].outcomes[0].status == "skipped"
    assert "gone" in results["kaputt"].outcomes[0].message


def test_too_many_requests_with_retry_after_is_honoured(site, cycle):
    site.routes["/voll.xml"] = Route(status=429, headers={"Retry-After": "7200"})
    broken = cycle("voll.xml")
    _, store, state = check_cycle(broken, "HTTPStatusFailed")
    assert len(site.requests_to("voll.xml")) == 1
    assert state.next_attempt >= T0 + timedelta(hours=2)
    store.close()
    results, _, _ = broken.run(T0 + timedelta(hours=1))
    assert results["kaputt"].outcomes[0].status == "skipped"  # still backing off
    assert len(site.requests_to("voll.xml")) == 1


def test_redirect_loop_is_an_error(site, cycle):
    site.routes["/a.xml"] = Route(status=302, headers={"Location": "/b.xml"})
    site.routes["/b.xml"] = Route(status=302, headers={"Location": "/a.xml"})
    check_cycle(cycle("a.xml"), "RedirectFailed")


def test_body_of_50_mb_is_refused(site, cycle):
    site.routes["/gross.xml"] = Route(body=b"<rss>" + b" " * (50 * 1024 * 1024), streamed=True)
    check_cycle(cycle("gross.xml"), "TooLarge")


def test_gzip_bomb_is_stopped(site, cycle):
    bomb = gzip.compress(b"<rss>" + b"\0" * (60 * 1024 * 1024))
    site.routes["/bombe.xml"] = Route(body=bomb, headers={"Content-Encoding": "gzip"})
    check_cycle(cycle("bombe.xml"), "TooLarge")


def test_billion_laughs_feed_is_refused(site, cycle):
    site.routes["/lachen.xml"] = Route(body=BILLION_LAUGHS)
    check_cycle(cycle("lachen.xml"), "ParseError")


def test_xxe_feed_never_reads_the_local_file(site, cycle, tmp_path):
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-4711")
    site.routes["/xxe.xml"] = Route(body=xxe_feed(secret))
    _, store, state = check_cycle(cycle("xxe.xml"), "ParseError")
    assert "GEHEIM-4711" not in (state.last_error or "")
    assert not any("GEHEIM" in s.item.title + s.item.summary_text for s in store.items())


def test_dns_failure(cycle):
    check_cycle(cycle("http://pressestelle.jobcenter.invalid/rss.xml"), "DNSFailed")


def test_tls_failure(site, cycle):
    plain = site.base.replace("http://", "https://")  # TLS spoken to a plain HTTP port
    check_cycle(cycle(f"{plain}/feeds/spree-neisse-rss2.xml"), "TLSFailed")


def test_empty_body(site, cycle):
    site.routes["/leer.xml"] = Route(body=b"")
    check_cycle(cycle("leer.xml"), "ParseError")


def test_html_where_a_feed_was_expected_without_a_feed_to_discover(site, cycle):
    site.routes["/presse.xml"] = Route(
        body=b"<html><body><h1>Presse</h1></body></html>",
        headers={"Content-Type": "application/rss+xml"},
    )
    check_cycle(cycle("presse.xml"), "NotAFeed")


def test_lying_content_type_is_read_by_its_content(site, cycle):
    site.routes["/feed.php"] = Route(body=SPREE_FEED, headers={"Content-Type": "text/html"})
    results, _, store = cycle("feed.php").run()
    assert results["kaputt"].status == "ok" and store.count_items("kaputt") == 3


def test_html_at_a_feed_url_leads_to_the_feed_it_advertises(site, cycle):
    page = "presse/typo3-news/aktuelles/pressemitteilungen/"
    results, _, store = cycle(page).run()
    assert results["kaputt"].status == "ok"
    assert store.count_items("kaputt") == 2  # the two items of the advertised ?type=9818 feed
    assert any("advertises" in note for note in results["kaputt"].notes)


def test_permanent_move_is_recorded_and_used(site, cycle):
    site.routes["/alt/rss.xml"] = Route(
        status=301, headers={"Location": "/feeds/hoexter-cp1252.xml"}
    )
    broken = cycle("alt/rss.xml")
    results, _, store = broken.run()
    assert results["kaputt"].status == "ok" and store.count_items("kaputt") == 2
    assert store.fetch_state("kaputt", broken.broken_url).moved_to == site.url(
        "feeds/hoexter-cp1252.xml"
    )
    assert any("moved permanently" in note for note in results["kaputt"].notes)
    store.close()
    broken.run(T0 + timedelta(hours=1))
    assert len(site.requests_to("alt/rss.xml")) == 1  # from then on, the new address
    assert site.requests_to("feeds/hoexter-cp1252.xml")[-1].status == 304


def test_backoff_grows_and_success_resets_it(site, cycle):
    site.routes["/wackel.xml"] = Route(status=503)
    broken = cycle("wackel.xml")
    now = T0
    delays = []
    for _ in range(4):
        _, _, store = broken.run(now)
        state = store.fetch_state("kaputt", broken.broken_url)
        delays.append(state.next_attempt - now)
        now = state.next_attempt
        store.close()
    for step, delay in enumerate(delays):  # 30 min, 1 h, 2 h, 4 h, each with ±20 % jitter
        expected = timedelta(minutes=30) * 2**step
        assert 0.8 * expected <= delay <= 1.2 * expected, (step, delay)
    del site.routes["/wackel.xml"]
    site.routes["/wackel.xml"] = Route(body=SPREE_FEED)
    _, _, store = broken.run(now)
    state = store.fetch_state("kaputt", broken.broken_url)
    assert state.consecutive_failures == 0 and state.next_attempt is None


def test_robots_txt_is_obeyed(site, cycle):
    site.routes["/robots.txt"] = Route(
        body=b"User-agent: *\nDisallow: /intern/\n", headers={"Content-Type": "text/plain"}
    )
    check_cycle(cycle("intern/rss.xml"), "RobotsDisallowed")
    assert not site.requests_to("intern/rss.xml")


def test_robots_txt_with_server_error_means_try_later(site, cycle):
    site.routes["/robots.txt"] = Route(status=503)
    results, _, store = cycle("feeds/hoexter-cp1252.xml").run()
    assert results["kaputt"].outcomes[0].error_kind == "RobotsUnavailable"
    assert store.count_items() == 0  # same host for all: nobody fetched before the rules are known


def test_twenty_sources_on_one_host_never_more_than_two_in_flight(site, tmp_path):
    for n in range(20):
        site.routes[f"/langsam/{n}.xml"] = Route(
            body=SPREE_FEED.replace(b"26291", str(n).encode()), delay=0.3
        )
    sources = "".join(
        f"  - {{id: quelle-{n}, name: Quelle {n}, land: BB, kind: landkreis, "
        f"feeds: ['{site.url(f'langsam/{n}.xml')}']}}\n"
        for n in range(20)
    )
    config = parse_config(f"version: 1\ndefaults: {{host_delay: 0s}}\nsources:\n{sources}")
    store = Store(tmp_path / "host.db", CLASSIFIER)

    async def go():
        async with Fetcher(config.defaults) as fetcher:
            return await refresh_all(list(config.sources), config, fetcher, store)

    results = asyncio.run(go())
    assert all(r.status == "ok" for r in results)
    assert site.max_in_flight == 2


def test_brotli_bomb_is_stopped(site, cycle):
    import brotli

    bomb = brotli.compress(b"<rss>" + b"\0" * (60 * 1024 * 1024))
    site.routes["/bombe.br"] = Route(body=bomb, headers={"Content-Encoding": "br"})
    check_cycle(cycle("bombe.br"), "TooLarge")


def test_per_source_timeouts_override_the_defaults(site, cycle):
    site.routes["/zaeh.xml"] = Route(body=SPREE_FEED, delay=TIMEOUT + 0.5)
    patient = cycle("zaeh.xml", broken_fields="    timeout: 10s\n    read_timeout: 10s\n")
    assert patient.config().timeouts(patient.config().source("kaputt")).total == 10
    results, _, store = patient.run()
    assert results["kaputt"].status == "ok" and store.count_items("kaputt") == 3


def test_status_command_makes_a_sick_source_stand_out(site, tmp_path, write_config):
    site.routes["/kaputt.xml"] = Route(status=500)
    config = write_config(
        "version: 1\ndefaults: {host_delay: 0s}\nsources:\n"
        f"  - {{id: kaputt, name: K, land: TH, kind: landkreis, "
        f"feeds: ['{site.url('kaputt.xml')}']}}\n"
        f"  - {{id: gesund, name: G, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('feeds/spree-neisse-rss2.xml')}']}}\n"
    )
    env = {"AGGREGATOR_DB": str(tmp_path / "status.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    result = run_cli("--config", str(config), "sources", "status", env=env)
    assert result.returncode == 0
    lines = result.stdout.decode().splitlines()
    [sick] = [line for line in lines if " kaputt " in line]
    [healthy] = [line for line in lines if " gesund " in line]
    assert "!" in sick and "HTTP 500" in sick and "error" in sick
    assert "!" not in healthy and " ok " in healthy and " 3 " in healthy
    assert "1 need attention" in result.stdout.decode()
