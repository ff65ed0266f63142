"""The real service (`aggregator run` as a subprocess) used the way feed readers use it."""

from __future__ import annotations

import signal
import sqlite3
import time

import httpx
from lxml import etree

from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.helpers.corpus import ITEMS, serve_corpus
from tests.helpers.service import (
    BIG,
    big_feed,
    config_with_extras,
    service,
    wait_for,
    walk_archives,
)
from tests.listing_expectations import EXPECTED, IKISS_PAGE, IKISS_PAGE_2
from tests.siteserver import Route

EXPECTED_TOTAL = len(ITEMS) + BIG + len(EXPECTED[IKISS_PAGE]) + len(EXPECTED[IKISS_PAGE_2])


def entries(document: bytes) -> list[etree._Element]:
    return assert_valid_atom(document).findall(f"{ATOM}entry")


def test_service_serves_feed_readers(site, tmp_path, write_config):
    serve_corpus(site)
    site.routes["/gross/rss.xml"] = Route(body=big_feed(BIG))
    site.routes["/kaputt/rss.xml"] = Route(status=500)
    config = write_config(config_with_extras(site))
    with service(config, tmp_path / "service.db") as (base, _):
        wait_for(lambda: len(walk_archives(base, "all.atom")) == EXPECTED_TOTAL, 60, "first cycle")

        first = httpx.get(f"{base}/feeds/all.atom", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in first.headers
        assert first.headers["content-type"] == "application/atom+xml; charset=utf-8"
        assert "max-age" in first.headers["cache-control"]
        root = assert_valid_atom(first.content)
        assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{base}/feeds/all.atom"
        assert len(root.findall(f"{ATOM}entry")) >= 50

        # conditional GET: 304 with the ETag, and with Last-Modified
        feed = f"{base}/feeds/all.atom"
        again = httpx.get(
            f"{base}/feeds/all.atom", headers={"If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304 and not again.content
        since = httpx.get(
            f"{base}/feeds/all.atom", headers={"If-Modified-Since": first.headers["last-modified"]}
        )
        assert since.status_code == 304

        # gzip when asked, the same document inside
        zipped = httpx.get(feed, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.content == first.content  # httpx decodes it
        assert zipped.headers["etag"] != first.headers["etag"]  # one strong ETag per encoding

        # RFC 5005: the archives lead to every item exactly once
        ids = walk_archives(base, "all.atom")
        assert len(ids) == len(set(ids)) == EXPECTED_TOTAL
        archive = assert_valid_atom(httpx.get(f"{base}/feeds/all/archive/0.atom").content)
        assert archive.find("{http://purl.org/syndication/history/1.0}archive") is not None
        assert archive.find(f"{ATOM}link[@rel='current']").get("href") == f"{base}/feeds/all.atom"

        # the campaign feed holds the campaign's items, per Land and per source feeds work
        campaign = entries(httpx.get(f"{base}/feeds/campaigns/aktionswoche-2019.atom").content)
        from_listing = "„Stark. Sozial. Vor Ort.“ – Jobcenter öffnet seine Türen"  # IKISS page
        expected = [item.title for item, entry in ITEMS if entry["label"]] + [from_listing]
        assert sorted(e.findtext(f"{ATOM}title") for e in campaign) == sorted(expected)
        assert entries(httpx.get(f"{base}/feeds/sources/liste.atom").content)
        assert entries(httpx.get(f"{base}/feeds/laender/SL.atom").content)
        found = entries(httpx.get(f"{base}/feeds/all.atom", params={"q": "MainArbeit"}).content)
        assert found and all(
            "MainArbeit" in (e.findtext(f"{ATOM}title") + (e.findtext(f"{ATOM}summary") or ""))
            for e in found
        )
        assert httpx.get(f"{base}/feeds/gibt-es-nicht.atom").status_code == 404

        # OPML subscribes to the one feed of everything and carries no other URL (a
        # reader would subscribe to it too); the list per jobcenter subscribes to each
        opml = etree.fromstring(httpx.get(f"{base}/sources.opml").content)
        carried = [o.get("xmlUrl") or o.get("url") for o in opml.iter("outline")]
        assert [url for url in carried if url] == [f"{base}/feeds/all.atom"]
        per_jobcenter = etree.fromstring(httpx.get(f"{base}/sources.opml?feeds=jobcenter").content)
        subscribed = {o.get("xmlUrl") for o in per_jobcenter.iter("outline")}
        for source_id in ("spree-neisse", "gross", "liste", "kaputt"):
            assert f"{base}/feeds/sources/{source_id}.atom" in subscribed

        # health and metrics
        health = httpx.get(f"{base}/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        metrics = httpx.get(f"{base}/metrics").text
        assert 'aggregator_refreshes_total{status="error"}' in metrics
        assert "aggregator_items_stored" in metrics
        assert "aggregator_scheduler_running 1.0" in metrics

        # a new item on a site appears after the next scheduled refresh, without a restart
        site.routes["/gross/rss.xml"] = Route(body=big_feed(BIG + 1))
        gross = f"{base}/feeds/sources/gross.atom"
        wait_for(lambda: "Meldung 130 des" in httpx.get(gross).text, 30, "the new item")


def test_reload_adds_a_source_without_restart(site, tmp_path, write_config):
    serve_corpus(site)
    site.routes["/gross/rss.xml"] = Route(body=big_feed(3))
    config = write_config(config_with_extras(site, interval="1h"))
    db = tmp_path / "reload.db"
    with service(config, db) as (base, _):
        wait_for(
            lambda: "Meldung 002" in httpx.get(f"{base}/feeds/sources/gross.atom").text, 30, "cycle"
        )
        extra = (
            "  - {id: nachzuegler, name: Landkreis Nachzuegler, land: BB, kind: landkreis, "
            f"feeds: ['{site.url('feeds/hoexter-cp1252.xml')}']}}\n"
        )
        write_config(config_with_extras(site, interval="1h", extra_sources=extra))
        result = run_cli("--config", str(config), "--db", str(db), "reload")
        assert result.returncode == 0, result.stderr.decode()
        wait_for(
            lambda: "Höxter" in httpx.get(f"{base}/feeds/sources/nachzuegler.atom").text,
            20,
            "reload",
        )


def test_sigterm_during_a_refresh_exits_cleanly_and_loses_nothing(site, tmp_path, write_config):
    serve_corpus(site)
    site.routes["/gross/rss.xml"] = Route(body=big_feed(5))
    config = write_config(config_with_extras(site, interval="2s"))
    db = tmp_path / "term.db"
    with service(config, db) as (base, process):
        wait_for(
            lambda: "Meldung 004" in httpx.get(f"{base}/feeds/sources/gross.atom").text, 30, "cycle"
        )
        before = httpx.get(f"{base}/feeds/all.atom").content
        # from now on the site answers slowly: the next refresh is still running when we stop
        site.routes["/gross/rss.xml"] = Route(body=big_feed(6), delay=8)
        wait_for(lambda: "/gross/rss.xml" in site.active, 15, "a refresh in flight")
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        process.wait(15)
        assert time.monotonic() - started < 10
        log = db.with_suffix(".log").read_text()
        assert process.returncode == 0, log[-2000:]
        assert '"event": "refresh cancelled"' in log and '"event": "stopped"' in log
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with service(config, db) as (base, _):
        after = httpx.get(f"{base}/feeds/all.atom").content
        assert {e.findtext(f"{ATOM}id") for e in entries(before)} <= {
            e.findtext(f"{ATOM}id") for e in entries(after)
        }
