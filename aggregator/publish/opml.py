"""OPML 2.0 of our own feeds and of every source, for import into feed readers. Pure."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime

from lxml import etree

from aggregator.config.schema import Config
from aggregator.core.model import LAND_CODES
from aggregator.publish.feeds import feed_specs


def render_opml(config: Config, base_url: str, now: datetime) -> bytes:
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = "Kommunale Jobcenter – Feeds"
    etree.SubElement(head, "dateCreated").text = format_datetime(now)
    body = etree.SubElement(root, "body")
    own = etree.SubElement(
        body, "outline", text="Feeds des Aggregators", title="Feeds des Aggregators"
    )
    for spec in feed_specs(config):
        if spec.name.startswith("source:"):
            continue
        url = f"{base_url}/feeds/{spec.path}"
        etree.SubElement(own, "outline", type="rss", text=spec.title, title=spec.title,
                         xmlUrl=url, htmlUrl=f"{base_url}/")  # fmt: skip
    sources = etree.SubElement(body, "outline", text="Jobcenter", title="Jobcenter")
    for code, land in LAND_CODES.items():
        members = [s for s in config.sources if s.land == code]
        if not members:
            continue
        group = etree.SubElement(sources, "outline", text=land, title=land)
        for source in members:
            attributes = {"type": "rss", "text": source.name, "title": source.name,
                          "xmlUrl": f"{base_url}/feeds/sources/{source.id}.atom"}  # fmt: skip
            if source.homepage:
                attributes["htmlUrl"] = source.homepage
            outline = etree.SubElement(group, "outline", attributes)
            for url in source.feeds:  # the jobcenter's own feeds, where it has any
                etree.SubElement(outline, "outline", type="rss", text=f"{source.name} (Original)",
                                 xmlUrl=url)  # fmt: skip
    document: bytes = etree.tostring(
        root, xml_declaration=True, encoding="utf-8", pretty_print=True
    )
    return document
