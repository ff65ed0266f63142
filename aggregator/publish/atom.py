"""Stored items -> an Atom 1.0 document (RFC 4287), written with lxml.

Each entry carries an `atom:source` naming the jobcenter it came from, so a
reader of the combined feed always knows whose press release it is. Times are
written in Berlin local time with their offset.

Entries are serialised one by one and kept in a bounded cache keyed by everything
they show: after a refresh cycle, a feed of 10,000 entries re-renders only the
few that changed (building elements is what costs, about 0.1 ms an entry).
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from lxml import etree

from aggregator import __version__
from aggregator.config.schema import Campaign, Source
from aggregator.core.logs import event
from aggregator.core.lru import BoundedLRU
from aggregator.core.model import LAND_CODES, StoredItem
from aggregator.core.text import xml_safe
from aggregator.core.time import BERLIN
from aggregator.normalize.entries import atom_id

ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SOURCE_SCHEME = "urn:jobcenter-aggregator:source"
CAMPAIGN_SCHEME = "urn:jobcenter-aggregator:campaign"
LAND_SCHEME = "urn:jobcenter-aggregator:land"
UNTITLED = "(ohne Titel)"
GENERATOR_URI = "https://github.com/jobcenter-aggregator/jobcenter-aggregator"


def _q(name: str) -> str:
    return f"{{{ATOM_NS}}}{name}"


def _sub(
    parent: etree._Element, name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    """A child element; text and attributes lose what XML cannot carry, so an item
    stored before it was cleaned on the way in still renders."""
    values = {k: xml_safe(v) for k, v in attrs.items() if v}
    element = etree.SubElement(parent, _q(name), values)
    if text is not None:
        element.text = xml_safe(text)
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


def _add_source(entry: etree._Element, source: Source | None, source_id: str, updated: str) -> None:
    element = _sub(entry, "source")
    _sub(element, "id", source_id_uri(source_id))
    _sub(element, "title", source.name if source else source_id)
    _sub(element, "updated", updated)  # as far as this entry tells of its source
    if source and source.homepage:
        _sub(element, "link", rel="alternate", type="text/html", href=source.homepage)


# An entry by its item's identity and a hash of everything stored about it, and what it
# shows of its source and campaigns, so that a change to any of them (new text, a renamed
# source, a retitled campaign) makes a new entry rather than a stale one. The item itself
# is not kept: a warm cache would hold every item's text twice.
EntryKey = tuple[
    str, str, int, tuple[str, str | None, str, str | None] | None, tuple[str, ...], str | None
]


# Serialised entries by what they show; 20,000 entries of ~2 KB, at most 64 MB.
ENTRIES: BoundedLRU[EntryKey, bytes] = BoundedLRU(20_000, 64 * 2**20, len)
_OWN_NAMESPACE = f' xmlns="{ATOM_NS}"'.encode()  # declared once, by the feed element


def _entry_fragment(
    stored: StoredItem,
    source: Source | None,
    campaigns: Mapping[str, Campaign],
    group_link: str | None,
) -> bytes:
    """One `<entry>`, indented for its place in the feed, without a namespace
    declaration of its own (the feed element declares it)."""
    shown = (source.name, source.publisher, source.land, source.homepage) if source else None
    labels = tuple(c.title if (c := campaigns.get(i)) else i for i in stored.campaigns)
    item = stored.item
    key: EntryKey = (item.source_id, item.key, hash(stored), shown, labels, group_link)
    fragment = ENTRIES.get(key)
    if fragment is None:
        entry = _entry(stored, source, campaigns, group_link)
        etree.indent(entry, level=1)
        text = etree.tostring(entry, encoding="utf-8")
        fragment = b"  " + text.replace(_OWN_NAMESPACE, b"", 1) + b"\n"
        ENTRIES.put(key, fragment)
    return fragment


def _entry(
    stored: StoredItem,
    source: Source | None,
    campaigns: Mapping[str, Campaign],
    group_link: str | None,
) -> etree._Element:
    item = stored.item
    entry = etree.Element(_q("entry"), nsmap={None: ATOM_NS})
    _sub(entry, "id", atom_id(item.source_id, item.key))
    _sub(entry, "title", item.title.strip() or item.url or UNTITLED, type="text")
    if item.url:
        _sub(entry, "link", rel="alternate", type="text/html", href=item.url)
    for url in stored.related:  # the same joint release from other jobcenters (the first few)
        _sub(entry, "link", rel="related", type="text/html", href=url)
    if group_link:  # all of them, however many
        _sub(
            entry,
            "link",
            rel="related",
            type="application/atom+xml",
            href=group_link,
            title=f"Gleiche Meldung von {stored.group_size} Jobcentern",
        )
    updated = format_time(max(stored.updated, item.published))
    _sub(entry, "published", format_time(item.published))
    _sub(entry, "updated", updated)
    author = _sub(entry, "author")
    _sub(author, "name", _author(source, item.source_id))
    _sub(
        entry,
        "category",
        term=item.source_id,
        scheme=SOURCE_SCHEME,
        label=source.name if source else item.source_id,
    )
    if source:
        _sub(entry, "category", term=source.land, scheme=LAND_SCHEME, label=LAND_CODES[source.land])
    for campaign_id in stored.campaigns:
        campaign = campaigns.get(campaign_id)
        label = campaign.title if campaign else campaign_id
        _sub(entry, "category", term=campaign_id, scheme=CAMPAIGN_SCHEME, label=label)
    if item.summary_text.strip():  # a summary with no words in it is none
        if item.summary_html.strip():
            _sub(entry, "summary", item.summary_html, type="html")
        else:
            _sub(entry, "summary", item.summary_text, type="text")
    if item.content_html.strip():
        _sub(entry, "content", item.content_html, type="html")
    elif not item.url:  # RFC 4287 4.1.1: no alternate link, so the entry carries its text
        _sub(entry, "content", item.summary_text.strip() or item.title, type="text")
    _add_source(entry, source, item.source_id, updated)
    return entry


@dataclass(frozen=True)
class FeedHead:
    """What a feed document says of itself: RFC 4287's feed elements and RFC 5005's links."""

    name: str  # the feed's stable name, from which its id is made
    title: str
    subtitle: str
    self_url: str
    updated_if_empty: datetime  # 'updated' of a feed without entries
    links: tuple[tuple[str, str], ...] = ()  # (rel, href): prev-archive, current, ...
    archive: bool = False  # an archive document (fh:archive)
    home_url: str | None = None  # the page for people (alternate, text/html)
    json_url: str | None = None  # the same document as JSON Feed (alternate)
    stylesheet: str | None = None  # XSLT that a browser shows the feed with


@dataclass(frozen=True)
class EntryContext:
    """What entries are rendered with: the sources (atom:source), the campaigns (their
    categories), and the URL of a near-duplicate group's feed."""

    sources: Mapping[str, Source]
    campaigns: Mapping[str, Campaign] = field(default_factory=dict)
    group_url: Callable[[str], str] | None = None


