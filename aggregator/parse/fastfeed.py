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

import contextlib
import html
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from aggregator.core.model import Entry
from aggregator.parse.dates import parse_date
from aggregator.parse.encodings import declared_encoding

FEEDPARSER_ONLY = "AGGREGATOR_FEEDPARSER_ONLY"  # set: every feed goes to feedparser

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# The URI schemes feedparser resolves links of inside markup (others it leaves): the
# registered ones and the common unofficial ones.
ACCEPTED_SCHEMES = frozenset(
    {"file", "ftp", "gopher", "h323", "hdl", "http", "https", "imap", "magnet", "mailto",
     "mms", "news", "nntp", "prospero", "rsync", "rtsp", "rtspu", "sftp", "shttp", "sip",
     "sips", "snews", "svn", "svn+ssh", "telnet", "wais", "aim", "callto", "cvs",
     "facetime", "feed", "git", "gtalk", "irc", "ircs", "irc6", "itms", "msnim", "skype",
     "ssh", "smb", "ymsg"}
)  # fmt: skip
_XML_TYPES = ("application/xml", "application/xml-dtd", "application/xml-external-parsed-entity")
_TEXT_XML_TYPES = ("text/xml", "text/xml-external-parsed-entity")
_SINGLE_BYTE_OR_UTF8 = frozenset(
    {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1",
     "iso-8859-15", "windows-1252", "cp1252"}
)  # fmt: skip
# Characters 128-159 as Windows-1252 means them: feedparser maps them so, and so do we.
_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(128, 160)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_BASE_ATTRIBUTE = re.compile(rb"<[^>]*\sbase\s*=", re.I)
_UTF8_AS_LATIN1 = re.compile("[\xc2-\xf4][\x80-\xbf]")  # a UTF-8 sequence read as Latin-1
_C1_CONTROL = re.compile("[\x80-\x9f]")
_LINK_REFERENCE = re.compile(r"&([A-Za-z0-9_]+);")
_URI_ATTRIBUTE = re.compile(r"""\b(?:href|src)\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+)""", re.I)
_TWO_ATTRIBUTES = re.compile(r"""<\w+(?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?){2}""")
_VOID = (
    "area|base|basefont|br|col|command|embed|frame|hr|img|input|isindex|keygen|link|meta"
    "|param|source|track|wbr"
)
# a non-void element written self-closed, with attributes or without: <p/>, <div class="x"/>
_SHORT_NON_VOID = re.compile(rf"<(?!(?:{_VOID})[\s/])[A-Za-z][^<>]*?/>", re.I)
_ODD_DECLARATION = re.compile(r"<!(?!DOCTYPE|--|\[)", re.I)
_LINKED = {"a": "href", "img": "src"}  # the links that survive sanitising
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_URI_FIXER = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)(/*)(.*?)")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CONTENT_TYPES = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}
# Element names feedparser reads into a field of an entry, in any namespace it knows:
# an element so named that is not handled below sends the document to feedparser.
_FIELD_NAMES = frozenset(
    {"title", "link", "description", "summary", "content", "encoded", "guid", "id",
     "pubDate", "pubdate", "published", "updated", "created", "modified", "issued", "date",
     "source", "entry", "item", "fullitem", "body", "abstract", "subtitle", "tagline", "info"}
)  # fmt: skip
_INERT_RSS = frozenset({"category", "author", "comments", "enclosure"})
_INERT_ATOM = frozenset({"category", "author", "contributor", "rights"})
_INERT_DC = frozenset({"creator", "subject", "publisher", "rights", "language"})


class _Declined(Exception):
    """Outside the subset: feedparser reads this document."""


def enabled() -> bool:
    return not os.environ.get(FEEDPARSER_ONLY)


def _encoding(body: bytes, headers: Mapping[str, str]) -> str:
    """The encoding feedparser would decode with (RFC 3023), when it is a plain one."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    elif body[:2] in (b"\xfe\xff", b"\xff\xfe") or body[:4] in (b"\0\0\0<", b"<\0\0\0"):
        raise _Declined("UTF-16 or UTF-32")
    xml_encoding = declared_encoding(body)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if content_type is None:
        raise _Declined("no Content-Type")
    media, _, parameters = content_type.partition(";")
    media = media.strip()
    charset = ""
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    if media in _XML_TYPES or (media.startswith("application/") and media.endswith("+xml")):
        encoding = charset or xml_encoding or "utf-8"
    elif media in _TEXT_XML_TYPES or (media.startswith("text/") and media.endswith("+xml")):
        encoding = charset or "us-ascii"
    else:
        raise _Declined(f"{media} is not an XML media type")
    if encoding.lower() not in _SINGLE_BYTE_OR_UTF8:
        raise _Declined(f"encoding {encoding}")
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise _Declined("does not decode as declared") from None
    return encoding


def _repaired(value: str) -> str:
    """What feedparser does to every value: UTF-8 read as Latin-1 is read again, and
    characters 128-159 become what Windows-1252 means by them. Most values need neither
    (ASCII, or umlauts that are no UTF-8 sequence): they are returned without trying,
    as a UTF-8 reading needs a lead byte followed by a continuation byte."""
    if value.isascii():
        return value
    if _UTF8_AS_LATIN1.search(value):
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_CP1252) if _C1_CONTROL.search(value) else value


def _resolved(base: str, uri: str) -> str:
    try:
        return urljoin(base, _URI_FIXER.sub(r"\1\3", uri))
    except ValueError:
        return ""


def _text(element: etree._Element) -> str:
    """The text of a leaf element; markup inside it is feedparser's to serialise."""
    if len(element):
        raise _Declined(f"markup inside <{etree.QName(element).localname}>")
    return (element.text or "").strip()


def _safe_absolute(base: str, uri: str) -> str:
    """A link as feedparser leaves it in markup: absolute, or blank when its scheme is not
    one feedparser accepts."""
    resolved = _resolved(base, uri)
    return resolved if resolved.strip().split(":", 1)[0] in ACCEPTED_SCHEMES else ""


def _kept_as_is(quoted_uri: str) -> bool:
    """An absolute link of a scheme feedparser accepts: it leaves it as it is."""
    scheme = _SCHEME.match(html.unescape(quoted_uri.strip("\"'")).strip())
    return scheme is not None and scheme.group(1) in ACCEPTED_SCHEMES


def _as_feedparser_leaves_it(value: str, base: str) -> str:
    """feedparser rewrites HTML: links in `<a href>` and `<img src>` resolved against the
    document's URL (those of schemes it does not accept left alone), attributes sorted by
    name. Where that makes a difference after sanitising, so do we."""
    if _SHORT_NON_VOID.search(value) or _ODD_DECLARATION.search(value):
        raise _Declined("markup feedparser would rewrite")  # <p/>, <!x>
    if not _TWO_ATTRIBUTES.search(value) and all(
        _kept_as_is(match.group(1)) for match in _URI_ATTRIBUTE.finditer(value)
    ):
        return value
    try:
        fragment = lxml.html.fragment_fromstring(value, create_parent="div")
    except (ValueError, etree.ParserError):
        raise _Declined("markup lxml cannot read") from None
    for element in fragment.iter():
        if not isinstance(element.tag, str):
            continue
        name = _LINKED.get(element.tag)
        if name and (uri := element.get(name)) is not None:
            element.set(name, _safe_absolute(base, uri.strip()) or uri)
        if len(element.attrib) > 1:
            attributes = sorted(element.attrib.items())
            element.attrib.clear()
            for key, attribute in attributes:
                element.set(key, attribute)
    return str(lxml.html.tostring(fragment, encoding="unicode"))[5:-6]


def _base(element: etree._Element, base: str) -> str:
    """The base after an element's xml:base, as feedparser reckons it."""
    declared = element.get(XML_BASE)
    return (_safe_absolute(base, declared) if declared else "") or base


@dataclass
class _Fields:
    """One entry's fields as feedparser would store them."""

    base: str
    values: dict[str, str] = field(default_factory=dict)
    guid_is_link: bool = False
    linked: bool = False  # an RSS <link> was read

    def once(self, name: str, value: str) -> None:
        if name in self.values:
            raise _Declined(f"<{name}> twice in one entry")
        self.values[name] = value

    def markup(self, name: str, raw: str, content_type: str) -> None:
        if content_type in _HTML_TYPES:
            raw = _as_feedparser_leaves_it(raw, self.base)
        self.once(name, _repaired(raw))

    def guid(self, raw: str, is_permalink: bool) -> None:
        value = _resolved(self.base, raw) if is_permalink and raw else raw
        self.once("id", _repaired(value))
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
        raise _Declined(f"date {raw!r}")
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
        raise _Declined(f"<{name.localname}>")
    for child in element.iterdescendants():  # feedparser reads a <title> at any depth
        if not isinstance(child.tag, str):
            continue
        child_name = etree.QName(child)
        if child_name.namespace not in (None, ATOM) or child_name.localname in _FIELD_NAMES:
            raise _Declined(f"<{child_name.localname}> inside <{name.localname}>")


def _foreign(element: etree._Element) -> None:
    """An element of a namespace we do not handle: passes if feedparser would not read it
    into a field (it knows dc, media, itunes and others by their prefixes too)."""
    name = etree.QName(element)
    if name.localname in _FIELD_NAMES or len(element):
        raise _Declined(f"<{element.prefix}:{name.localname}>")
    if name.namespace == DC:
        _inert(element, _INERT_DC)


def _rss_item(item: etree._Element, base: str) -> Entry:
    fields = _Fields(base)
    for child in item.iterchildren():
        if not isinstance(child.tag, str):
            if isinstance(child, etree._Comment | etree._ProcessingInstruction):
                continue
            raise _Declined("an entity reference")
        name = etree.QName(child)
        handler = _RSS_FIELDS.get((name.namespace, name.localname))
        if handler is not None:
            handler(fields, child)
        elif name.namespace is None:
            _inert(child, _INERT_RSS)
        elif name.namespace == ATOM:
            raise _Declined("Atom elements in an RSS item")
        else:
            _foreign(child)
    return fields.entry()


def _rss_link(fields: _Fields, element: etree._Element) -> None:
    if element.attrib:  # <link href="…"/>: feedparser reads it as an Atom link
        raise _Declined("an RSS link with attributes")
    raw = _text(element)
    value = _repaired(_resolved(fields.base, raw) if raw else raw)
    value = _LINK_REFERENCE.sub(r"&\1", value.replace("&amp;", "&"))
    if fields.linked:
        raise _Declined("<link> twice in one entry")
    fields.linked = True
    fields.values["link"] = value  # a link overrides the guid's stand-in


def _rss_guid(fields: _Fields, element: etree._Element) -> None:
    fields.guid(_text(element), (_attribute(element, "ispermalink") or "true") == "true")


_RSS_FIELDS: dict[tuple[str | None, str], Callable[[_Fields, etree._Element], None]] = {
    (None, "title"): lambda f, e: f.once("title", _repaired(_text(e))),
    (None, "link"): _rss_link,
    (None, "guid"): _rss_guid,
    (None, "description"): lambda f, e: f.markup("summary", _text(e), "text/html"),
    (None, "pubDate"): lambda f, e: f.once("published", _repaired(_text(e))),
    (CONTENT, "encoded"): lambda f, e: f.markup("content", _text(e), "text/html"),
    (DC, "date"): lambda f, e: f.once("updated", _repaired(_text(e))),
}


def _atom_type(element: etree._Element) -> str:
    declared = (_attribute(element, "type") or "text").lower()
    content_type = _CONTENT_TYPES.get(declared, declared)
    if content_type not in ("text/plain", "text/html"):
        raise _Declined(f"Atom text of type {declared}")
    if _attribute(element, "src") is not None:
        raise _Declined("Atom content by reference")
    return content_type


def _atom_link(fields: _Fields, element: etree._Element) -> None:
    href = _attribute(element, "href")
    if href is None or len(element) or (element.text or "").strip():
        raise _Declined("an Atom link without href")
    relation = (_attribute(element, "rel") or "alternate").lower()  # as feedparser reads it
    media = (_attribute(element, "type") or "text/html").lower()
    if relation == "alternate" and media in _HTML_TYPES:
        fields.values["link"] = _repaired(_resolved(fields.base, href))


def _atom_title(fields: _Fields, element: etree._Element) -> None:
    text = _text(element)
    if _atom_type(element) == "text/html" and ("&" in text or "<" in text):
        raise _Declined("an HTML title with markup or references")  # feedparser rewrites it
    fields.once("title", _repaired(text))


def _atom_summary(fields: _Fields, element: etree._Element) -> None:
    fields.markup("summary", _text(element), _atom_type(element))


def _atom_content(fields: _Fields, element: etree._Element) -> None:
    fields.markup("content", _text(element), _atom_type(element))


_ATOM_FIELDS: dict[str, Callable[[_Fields, etree._Element], None]] = {
    "title": _atom_title,
    "link": _atom_link,
    "id": lambda f, e: f.guid(_text(e), True),
    "published": lambda f, e: f.once("published", _repaired(_text(e))),
    "updated": lambda f, e: f.once("updated", _repaired(_text(e))),
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
            raise _Declined(f"<{name.localname}> outside any namespace in Atom")
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
                raise _Declined("an RSS link with attributes")
            raw = _text(child)
            link = _LINK_REFERENCE.sub(r"&\1", _repaired(_resolved(base, raw) if raw else raw))
        elif name.namespace == ATOM:
            href = _attribute(child, "href")
            relation = (_attribute(child, "rel") or "alternate").lower()
            media = (_attribute(child, "type") or "text/html").lower()
            if href is None:
                raise _Declined("an Atom link without href")
            if relation == "alternate" and media in _HTML_TYPES:
                link = _repaired(_resolved(base, href))
    return link


def _rss(root: etree._Element, base: str) -> tuple[list[Entry], str | None]:
    if root.get("version") not in ("2.0", "0.91", "0.92"):
        raise _Declined(f"RSS version {root.get('version')}")
    channels = root.findall("channel")
    if len(channels) != 1 or root.find("item") is not None:
        raise _Declined("not one channel holding the items")
    channel = channels[0]
    if channel.find(f"{{{ATOM}}}entry") is not None:
        raise _Declined("Atom entries in RSS")
    return [_rss_item(item, base) for item in channel.iterchildren("item")], _channel_link(
        channel, base
    )


def _atom(root: etree._Element, base: str) -> tuple[list[Entry], str | None]:
    if any(etree.QName(child).localname == "item" for child in root.iterchildren("{*}item")):
        raise _Declined("<item> in an Atom feed")  # feedparser reads it as an entry
    entries = [
        _atom_entry(entry, _base(entry, base)) for entry in root.iterchildren(f"{{{ATOM}}}entry")
    ]
    return entries, _channel_link(root, base)


def _read(body: bytes, headers: Mapping[str, str], url: str) -> tuple[list[Entry], str]:
    encoding = _encoding(body, headers)
    if b"<!DOCTYPE" in body[:4096].upper():
        raise _Declined("a DOCTYPE")
    if _BASE_ATTRIBUTE.search(body):
        raise _Declined("a base attribute outside the xml namespace")
    parser = etree.XMLParser(
        encoding=encoding, resolve_entities=False, no_network=True, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        raise _Declined("not well-formed") from None
    if b"xml:base" in body and len(root.xpath("//@xml:base")) != len(
        root.xpath("(/*|/*/*[local-name()='entry'])/@xml:base")
    ):
        raise _Declined("xml:base below the entries")
    base = _base(root, url)
    if root.tag == "rss":
        entries, link = _rss(root, base)
    elif root.tag == f"{{{ATOM}}}feed":
        entries, link = _atom(root, base)
    else:
        raise _Declined(f"root <{root.tag}>")
    return entries, link or url


def read_well_formed(
    body: bytes, headers: Mapping[str, str], url: str
) -> tuple[list[Entry], str] | None:
    """The entries and the feed's own link, as feedparser would read them; None when the
    document is outside the subset read here."""
    try:
        return _read(body, headers, url)
    except _Declined:
        return None


def declined_because(body: bytes, headers: Mapping[str, str], url: str) -> str | None:
    """Why a document goes to feedparser (None: it does not), for tests and diagnosis."""
    try:
        _read(body, headers, url)
    except _Declined as declined:
        return str(declined)
    return None
