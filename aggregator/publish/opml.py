"""OPML 2.0 of our feeds, for import into feed readers. Pure.

A reader subscribes to every outline that carries a URL (newsboat takes `type="link"`
outlines too) and keeps one copy of an item per id, so a list with overlapping feeds
(everything, a campaign, a Land, a jobcenter) scattered each item over whichever feed
loaded first. Each list therefore holds feeds that do not overlap, and nothing else: the
default one the single feed of everything; `kampagnen` one feed per campaign (a campaign's
feed holds its phases); `laender` one feed per Land; `jobcenter` one per jobcenter, in a
folder per Land. Each item arrives once whichever list is imported.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Literal

from lxml import etree

from aggregator.config.schema import Config, Source
from aggregator.core.model import LAND_CODES
from aggregator.publish.feeds import feed_specs

Choice = Literal["empfohlen", "kampagnen", "laender", "jobcenter"]
CHOICES: tuple[Choice, ...] = ("empfohlen", "kampagnen", "laender", "jobcenter")


def _outline(parent: etree._Element, text: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, "outline", {"text": text, "title": text, **attributes})


def _feed(parent: etree._Element, text: str, url: str, html: str) -> None:
    _outline(parent, text, type="rss", xmlUrl=url, htmlUrl=html)


def _by_land(config: Config) -> list[tuple[str, list[Source]]]:
    return [
        (code, members)
        for code in LAND_CODES
        if (members := [s for s in config.sources if s.land == code])
    ]


def render_opml(
    config: Config, base_url: str, now: datetime, choice: Choice = "empfohlen"
) -> bytes:
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    titles = {
        "empfohlen": "ein Feed für alles",
        "kampagnen": "ein Feed je Kampagne",
        "laender": "ein Feed je Land",
        "jobcenter": "ein Feed je Jobcenter",
    }
    etree.SubElement(head, "title").text = f"Kommunale Jobcenter – {titles[choice]}"
    etree.SubElement(head, "dateCreated").text = format_datetime(now)
    body = etree.SubElement(root, "body")
    home = f"{base_url}/"
    specs = {spec.name: spec for spec in feed_specs(config)}
    folder = _outline(body, "Kommunale Jobcenter")
    if choice == "empfohlen":
        everything = specs["all"]
        _feed(folder, everything.title, f"{base_url}/feeds/{everything.path}", home)
    elif choice == "kampagnen":
        for campaign in sorted(config.declared_campaigns, key=lambda c: c.first_day, reverse=True):
            spec = specs[f"campaign:{campaign.id}"]
            _feed(folder, spec.title, f"{base_url}/feeds/{spec.path}", home)
    else:
        lands = _outline(folder, "Länder")
        for code, members in _by_land(config):
            spec = specs[f"land:{code}"]
            if choice == "laender":
                _feed(lands, spec.title, f"{base_url}/feeds/{spec.path}", home)
                continue
            land = _outline(lands, LAND_CODES[code])
            for source in members:
                source_url = f"{base_url}/feeds/sources/{source.id}.atom"
                _feed(land, source.name, source_url, source.homepage or home)
    document: bytes = etree.tostring(
        root, xml_declaration=True, encoding="utf-8", pretty_print=True
    )
    return document
