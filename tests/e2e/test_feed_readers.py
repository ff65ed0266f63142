"""What a feed reader meets, end to end against the real service: WebSub push to a
subscriber on loopback (intent verified, deliveries signed, retried, unsubscribed), JSON
Feed beside every Atom feed (checked with a schema written from the specification, and
against the Atom feed as feedparser reads it),
the feed as a page in Chromium, OPML that subscribes each item once (listparser), and
archive pages that may be cached for ever."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import feedparser
import httpx
import jsonschema
import listparser
from lxml import etree
from playwright.sync_api import expect, sync_playwright

from tests.helpers.browser import console_errors, launch
from tests.helpers.corpus import rss
from tests.helpers.service import big_feed, service, wait_for
from tests.paths import TESTS
from tests.siteserver import Route
from tests.websubscriber import websub_subscriber

SECRET = "geheimnis-des-lesers"
SCHEMA = json.loads((TESTS / "data" / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))


def releases(count: int) -> bytes:
    start = datetime(2022, 6, 20, 9, tzinfo=UTC)
    return rss(
        "spree-neisse",
        [
            (
                f"Aktionswoche: Tag {n} im Jobcenter Spree-Neiße",
                f"https://spree-neisse.example/{n}",
                f"pm-{n}",
                format_datetime(start + timedelta(days=n)),
                f"Text der Meldung {n}.",
            )
            for n in range(count)
        ],
    )


def config(site, interval: str = "2s") -> str:
    return (
        "version: 1\n"
        f"defaults: {{host_delay: 0s, interval: {interval}}}\n"
        "websub: {allow_private_callbacks: true, retry: 1s}\n"
        "sources:\n"
        "  - {id: spree-neisse, name: Landkreis Spree-Neiße, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('spree/rss.xml')}']}}\n"
        "  - {id: gross, name: Landkreis Gross, land: SL, kind: landkreis, "
        f"feeds: ['{site.url('gross/rss.xml')}']}}\n"
    )


def subscribe(base: str, topic: str, callback: str, mode: str = "subscribe") -> httpx.Response:
    return httpx.post(
        f"{base}/websub",
        data={
            "hub.mode": mode,
            "hub.topic": topic,
            "hub.callback": callback,
            "hub.secret": SECRET,
            "hub.lease_seconds": "600",
        },
    )


def test_websub_pushes_new_items_to_a_verified_subscriber(site, tmp_path, write_config):
    site.routes["/spree/rss.xml"] = Route(body=releases(1))
    site.routes["/gross/rss.xml"] = Route(body=big_feed(2))
    with (
        websub_subscriber() as reader,
        service(write_config(config(site)), tmp_path / "hub.db") as (base, _),
    ):
        topic = f"{base}/feeds/sources/spree-neisse.atom"
        wait_for(lambda: "Tag 0" in httpx.get(topic).text, 30, "the first item")
        answer = httpx.get(topic)
        assert f'<{base}/websub>; rel="hub"' in answer.headers["link"]
        assert f'<link rel="hub" href="{base}/websub"/>' in answer.text

        assert subscribe(base, f"{base}/feeds/unbekannt.atom", reader.url).status_code == 400
        reader.wanted.add(("subscribe", topic))
        assert subscribe(base, topic, f"{reader.url}/cb").status_code == 202
        wait_for(
            lambda: (
                len(reader.verifications) == 1
                and "aggregator_websub_subscriptions 1.0" in httpx.get(f"{base}/metrics").text
            ),
            20,
            "the verified subscription",
        )
        check = reader.verifications[-1]
        assert check["hub.topic"] == topic and int(check["hub.lease_seconds"]) == 600
        refused = f"{base}/feeds/laender/SL.atom"  # the subscriber never asked for it
        assert subscribe(base, refused, f"{reader.url}/nie").status_code == 202

        reader.statuses.append(500)  # the first delivery fails and is tried again
        site.routes["/spree/rss.xml"] = Route(body=releases(2))
        wait_for(lambda: len(reader.deliveries) >= 2, 30, "the delivery and its retry")
        first, second = reader.deliveries[:2]
        assert first.body == second.body and b"Tag 1 im Jobcenter" in second.body
        assert second.signed_with(SECRET) and not second.signed_with("falsch")
        assert second.headers["content-type"].startswith("application/atom+xml")
        assert f'<{topic}>; rel="self"' in second.headers["link"]
        assert {d.path for d in reader.deliveries} == {"/cb"}

        reader.wanted.add(("unsubscribe", topic))
        assert subscribe(base, topic, f"{reader.url}/cb", "unsubscribe").status_code == 202
        wait_for(
            lambda: "aggregator_websub_subscriptions 0.0" in httpx.get(f"{base}/metrics").text,
            20,
            "the unsubscription",
        )
        delivered = len(reader.deliveries)
        site.routes["/spree/rss.xml"] = Route(body=releases(3))
        wait_for(lambda: "Tag 2" in httpx.get(topic).text, 30, "the third item")
        assert len(reader.deliveries) == delivered


def test_json_feed_beside_every_atom_feed_and_the_feed_as_a_page(site, tmp_path, write_config):
    site.routes["/spree/rss.xml"] = Route(body=releases(3))
    site.routes["/gross/rss.xml"] = Route(body=big_feed(120))
    with service(write_config(config(site, "1h")), tmp_path / "json.db") as (base, _):
        wait_for(
            lambda: (
                "Meldung 119" in httpx.get(f"{base}/feeds/sources/gross.atom").text
                and "Tag 2 im" in httpx.get(f"{base}/feeds/sources/spree-neisse.atom").text
            ),
            30,
            "items",
        )
        atom = httpx.get(f"{base}/feeds/all.atom")
        json_link = f'type="application/feed+json" href="{base}/feeds/all.json"'
        assert f'<link rel="alternate" {json_link}/>' in atom.text
        answer = httpx.get(f"{base}/feeds/all.json")
        assert answer.headers["content-type"].startswith("application/feed+json")
        document = answer.json()
        jsonschema.validate(document, SCHEMA)
        assert document["hubs"] == [{"type": "WebSub", "url": f"{base}/websub"}]
        # the same entries as the Atom feed as feedparser reads it (it reads no JSON Feed)
        from_atom = feedparser.parse(atom.content)
        assert [i["title"] for i in document["items"]] == [e.title for e in from_atom.entries]
        assert [i["url"] for i in document["items"]] == [e.link for e in from_atom.entries]
        assert [i["id"] for i in document["items"]] == [e.id for e in from_atom.entries]
        # older pages: next_url walks the archive, as prev-archive does in Atom
        seen, url = [], f"{base}/feeds/all.json"
        while url:
            page = httpx.get(url).json()
            jsonschema.validate(page, SCHEMA)
            seen += [item["id"] for item in page["items"]]
            url = page.get("next_url")
        assert len(seen) == len(set(seen)) == 123

        archive = httpx.get(f"{base}/feeds/all/archive/0.atom")
        assert archive.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert atom.headers["cache-control"] == "public, max-age=300"

        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_page()
                problems = console_errors(page)
                response = page.goto(f"{base}/feeds/sources/spree-neisse.atom")
                assert response is not None
                assert response.headers["content-type"].startswith("text/html")
                expect(page.locator("h1")).to_have_text("Landkreis Spree-Neiße – Meldungen")
                expect(page.locator("ol.meldungen li")).to_have_count(3)
                expect(page.locator("code.feed-adresse")).to_have_text(
                    f"{base}/feeds/sources/spree-neisse.atom"
                )
                assert not problems, problems
            finally:
                browser.close()
        # a feed reader gets Atom, also one that sends a browser's Accept
        for accept in ("application/atom+xml, */*;q=0.1", "text/html,application/xml;q=0.9"):
            reader = httpx.get(
                f"{base}/feeds/sources/spree-neisse.atom", headers={"Accept": accept}
            )
            assert reader.headers["content-type"].startswith("application/atom+xml")


def test_opml_subscribes_each_item_once(site, tmp_path, write_config):
    site.routes["/spree/rss.xml"] = Route(body=releases(3))
    site.routes["/gross/rss.xml"] = Route(body=big_feed(5))
    with service(write_config(config(site, "1h")), tmp_path / "opml.db") as (base, _):
        wait_for(
            lambda: all(
                t in httpx.get(f"{base}/feeds/all.atom").text for t in ("Meldung 004", "Tag 2 im")
            ),
            30,
            "items",
        )
        total = len(feedparser.parse(httpx.get(f"{base}/feeds/all.atom").content).entries)
        variants = (
            ("", 1),
            ("?feeds=laender", 2),
            ("?feeds=jobcenter", 2),
            ("?feeds=kampagnen", 0),
        )
        for query, expected in variants:
            document = httpx.get(f"{base}/sources.opml{query}").text
            imported = listparser.parse(document)
            assert not imported.bozo, imported.bozo_exception
            urls = [feed.url for feed in imported.feeds]
            assert len(urls) == expected, urls
            # newsboat subscribes every outline that carries a URL, links too: none other
            outlines = etree.fromstring(document.encode()).iter("outline")
            carried = [o.get("xmlUrl") or o.get("url") for o in outlines]
            assert sorted(u for u in carried if u) == sorted(urls), query
            if not urls:
                continue  # this configuration has no campaign
            entries = [
                entry.id
                for url in urls
                for entry in feedparser.parse(httpx.get(url).content).entries
            ]
            assert len(entries) == len(set(entries)) == total  # each item exactly once
        nested = listparser.parse(httpx.get(f"{base}/sources.opml?feeds=jobcenter").text)
        folders = {tuple(folder) for feed in nested.feeds for folder in feed.categories}
        assert folders == {
            ("Kommunale Jobcenter", "Länder", "Brandenburg"),
            ("Kommunale Jobcenter", "Länder", "Saarland"),
        }
        assert httpx.get(f"{base}/sources.opml?feeds=alles").status_code == 400
