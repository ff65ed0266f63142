"""HTML bytes -> text -> soup, with the encoding weighed the way real sites need.

Order: a BOM; then valid UTF-8 wins over a header or meta tag that claims a
single-byte charset (the most common lie of old CMS servers); then the charset
of the Content-Type header if the bytes decode with it; then `<meta charset>` /
`http-equiv`; then windows-1252. ISO-8859-1 is read as windows-1252, as browsers
do, so that typographic quotes and dashes survive.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector

from aggregator.parse.encodings import flawed_utf8, header_charset

_SINGLE_BYTE_ALIASES = {"iso-8859-1", "latin-1", "latin1", "iso8859-1", "us-ascii", "ascii"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _usable(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in _SINGLE_BYTE_ALIASES:
        return "windows-1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decodes(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, headers: Mapping[str, str]) -> tuple[str, str]:
    """The text of an HTML document and the encoding it was read with."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace"), encoding
    declared: list[str | None] = [
        _usable(header_charset(headers)),
        _usable(EncodingDetector.find_declared_encoding(body, is_html=True)),
    ]
    utf8 = _decodes(body, "utf-8")
    if utf8 is not None and (not body.isascii() or "utf-8" in declared):
        return utf8, "utf-8"
    if utf8 is None and (flawed := flawed_utf8(body)) is not None:
        return flawed, "utf-8"
    for name in declared:
        if name and (decoded := _decodes(body, name)) is not None:
            return decoded, name
    return body.decode("windows-1252", errors="replace"), "windows-1252"


def make_soup(body: bytes, headers: Mapping[str, str]) -> BeautifulSoup:
    text, _ = decode_html(body, headers)
    return BeautifulSoup(text, "lxml")


def base_url(soup: BeautifulSoup, page_url: str) -> str:
    """The URL relative links resolve against: `<base href>` if present, else the page."""
    base = soup.find("base", href=True)
    return urljoin(page_url, str(base["href"])) if base else page_url
