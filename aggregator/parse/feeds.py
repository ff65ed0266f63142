"""A feed document (any RSS or Atom dialect) -> Entries, via feedparser (or, for the
well-formed common case, fastfeed's lxml reading of the same result).

feedparser gets the raw bytes and the response headers so that the charset of
the header, the XML declaration and a BOM are weighed as the specs say. Before
that, documents that declare entities are refused: they are the carrier of
entity-expansion bombs and external-entity (XXE) reads, and no real feed needs them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aggregator.core.model import Entry
from aggregator.errors import ParseError
from aggregator.parse import fastfeed
from aggregator.parse.dates import parse_date
from aggregator.parse.encodings import declared_encoding, flawed_utf8, header_charset

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)[\s>]", re.IGNORECASE)
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _forbidden_reference(match: re.Match[bytes]) -> bytes:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if 0xD800 <= code <= 0xDFFF:
        return b"&#xFFFD;"  # a lone surrogate: a character was lost here, and it shows
    allowed = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
    return match.group() if allowed or 0x10000 <= code <= 0x10FFFF else b""


def drop_forbidden_references(body: bytes) -> bytes:
    """References to characters XML forbids (`&#x1b;`, a lone surrogate `&#xD800;`) are
    dropped before parsing: one of them in one item made feedparser fail the document."""
    return _CHARACTER_REFERENCE.sub(_forbidden_reference, body) if b"&#" in body else body


_UTF8_NAMES = ("utf-8", "utf8")


def _utf8_repaired(body: bytes, headers: Mapping[str, str]) -> bytes:
    """A UTF-8 feed with a few broken sequences, its flaws made U+FFFD: otherwise
    feedparser reads the whole document as windows-1252, every umlaut mojibake."""
    names = [name for name in (header_charset(headers), declared_encoding(body)) if name]
    if any(name not in _UTF8_NAMES for name in names) or body[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return body  # another encoding declared: feedparser weighs it
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        text = flawed_utf8(body)
    return body if text is None else text.encode("utf-8")


def looks_like_feed(body: bytes) -> bool:
    """True when the first kilobytes hold an RSS, RDF or Atom root element."""
    return bool(_FEED_ROOT.search(body[:4096]))


def looks_like_html(body: bytes) -> bool:
    head = body[:2048].lower()
    return b"<html" in head or b"<!doctype html" in head


def _struct_to_datetime(value: time.struct_time | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _date(entry: Any, name: str) -> datetime | None:
    """The raw string read as Berlin when it has no zone; feedparser's UTC reading else.

    dict.get skips feedparser's deprecated fallback from `updated` to `published`.
    """
    raw = dict.get(entry, name)
    parsed = parse_date(raw) if isinstance(raw, str) else None
    return parsed or _struct_to_datetime(dict.get(entry, f"{name}_parsed"))


def _content(entry: Any) -> str | None:
    contents = entry.get("content") or []
    html_parts = [c.get("value", "") for c in contents if "html" in c.get("type", "")]
    text_parts = [c.get("value", "") for c in contents]
    chosen = html_parts or text_parts
    return "\n".join(chosen) if chosen else None


def _to_entry(raw: Any) -> Entry:
    guid = raw.get("id") or None
    summary = raw.get("summary") or None
    content = _content(raw)  # the same as the summary: dropped when normalised
    return Entry(
        title=raw.get("title", ""),
        link=raw.get("link") or None,
        guid=guid,
        guid_is_permalink=bool(raw.get("guidislink")),
        published=_date(raw, "published") or _date(raw, "created"),
        updated=_date(raw, "updated"),
        summary_html=summary,
        content_html=content,
    )


def parse_feed(body: bytes, headers: Mapping[str, str], url: str) -> tuple[list[Entry], str]:
    """Entries of a feed, and the feed's own link (the base for relative links)."""
    if not body.strip():
        raise ParseError("empty body")
    if _ENTITY_DECLARATION.search(body[:65536]):
        raise ParseError("refused: the document declares XML entities (possible entity bomb/XXE)")
    body = drop_forbidden_references(_utf8_repaired(body, headers))
    if fastfeed.enabled() and (read := fastfeed.read_well_formed(body, headers, url)):
        return read
    import feedparser  # imported when needed: fastfeed reads most feeds without it

    try:
        result = feedparser.parse(
            body,
            response_headers={k.lower(): v for k, v in headers.items()} | {"content-location": url},
            sanitize_html=False,
            resolve_relative_uris=True,
        )
    except (UnicodeError, ValueError) as exc:  # text feedparser's own parsers choke on
        raise ParseError(f"unreadable feed: {type(exc).__name__}: {exc}") from None
    if not result.get("version") and not result.entries:
        problem = result.get("bozo_exception")
        reason = f": {problem}" if problem else ""
        raise ParseError(f"not an RSS or Atom feed{reason}")
    link = result.feed.get("link") or url
    return [_to_entry(raw) for raw in result.entries], link
