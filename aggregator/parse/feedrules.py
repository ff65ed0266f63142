"""How feedparser treats the values of a feed, copied where the fast reader reads one:
the encoding it decodes with, its repair of mojibake, how it resolves links and rewrites
HTML. A document outside what these rules cover is declined and left to feedparser."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Mapping
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from aggregator.parse.encodings import declared_encoding

# The URI schemes feedparser resolves links of inside markup (others it leaves): the
# registered ones and the common unofficial ones.
ACCEPTED_SCHEMES = frozenset(
    """
    file ftp gopher h323 hdl http https imap magnet mailto mms news nntp prospero rsync rtsp rtspu
    sftp shttp sip sips snews svn svn+ssh telnet wais aim callto cvs facetime feed git gtalk irc
    ircs irc6 itms msnim skype ssh smb ymsg
    """.split()
)
_XML_TYPES = ("application/xml", "application/xml-dtd", "application/xml-external-parsed-entity")
_TEXT_XML_TYPES = ("text/xml", "text/xml-external-parsed-entity")
_SINGLE_BYTE_OR_UTF8 = frozenset(
    "utf-8 utf8 us-ascii ascii iso-8859-1 latin-1 latin1 iso-8859-15 windows-1252 cp1252".split()
)
# Characters 128-159 as Windows-1252 means them: feedparser maps them so, and so do we.
_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(128, 160)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_UTF8_AS_LATIN1 = re.compile("[\xc2-\xf4][\x80-\xbf]")  # a UTF-8 sequence read as Latin-1
_C1_CONTROL = re.compile("[\x80-\x9f]")
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
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Element names feedparser reads into a field of an entry, in any namespace it knows:
# an element so named that is not handled below sends the document to feedparser.


class Declined(Exception):
    """Outside the subset: feedparser reads this document."""


def encoding_of(body: bytes, headers: Mapping[str, str]) -> str:
    """The encoding feedparser would decode with (RFC 3023), when it is a plain one."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    elif body[:2] in (b"\xfe\xff", b"\xff\xfe") or body[:4] in (b"\0\0\0<", b"<\0\0\0"):
        raise Declined("UTF-16 or UTF-32")
    xml_encoding = declared_encoding(body)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if content_type is None:
        raise Declined("no Content-Type")
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
        raise Declined(f"{media} is not an XML media type")
    if encoding.lower() not in _SINGLE_BYTE_OR_UTF8:
        raise Declined(f"encoding {encoding}")
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise Declined("does not decode as declared") from None
    return encoding


def repaired(value: str) -> str:
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


def resolved(base: str, uri: str) -> str:
    try:
        return urljoin(base, _URI_FIXER.sub(r"\1\3", uri))
    except ValueError:
        return ""


def safe_absolute(base: str, uri: str) -> str:
    """A link as feedparser leaves it in markup: absolute, or blank when its scheme is not
    one feedparser accepts."""
    absolute = resolved(base, uri)
    return absolute if absolute.strip().split(":", 1)[0] in ACCEPTED_SCHEMES else ""


def kept_as_is(quoted_uri: str) -> bool:
    """An absolute link of a scheme feedparser accepts: it leaves it as it is."""
    scheme = _SCHEME.match(html.unescape(quoted_uri.strip("\"'")).strip())
    return scheme is not None and scheme.group(1) in ACCEPTED_SCHEMES


def as_feedparser_leaves_it(value: str, base: str) -> str:
    """feedparser rewrites HTML: links in `<a href>` and `<img src>` resolved against the
    document's URL (those of schemes it does not accept left alone), attributes sorted by
    name. Where that makes a difference after sanitising, so do we."""
    if _SHORT_NON_VOID.search(value) or _ODD_DECLARATION.search(value):
        raise Declined("markup feedparser would rewrite")  # <p/>, <!x>
    if not _TWO_ATTRIBUTES.search(value) and all(
        kept_as_is(match.group(1)) for match in _URI_ATTRIBUTE.finditer(value)
    ):
        return value
    try:
        fragment = lxml.html.fragment_fromstring(value, create_parent="div")
    except (ValueError, etree.ParserError):
        raise Declined("markup lxml cannot read") from None
    for element in fragment.iter():
        if not isinstance(element.tag, str):
            continue
        name = _LINKED.get(element.tag)
        if name and (uri := element.get(name)) is not None:
            element.set(name, safe_absolute(base, uri.strip()) or uri)
        if len(element.attrib) > 1:
            attributes = sorted(element.attrib.items())
            element.attrib.clear()
            for key, attribute in attributes:
                element.set(key, attribute)
    return str(lxml.html.tostring(fragment, encoding="unicode"))[5:-6]