def render_feed(
    items: Sequence[StoredItem],
    head: FeedHead,
    context: EntryContext,
    on_skipped: Callable[[StoredItem, Exception], None] | None = None,
) -> bytes:
    """The Atom document for `items`, already sorted as they should appear.

    An entry that cannot be rendered is left out and handed to `on_skipped` (default:
    logged once), so one bad item never fails a document.
    """
    archive, group_url = head.archive, context.group_url
    nsmap = {None: ATOM_NS, "fh": HISTORY_NS} if archive else {None: ATOM_NS}
    root = etree.Element(_q("feed"), nsmap=nsmap)
    root.set(XML_LANG, "de")
    _sub(root, "id", feed_id(head.name))
    _sub(root, "title", head.title, type="text")
    _sub(root, "subtitle", head.subtitle, type="text")
    newest = max((max(s.updated, s.item.published) for s in items), default=head.updated_if_empty)
    _sub(root, "updated", format_time(newest))
    _sub(root, "link", rel="self", type="application/atom+xml", href=head.self_url)
    if head.home_url:
        _sub(root, "link", rel="alternate", type="text/html", href=head.home_url)
    if head.json_url:
        _sub(root, "link", rel="alternate", type="application/feed+json", href=head.json_url)
    for rel, href in head.links:
        _sub(root, "link", rel=rel, href=href)
    if archive:
        etree.SubElement(root, f"{{{HISTORY_NS}}}archive")
    _sub(_sub(root, "author"), "name", "jobcenter-aggregator")
    _sub(root, "generator", "jobcenter-aggregator", uri=GENERATOR_URI, version=__version__)
    if head.stylesheet:
        instruction = etree.ProcessingInstruction(
            "xml-stylesheet", f'type="text/xsl" href="{xml_safe(head.stylesheet)}"'
        )
        root.addprevious(instruction)
    document = etree.tostring(
        root.getroottree(), xml_declaration=True, encoding="utf-8", pretty_print=True
    )
    start, end = document.rsplit(b"</feed>", 1)
    entries = []
    for stored in items:
        group = stored.group_id
        group_link = group_url(group) if group_url and group and stored.group_size > 1 else None
        try:
            source = context.sources.get(stored.item.source_id)
            entries.append(_entry_fragment(stored, source, context.campaigns, group_link))
        except Exception as exc:  # one bad item must not cost the whole document
            (on_skipped or log_skipped)(stored, exc)
    return b"".join([start, *entries, b"</feed>", end])


_REPORTED: OrderedDict[tuple[str, str], None] = OrderedDict()


def log_skipped(stored: StoredItem, exc: Exception) -> bool:
    """Log an entry left out of a feed, once per item (of the last few thousand);
    True when it was logged now."""
    identity = (stored.item.source_id, stored.item.key)
    if identity in _REPORTED:
        return False
    _REPORTED[identity] = None
    while len(_REPORTED) > 4096:
        _REPORTED.popitem(last=False)
    event(
        "entry left out of a feed",
        logging.ERROR,
        source=identity[0],
        key=identity[1],
        error=f"{type(exc).__name__}: {exc}",
    )
    return True
