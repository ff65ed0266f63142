"""The corpus of sample press releases the demo serves (aggregator/demo/corpus.yaml): as
items, as the sources' RSS feeds on a loopback site, and a sources.yaml reading them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time
from email.utils import format_datetime
from xml.sax.saxutils import escape

import yaml

from aggregator.config.schema import Source
from aggregator.core.model import Item
from aggregator.core.time import BERLIN
from aggregator.demo.sites import CORPUS_PATH
from aggregator.normalize.entries import fingerprint
from tests.paths import ROOT
from tests.siteserver import Route

NOT_CONFIG = ("kind", "style")  # kind has a default here; style is the demo's
CORPUS = yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))
SOURCES = {
    s["id"]: Source(
        kind=s.get("kind", "landkreis"), **{k: v for k, v in s.items() if k not in NOT_CONFIG}
    )
    for s in CORPUS["sources"]
}


def corpus_item(n: int, entry: dict) -> Item:
    hour, minute = map(int, entry.get("time", "10:00").split(":"))
    published = datetime.combine(entry["date"], time(hour, minute), tzinfo=BERLIN).astimezone(UTC)
    return Item(
        source_id=entry["source"],
        key=f"link:corpus.example/{n}",
        url=f"https://corpus.example/{n}",
        title=entry["title"],
        summary_html=entry["text"],
        summary_text=entry["text"],
        content_html="",
        published=published,
        date_is_guess=False,
        fingerprint=fingerprint(entry["title"], entry["text"]),
        fetched_from="corpus",
    )


ITEMS = [(corpus_item(n, entry), entry) for n, entry in enumerate(CORPUS["items"])]

CAMPAIGN = "aktionswoche-2019"


def rss(source_id: str, items: list[tuple[str, str, str, str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f'<guid isPermaLink="false">{escape(guid)}</guid><pubDate>{date}</pubDate>'
        f"<description>{escape(text)}</description></item>"
        for title, link, guid, date, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Presse {source_id}</title><link>https://{source_id}.example/</link>"
        f"<description>Pressemitteilungen</description>{entries}</channel></rss>"
    ).encode()


def serve_corpus(site) -> None:
    feeds: dict[str, list] = defaultdict(list)
    for item, entry in ITEMS:
        link = f"https://{item.source_id}.example/presse/{item.key.rsplit('/', 1)[-1]}.html"
        date = format_datetime(item.published)
        feeds[item.source_id].append((item.title, link, item.key, date, entry["text"]))
    # the same release again under a new GUID, over http: still one item
    title, link, _, date, text = feeds["spree-neisse"][0]
    feeds["spree-neisse"].append(
        (title, link.replace("https:", "http:"), "neu-veroeffentlicht", date, text)
    )
    for source_id, items in feeds.items():
        site.routes[f"/{source_id}/rss.xml"] = Route(body=rss(source_id, items))


def config_text(site, campaigns: str | None = None) -> str:
    bundled = (ROOT / "sources.yaml").read_text(encoding="utf-8")
    campaigns = campaigns or bundled[bundled.index("campaigns:") : bundled.index("\nsources:")]
    lines = ["version: 1", "defaults: {host_delay: 0s}", campaigns, "sources:"]
    for source in CORPUS["sources"]:
        aliases = f", aliases: {source['aliases']}" if source.get("aliases") else ""
        lines.append(
            f'  - {{id: {source["id"]}, name: "{source["name"]}", land: {source["land"]}, '
            f"kind: {source.get('kind', 'landkreis')}{aliases}, "
            f"feeds: ['{site.url(source['id'] + '/rss.xml')}']}}"
        )
    return "\n".join(lines) + "\n"
