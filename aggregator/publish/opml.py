"""OPML 2.0 of our feeds, for import into feed readers. Pure.

A reader subscribes to every outline with an `xmlUrl`, so a list of all our feeds made
it subscribe to overlapping ones (everything, a campaign, a Land, a jobcenter) and show
an item up to four times. Each list therefore subscribes to feeds that do not overlap:
the default one to the single feed of everything, with the other feeds as links
(`type="link"`) in folders for campaigns, Länder and jobcenters, to pick from by hand;
`laender` subscribes to one feed per Land and `jobcenter` to one per jobcenter, in a
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

Choice = Literal["empfohlen", "laender", "jobcenter"]
CHOICES: tuple[Choice, ...] = ("empfohlen", "laender", "jobcenter")


def _outline(parent: etree._Element, text: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, "outline", {"text": text, "title": text, **attributes})


def _feed(parent: etree._Element, text: str, url: str, html: str, subscribe: bool) -> None:
    if subscribe:
        _outline(parent, text, type="rss", xmlUrl=url, htmlUrl=html)
    else:  # shown, not subscribed: a link to the feed
        _outline(parent, text, type="link", url=url)


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
    titles = {"empfohlen": "ein Feed für alles", "laender": "ein Feed je Land",
              "jobcenter": "ein Feed je Jobcenter"}  # fmt: skip
    etree.SubElement(head, "title").text = f"Kommunale Jobcenter – {titles[choice]}"
    etree.SubElement(head, "dateCreated").text = format_datetime(now)
    body = etree.SubElement(root, "body")
    home = f"{base_url}/"
    specs = {spec.name: spec for spec in feed_specs(config)}
    everything = specs["all"]
    folder = _outline(body, "Kommunale Jobcenter")
    if choice == "empfohlen":
        _feed(folder, everything.title, f"{base_url}/feeds/{everything.path}", home, True)
        campaigns = _outline(folder, "Kampagnen (zum Auswählen)")
        for campaign in sorted(config.campaigns, key=lambda c: c.first_day, reverse=True):
            spec = specs[f"campaign:{campaign.id}"]
            _feed(campaigns, spec.title, f"{base_url}/feeds/{spec.path}", home, False)
    lands = _outline(folder, "Länder" if choice != "empfohlen" else "Länder (zum Auswählen)")
    for code, members in _by_land(config):
        spec = specs[f"land:{code}"]
        url = f"{base_url}/feeds/{spec.path}"
        if choice == "laender":
            _feed(lands, spec.title, url, home, True)
            continue
        land = _outline(lands, LAND_CODES[code])
        if choice == "empfohlen":
            _feed(land, f"Alle aus {LAND_CODES[code]}", url, home, False)
        for source in members:
            source_url = f"{base_url}/feeds/sources/{source.id}.atom"
            _feed(land, source.name, source_url, source.homepage or home, choice == "jobcenter")
    document: bytes = etree.tostring(
        root, xml_declaration=True, encoding="utf-8", pretty_print=True
    )
    return document
