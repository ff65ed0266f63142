"""Which encoding a document's bytes are in: the Content-Type's charset, and UTF-8 with
a few flaws told from a single-byte charset. Light: feeds are read without bs4."""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.message import Message

_DECLARED_ENCODING = re.compile(rb"^<\?.*encoding=['\"](.*?)['\"].*\?>")


def declared_encoding(body: bytes) -> str:
    """The encoding an XML declaration names (lower case; '' without one), read after a
    byte order mark and leading white space."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    declared = _DECLARED_ENCODING.match(body.lstrip())
    return declared.group(1).decode("ascii", "replace").lower() if declared else ""


def header_charset(headers: Mapping[str, str]) -> str | None:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return str(charset).strip().lower() if charset else None


# Well-formed UTF-8 sequences of two to four bytes (RFC 3629); and an encoded surrogate
# (a lone surrogate written out, CESU-8), which strict UTF-8 refuses.
_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_ENCODED_SURROGATE = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")
REPLACEMENT = "\ufffd".encode()


def flawed_utf8(body: bytes) -> str | None:
    """UTF-8 with a few broken sequences (an encoded lone surrogate, a cut character),
    each flaw read as U+FFFD; None when the bytes look like no UTF-8 at all. Read as
    windows-1252 instead, every umlaut of the document became mojibake ("Ã¤", "í €")."""
    valid = len(_MULTIBYTE.findall(body)) + len(_ENCODED_SURROGATE.findall(body))
    if not valid:
        return None  # no sign of UTF-8 (whatever is declared): a single-byte charset
    repaired = _ENCODED_SURROGATE.sub(REPLACEMENT, body)
    text = repaired.decode("utf-8", errors="replace")
    flaws = text.count("\ufffd") - body.count(REPLACEMENT)
    if flaws > 4 * valid:
        return None  # mostly broken: a single-byte charset with a lookalike or two
    return text
