"""Feeds that broke items or whole documents (issue 29): odd link schemes, titles that
are escaped markup or CDATA, broken UTF-8, self-closed frames, giant fields. Through the
CLI, once on the fast reader and once on feedparser: the same items either way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from aggregator.normalize.entries import MAX_TEASER, MAX_TITLE
from aggregator.parse.fastfeed import FEEDPARSER_ONLY
from aggregator.pipeline.crawl import MAX_ITEMS_PER_PAGE
from aggregator.store.schema import FLOOD_ALLOWANCE, FLOOD_THRESHOLD
from tests.helpers.atom import assert_valid_atom
from tests.helpers.cli import run_cli
from tests.siteserver import Route

GIANT = "Jobcenter " * 100_000  # a megabyte of title


def _feed() -> bytes:
    items = [
        "<item><title>Bluesky-Beitrag des Jobcenters</title>"
        "<link>at://did:plc:abc/app.bsky.feed.post/1</link><guid>at://did:plc:abc/1</guid>"
        "<description>Ein Beitrag mit fremdem Schema.</description></item>",
        "<item><title>Kaputter Port</title><link>https://kreis.example:99999/x</link>"
        "<description>Ein Link, den kein Parser liest.</description></item>",
        "<item><title>&lt;script&gt;alert(1)&lt;/script&gt; Meldung mit Zeichen</title>"
        "<link>https://kreis.example/escaped</link>"
        "<description>Die Beschreibung, nicht der Titel.</description></item>",
        "<item><title><![CDATA[<script>x()</script>]]></title>"
        "<guid isPermaLink='false'>cdata-1</guid></item>",
        "<item><title><![CDATA[Aktionswoche im Jobcenter]]></title>"
        "<link>https://kreis.example/cdata</link></item>",
        "<item><title>Rahmen</title><link>https://kreis.example/rahmen</link><description>"
        "<![CDATA[<p>Vorher</p><iframe src='https://video.example/x'/><p>Nachher wichtig</p>"
        "]]></description></item>",
        f"<item><title>{GIANT}</title><link>https://kreis.example/riesig</link>"
        f"<description>{'Text ' * 50_000}</description></item>",
    ]
    head = "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>K</title>"
    body = (head + "<link>https://kreis.example/</link>" + "".join(items)).encode()
    broken = "<item><title>Spree-Neiße ".encode() + b"\xed\xa0\x80 und \xff Ende</title>"
    return body + broken + b"<link>https://kreis.example/utf</link></item></channel></rss>"


@pytest.mark.parametrize("reader", ["fast", "feedparser"])
def test_hostile_feed_items_are_stored_as_text(reader, site, tmp_path, write_config):
    site.routes["/k.xml"] = Route(body=_feed(), headers={"Content-Type": "application/rss+xml"})
    config = write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - {id: kreis, name: Landkreis Beispiel, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('k.xml')}']}}\n"
    )
    db = tmp_path / "k.db"
    env = {"AGGREGATOR_DB": str(db)} | ({FEEDPARSER_ONLY: "1"} if reader == "feedparser" else {})
    fetched = run_cli("--config", str(config), "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr.decode()
    said = (fetched.stdout + fetched.stderr).decode()
    rows = sqlite3.connect(db).execute("SELECT title, url, summary_html, summary_text FROM items")
    stored = {title: (url, html, text) for title, url, html, text in rows}

    assert stored["Bluesky-Beitrag des Jobcenters"][0] is None  # the link dropped, item kept
    assert stored["Kaputter Port"][0] is None
    assert "no URL parser reads" in said
    escaped = "<script>alert(1)</script> Meldung mit Zeichen"
    assert stored[escaped][2] == "Die Beschreibung, nicht der Titel."
    assert "<script>x()</script>" in stored  # a CDATA title of markup is its text
    assert stored["Aktionswoche im Jobcenter"][0] == "https://kreis.example/cdata"
    assert "Nachher wichtig" in stored["Rahmen"][1]
    assert "Spree-Neiße \ufffd und \ufffd Ende" in stored
    giant = next(t for t in stored if t.startswith("Jobcenter Jobcenter"))
    assert len(giant) <= MAX_TITLE and giant.endswith("…")
    assert len(stored[giant][2]) <= MAX_TEASER and "shortened" in said
    assert len(stored) == 8

    written = run_cli("--config", str(config), "feed", env=env)
    assert written.returncode == 0, written.stderr.decode()
    assert_valid_atom(written.stdout)
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; Meldung" in written.stdout


def test_a_page_of_thousands_of_links_is_read_up_to_a_bound_and_flagged(
    site, tmp_path, write_config
):
    links = "".join(
        f"<li class='m'><span class='d'>28.08.2019</span>"
        f"<a href='/flut/{n}.html'>Meldung Nummer {n} der Flut</a></li>"
        for n in range(5_000)
    )
    page = f"<html><body><main><h1>Presse</h1><ul>{links}</ul></main></body></html>"
    site.routes["/flut/"] = Route(body=page.encode())
    config = write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - {id: flut, name: Landkreis Flut, land: BB, kind: landkreis, "
        f"pages: [{{url: '{site.url('flut/')}', items: 'li.m', title: 'a', date: '.d', "
        "follow: true}]}\n"
    )
    db = tmp_path / "flut.db"
    fetched = run_cli("--config", str(config), "fetch", env={"AGGREGATOR_DB": str(db)})
    assert fetched.returncode == 0, fetched.stderr.decode()
    said = (fetched.stdout + fetched.stderr).decode()
    assert "lists 5000 items" in said and f"first {MAX_ITEMS_PER_PAGE} read" in said
    connection = sqlite3.connect(db)
    assert connection.execute("SELECT count(*) FROM items").fetchone()[0] == MAX_ITEMS_PER_PAGE
    queued = connection.execute("SELECT count(*) FROM detail_queue").fetchone()[0]
    assert queued <= MAX_ITEMS_PER_PAGE


def _entries(files: list[Path]) -> list[str]:
    return [t for f in files for t in etree.parse(str(f)).getroot().itertext() if t]


def test_one_source_flooding_does_not_push_the_others_out_of_the_combined_feed(
    site, tmp_path, write_config
):
    links = "".join(
        f"<li class='m'><span class='d'>28.08.2019</span>"
        f"<a href='/flut/{n}.html'>Flutmeldung {n}</a></li>"
        for n in range(FLOOD_THRESHOLD + 50)
    )
    site.routes["/flut/"] = Route(body=f"<html><body><ul>{links}</ul></body></html>".encode())
    site.routes["/ruhig/rss.xml"] = Route(
        body=(
            b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>R</title>"
            b"<link>https://ruhig.example/</link><item><title>Ruhige Meldung</title>"
            b"<link>https://ruhig.example/1</link>"
            b"<pubDate>Wed, 28 Aug 2019 10:00:00 +0200</pubDate></item></channel></rss>"
        ),
        headers={"Content-Type": "application/rss+xml"},
    )
    config = write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - {id: ruhig, name: Landkreis Ruhig, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('ruhig/rss.xml')}']}}\n"
        "  - {id: flut, name: Landkreis Flut, land: BB, kind: landkreis, "
        f"pages: [{{url: '{site.url('flut/')}', items: 'li.m', title: 'a', date: '.d'}}]}}\n"
    )
    env = {"AGGREGATOR_DB": str(tmp_path / "flut.db")}
    fetched = run_cli("--config", str(config), "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr.decode()
    held = FLOOD_THRESHOLD + 50 - FLOOD_ALLOWANCE
    assert f"{held} of them are held back" in (fetched.stdout + fetched.stderr).decode()
    out = tmp_path / "out"
    assert run_cli("--config", str(config), "feed", "--out", f"{out}/", env=env).returncode == 0
    everything = [out / "feeds" / "all.atom", *sorted((out / "feeds" / "all").rglob("*.atom"))]
    texts = _entries(everything)
    assert "Ruhige Meldung" in _entries([out / "feeds" / "all.atom"])
    assert sum(t.startswith("Flutmeldung") for t in texts) == FLOOD_ALLOWANCE
    land = [
        out / "feeds" / "laender" / "BB.atom",
        *(out / "feeds" / "laender").rglob("BB/*/*.atom"),
    ]
    assert sum(t.startswith("Flutmeldung") for t in _entries(land)) == FLOOD_ALLOWANCE
    own = [
        out / "feeds" / "sources" / "flut.atom",
        *(out / "feeds" / "sources").rglob("flut/*/*.atom"),
    ]
    assert sum(t.startswith("Flutmeldung") for t in _entries(own)) == FLOOD_THRESHOLD + 50
