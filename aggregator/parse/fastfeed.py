"""Well-formed RSS 2.0 and Atom 1.0 read with lxml: the common case, at less than a third
of feedparser's CPU (3.3 × less, measured over the test feeds).

feedparser stays the reference and the reader of everything else. This module reads
only a narrow subset, in which it knows the result equals feedparser's: the encoding
feedparser would choose, no DOCTYPE, xml:base only on the root and the entries, no
element it would read into a field we use unless it is one handled here, no repeated
field, no markup that feedparser would rewrite in a way we do not. Anything outside
returns None, and the caller asks feedparser. tests/parse/test_fastfeed.py holds both
to the same items on the fixtures and on generated feeds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from aggregator.core.model import Entry
from aggregator.parse.dates import parse_date
from aggregator.parse.feedrules import (
    HTML_TYPES,
    Declined,
    as_feedparser_leaves_it,
    encoding_of,
    repaired,
    resolved,
    safe_absolute,
)

FEEDPARSER_ONLY = "AGGREGATOR_FEEDPARSER_ONLY"  # set: every feed goes to feedparser

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_BASE_ATTRIBUTE = re.compile(rb"<[^>]*\sbase\s*=", re.I)
_LINK_REFERENCE = re.compile(r"&([A-Za-z0-9_]+);")
_CONTENT_TYPES = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}
_FIELD_NAMES = frozenset(
    """
    title link description summary content encoded guid id pubDate pubdate published updated created
    modified issued date source entry item fullitem body abstract subtitle tagline info
    """.split()
)
_INERT_RSS = frozenset({"category", "author", "comments", "enclosure"})
_INERT_ATOM = frozenset({"category", "author", "contributor", "rights"})
_INERT_DC = frozenset({"creator", "subject", "publisher", "rights", "language"})


def enabled() -> bool:
    return not os.environ.get(FEEDPARSER_ONLY)


def _text(element: etree._Element) -> str:
    """The text of a leaf element; markup inside it is feedparser's to serialise."""
    if len(element):
        raise Declined(f"markup inside <{etree.QName(element).localname}>")
    return (element.text or "").strip()


def _base(element: etree._Element, base: str) -> str:
    """The base after an element's xml:base, as feedparser reckons it."""
    declared = element.get(XML_BASE)
    return (safe_absolute(base, declared) if declared else "") or base


@dataclass
class _Fields:
    """One entry's fields as feedparser would store them."""

    base: str
    values: dict[str, str] = field(default_factory=dict)
    guid_is_link: bool = False
    linked: bool = False  # an RSS <link> was read

    def once(self, name: str, value: str) -> None:
        if name in self.values:
            raise Declined(f"<{name}> twice in one entry")
        self.values[name] = value

    def markup(self, name: str, raw: str, content_type: str) -> None:
        if content_type in HTML_TYPES:
            raw = as_feedparser_leaves_it(raw, self.base)
        self.once(name, repaired(raw))

    def guid(self, raw: str, is_permalink: bool) -> None:
        value = resolved(self.base, raw) if is_permalink and raw else raw
        self.once("id", repaired(value))
        self.guid_is_link = is_permalink and "link" not in self.values
        if is_permalink:
            self.values.setdefault("link", self.values["id"])

    def entry(self) -> Entry:
        get = self.values.get
        # feedparser copies the content to an absent summary, never over one (even empty)
        summary = (get("summary") if "summary" in self.values else get("content")) or None
        content = get("content") or None
        return Entry(
            title=get("title", ""),
            link=get("link") or None,
            guid=get("id") or None,
            guid_is_permalink=self.guid_is_link,
            published=_date(get("published")),
            updated=_date(get("updated")),
            summary_html=summary,
            content_html=content,
        )


def _date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    parsed = parse_date(raw)
    if parsed is None:  # a form only feedparser's date readers know
        raise Declined(f"date {raw!r}")
    return parsed


def _attribute(element: etree._Element, name: str) -> str | None:
    """An attribute by its name in any case: feedparser lowercases them."""
    for key, value in element.attrib.items():
        if str(key).lower() == name:
            return str(value)
    return None


