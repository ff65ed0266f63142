"""Stored items -> an Atom 1.0 document (RFC 4287), written with lxml.

Each entry carries an `atom:source` naming the jobcenter it came from, so a
reader of the combined feed always knows whose press release it is. Times are
written in Berlin local time with their offset.

Entries are serialised one by one and kept in a bounded cache keyed by everything
they show: after a refresh cycle, a feed of 10,000 entries re-renders only the
few that changed (building elements is what costs, about 0.1 ms an entry).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache

from lxml import etree

from aggregator import __version__
from aggregator.model import LAND_CODES, Campaign, Source, StoredItem
from aggregator.normalize import atom_id
from aggregator.parse.dates import BERLIN

ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SOURCE_SCHEME = "urn:jobcenter-aggregator:source"
CAMPAIGN_SCHEME = "urn:jobcenter-aggregator:campaign"
LAND_SCHEME = "urn:jobcenter-aggregator:land"
GENERATOR_URI = "https://github.com/jobcenter-aggregator/jobcenter-aggregator"


def _q(name: str) -> str:
    return f"{{{ATOM_NS}}}{name}"


def _sub(
    parent: etree._Element, name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, _q(name), {k: v for k, v in attrs.items() if v})
    if text is not None:
        element.text = text
    return element


def format_time(value: datetime) -> str:
    """RFC 3339 in Berlin local time, e.g. 2019-08-28T00:00:00+02:00."""
    return value.astimezone(BERLIN).isoformat(timespec="seconds")


def feed_id(name: str) -> str:
    """A permanent id for one of our own feeds, e.g. 'all' or 'campaign:aktionswoche-2019'."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"jobcenter-aggregator:feed:{name}"))


@lru_cache(maxsize=4096)
def source_id_uri(source_id: str) -> str:
    return "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"jobcenter-aggregator:source:{source_id}")
    )


def _author(source: Source | None, fallback: str) -> str:
    if source is None:
        return fallback
    return source.publisher or source.name


def _add_source(entry: etree._Element, source: Source | None, source_id: str) -> None:
    element = _sub(entry, "source")
    _sub(element, "id", source_id_uri(source_id))
    _sub(element, "title", source.name if source else source_id)
    if source and source.homepage:
        _sub(element, "link", rel="alternate", type="text/html", href=source.homepage)


# An entry by its item's identity and a hash of everything stored about it, and what it
# shows of its source and campaigns, so that a change to any of them (new text, a renamed
# source, a retitled campaign) makes a new entry rather than a stale one. The item itself
# is not kept: a warm cache would hold every item's text twice.
EntryKey = tuple[str, str, int, tuple[str, str | None, str, str | None] | None, tuple[str, ...]]


class EntryCache:
    """Serialised entries by what they show, least recently used dropped first."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._entries: OrderedDict[EntryKey, bytes] = OrderedDict()
        self._lock = threading.Lock()  # feeds are rendered from worker threads too

    def get(self, key: EntryKey) -> bytes | None:
        with self._lock:
            fragment = self._entries.get(key)
            if fragment is not None:
                self._entries.move_to_end(key)
            return fragment

    def put(self, key: EntryKey, fragment: bytes) -> None:
        with self._lock:
            self._entries[key] = fragment
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ENTRIES = EntryCache()
_OWN_NAMESPACE = f' xmlns="{ATOM_NS}"'.encode()  # declared once, by the feed element


def _entry_fragment(
    stored: StoredItem, source: Source | None, campaigns: Mapping[str, Campaign]
) -> bytes:
    """One `<entry>`, indented for its place in the feed, without a namespace
    declaration of its own (the feed element declares it)."""
    shown = (source.name, source.publisher, source.land, source.homepage) if source else None
    labels = tuple(c.title if (c := campaigns.get(i)) else i for i in stored.campaigns)
    key: EntryKey = (stored.item.source_id, stored.item.key, hash(stored), shown, labels)
    fragment = ENTRIES.get(key)
    if fragment is None:
        entry = _entry(stored, source, campaigns)
        etree.indent(entry, level=1)
        text = etree.tostring(entry, encoding="utf-8")
        fragment = b"  " + text.replace(_OWN_NAMESPACE, b"", 1) + b"\n"
        ENTRIES.put(key, fragment)
    return fragment


def _entry(
    stored: StoredItem, source: Source | None, campaigns: Mapping[str, Campaign]
) -> etree._Element:
    item = stored.item
    entry = etree.Element(_q("entry"), nsmap={None: ATOM_NS})
    _sub(entry, "id", atom_id(item.source_id, item.key))
    _sub(entry, "title", item.title, type="text")
    if item.url:
        _sub(entry, "link", rel="alternate", type="text/html", href=item.url)
    for url in stored.related:  # the same joint release from other jobcenters
        _sub(entry, "link", rel="related", type="text/html", href=url)
    _sub(entry, "published", format_time(item.published))
    _sub(entry, "updated", format_time(max(stored.updated, item.published)))
    author = _sub(entry, "author")
    _sub(author, "name", _author(source, item.source_id))
    _sub(entry, "category", term=item.source_id, scheme=SOURCE_SCHEME,
         label=source.name if source else item.source_id)  # fmt: skip
    if source:
        _sub(entry, "category", term=source.land, scheme=LAND_SCHEME, label=LAND_CODES[source.land])
    for campaign_id in stored.campaigns:
        campaign = campaigns.get(campaign_id)
        label = campaign.title if campaign else campaign_id
        _sub(entry, "category", term=campaign_id, scheme=CAMPAIGN_SCHEME, label=label)
    if item.summary_html:
        _sub(entry, "summary", item.summary_html, type="html")
    elif item.summary_text:
        _sub(entry, "summary", item.summary_text, type="text")
    if item.content_html:
        _sub(entry, "content", item.content_html, type="html")
    _add_source(entry, source, item.source_id)
    return entry


def render_feed(
    items: Sequence[StoredItem],
    sources: Mapping[str, Source],
    *,
    name: str,
    title: str,
    subtitle: str,
    self_url: str,
    fallback_updated: datetime,
    links: Iterable[tuple[str, str]] = (),
    campaigns: Mapping[str, Campaign] | None = None,
    archive: bool = False,
) -> bytes:
    """The Atom document for `items`, already sorted as they should appear.

    `archive` marks an RFC 5005 archive document (`fh:archive`); `links` are extra
    (rel, href) pairs such as `prev-archive` and `current`.
    """
    nsmap = {None: ATOM_NS, "fh": HISTORY_NS} if archive else {None: ATOM_NS}
    root = etree.Element(_q("feed"), nsmap=nsmap)
    root.set(XML_LANG, "de")
    _sub(root, "id", feed_id(name))
    _sub(root, "title", title, type="text")
    _sub(root, "subtitle", subtitle, type="text")
    newest = max((max(s.updated, s.item.published) for s in items), default=fallback_updated)
    _sub(root, "updated", format_time(newest))
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    for rel, href in links:
        _sub(root, "link", rel=rel, href=href)
    if archive:
        etree.SubElement(root, f"{{{HISTORY_NS}}}archive")
    _sub(_sub(root, "author"), "name", "jobcenter-aggregator")
    _sub(root, "generator", "jobcenter-aggregator", uri=GENERATOR_URI, version=__version__)
    head = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    head, end = head.rsplit(b"</feed>", 1)
    entries = [
        _entry_fragment(stored, sources.get(stored.item.source_id), campaigns or {})
        for stored in items
    ]
    return b"".join([head, *entries, b"</feed>", end])