def _inert(element: etree._Element, names: frozenset[str]) -> None:
    """An element feedparser keeps in no field we read; anything else declines."""
    name = etree.QName(element)
    if name.localname not in names:
        raise Declined(f"<{name.localname}>")
    for child in element.iterdescendants():  # feedparser reads a <title> at any depth
        if not isinstance(child.tag, str):
            continue
        child_name = etree.QName(child)
        if child_name.namespace not in (None, ATOM) or child_name.localname in _FIELD_NAMES:
            raise Declined(f"<{child_name.localname}> inside <{name.localname}>")


def _foreign(element: etree._Element) -> None:
    """An element of a namespace we do not handle: passes if feedparser would not read it
    into a field (it knows dc, media, itunes and others by their prefixes too)."""
    name = etree.QName(element)
    if name.localname in _FIELD_NAMES or len(element):
        raise Declined(f"<{element.prefix}:{name.localname}>")
    if name.namespace == DC:
        _inert(element, _INERT_DC)


def _rss_item(item: etree._Element, base: str) -> Entry:
    fields = _Fields(base)
    for child in item.iterchildren():
        if not isinstance(child.tag, str):
            if isinstance(child, etree._Comment | etree._ProcessingInstruction):
                continue
            raise Declined("an entity reference")
        name = etree.QName(child)
        handler = _RSS_FIELDS.get((name.namespace, name.localname))
        if handler is not None:
            handler(fields, child)
        elif name.namespace is None:
            _inert(child, _INERT_RSS)
        elif name.namespace == ATOM:
            raise Declined("Atom elements in an RSS item")
        else:
            _foreign(child)
    return fields.entry()


def _rss_link(fields: _Fields, element: etree._Element) -> None:
    if element.attrib:  # <link href="…"/>: feedparser reads it as an Atom link
        raise Declined("an RSS link with attributes")
    raw = _text(element)
    value = repaired(resolved(fields.base, raw) if raw else raw)
    value = _LINK_REFERENCE.sub(r"&\1", value.replace("&amp;", "&"))
    if fields.linked:
        raise Declined("<link> twice in one entry")
    fields.linked = True
    fields.values["link"] = value  # a link overrides the guid's stand-in


def _rss_guid(fields: _Fields, element: etree._Element) -> None:
    fields.guid(_text(element), (_attribute(element, "ispermalink") or "true") == "true")


_RSS_FIELDS: dict[tuple[str | None, str], Callable[[_Fields, etree._Element], None]] = {
    (None, "title"): lambda f, e: f.once("title", repaired(_text(e))),
    (None, "link"): _rss_link,
    (None, "guid"): _rss_guid,
    (None, "description"): lambda f, e: f.markup("summary", _text(e), "text/html"),
    (None, "pubDate"): lambda f, e: f.once("published", repaired(_text(e))),
    (CONTENT, "encoded"): lambda f, e: f.markup("content", _text(e), "text/html"),
    (DC, "date"): lambda f, e: f.once("updated", repaired(_text(e))),
}


def _atom_type(element: etree._Element) -> str:
    declared = (_attribute(element, "type") or "text").lower()
    content_type = _CONTENT_TYPES.get(declared, declared)
    if content_type not in ("text/plain", "text/html"):
        raise Declined(f"Atom text of type {declared}")
    if _attribute(element, "src") is not None:
        raise Declined("Atom content by reference")
    return content_type


def _atom_link(fields: _Fields, element: etree._Element) -> None:
    href = _attribute(element, "href")
    if href is None or len(element) or (element.text or "").strip():
        raise Declined("an Atom link without href")
    relation = (_attribute(element, "rel") or "alternate").lower()  # as feedparser reads it
    media = (_attribute(element, "type") or "text/html").lower()
    if relation == "alternate" and media in HTML_TYPES:
        fields.values["link"] = repaired(resolved(fields.base, href))


def _atom_title(fields: _Fields, element: etree._Element) -> None:
    text = _text(element)
    if _atom_type(element) == "text/html" and ("&" in text or "<" in text):
        raise Declined("an HTML title with markup or references")  # feedparser rewrites it
    fields.once("title", repaired(text))


def _atom_summary(fields: _Fields, element: etree._Element) -> None:
    fields.markup("summary", _text(element), _atom_type(element))


def _atom_content(fields: _Fields, element: etree._Element) -> None:
    fields.markup("content", _text(element), _atom_type(element))


_ATOM_FIELDS: dict[str, Callable[[_Fields, etree._Element], None]] = {
    "title": _atom_title,
    "link": _atom_link,
    "id": lambda f, e: f.guid(_text(e), True),
    "published": lambda f, e: f.once("published", repaired(_text(e))),
    "updated": lambda f, e: f.once("updated", repaired(_text(e))),
    "summary": _atom_summary,
    "content": _atom_content,
}


def _atom_entry(entry: etree._Element, base: str) -> Entry:
    fields = _Fields(base)
    for child in entry.iterchildren():
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child)
        if name.namespace == ATOM:
            handler = _ATOM_FIELDS.get(name.localname)
            if handler is not None:
                handler(fields, child)
            else:
                _inert(child, _INERT_ATOM)
        elif name.namespace is None:
            raise Declined(f"<{name.localname}> outside any namespace in Atom")
        else:
            _foreign(child)
    return fields.entry()


def _channel_link(channel: etree._Element, base: str) -> str | None:
    """The feed's own link, the last one feedparser would have kept."""
    link = None
    for child in channel.iterchildren():
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child)
        if name.localname != "link":
            continue
        if name.namespace is None:
            if child.attrib:
                raise Declined("an RSS link with attributes")
            raw = _text(child)
            link = _LINK_REFERENCE.sub(r"&\1", repaired(resolved(base, raw) if raw else raw))
        elif name.namespace == ATOM:
            href = _attribute(child, "href")
            relation = (_attribute(child, "rel") or "alternate").lower()
            media = (_attribute(child, "type") or "text/html").lower()
            if href is None:
                raise Declined("an Atom link without href")
            if relation == "alternate" and media in HTML_TYPES:
                link = repaired(resolved(base, href))
    return link


def _rss(root: etree._Element, base: str) -> tuple[list[Entry], str | None]:
    if root.get("version") not in ("2.0", "0.91", "0.92"):
        raise Declined(f"RSS version {root.get('version')}")
    channels = root.findall("channel")
    if len(channels) != 1 or root.find("item") is not None:
        raise Declined("not one channel holding the items")
    channel = channels[0]
    if channel.find(f"{{{ATOM}}}entry") is not None:
        raise Declined("Atom entries in RSS")
    return [_rss_item(item, base) for item in channel.iterchildren("item")], _channel_link(
        channel, base
    )


def _atom(root: etree._Element, base: str) -> tuple[list[Entry], str | None]:
    if any(etree.QName(child).localname == "item" for child in root.iterchildren("{*}item")):
        raise Declined("<item> in an Atom feed")  # feedparser reads it as an entry
    entries = [
        _atom_entry(entry, _base(entry, base)) for entry in root.iterchildren(f"{{{ATOM}}}entry")
    ]
    return entries, _channel_link(root, base)


def _read(body: bytes, headers: Mapping[str, str], url: str) -> tuple[list[Entry], str]:
    encoding = encoding_of(body, headers)
    if b"<!DOCTYPE" in body[:4096].upper():
        raise Declined("a DOCTYPE")
    if _BASE_ATTRIBUTE.search(body):
        raise Declined("a base attribute outside the xml namespace")
    parser = etree.XMLParser(
        encoding=encoding, resolve_entities=False, no_network=True, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        raise Declined("not well-formed") from None
    if b"xml:base" in body and len(root.xpath("//@xml:base")) != len(
        root.xpath("(/*|/*/*[local-name()='entry'])/@xml:base")
    ):
        raise Declined("xml:base below the entries")
    base = _base(root, url)
    if root.tag == "rss":
        entries, link = _rss(root, base)
    elif root.tag == f"{{{ATOM}}}feed":
        entries, link = _atom(root, base)
    else:
        raise Declined(f"root <{root.tag}>")
    return entries, link or url


def read_well_formed(
    body: bytes, headers: Mapping[str, str], url: str
) -> tuple[list[Entry], str] | None:
    """The entries and the feed's own link, as feedparser would read them; None when the
    document is outside the subset read here."""
    try:
        return _read(body, headers, url)
    except Declined:
        return None


def declined_because(body: bytes, headers: Mapping[str, str], url: str) -> str | None:
    """Why a document goes to feedparser (None: it does not), for tests and diagnosis."""
    try:
        _read(body, headers, url)
    except Declined as declined:
        return str(declined)
    return None
