"""Words of German text, folded so that spelling variants compare equal.

Folding lower-cases, transliterates umlauts and ß (ä→ae, ß→ss, as in URLs and
old systems) and drops accents. Tokens keep their place in the original text,
so that whoever matches on them can quote what they matched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+")
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})


class _CombiningMarks(dict[int, int | None]):
    """A str.translate table that drops combining marks, filled as characters are met,
    so that folding a long text stays in C after its first few characters."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_COMBINING = _CombiningMarks()


def fold(text: str) -> str:
    lowered = unicodedata.normalize("NFC", text).lower().translate(_TRANSLITERATION)
    return unicodedata.normalize("NFKD", lowered).translate(_DROP_COMBINING)


@dataclass(frozen=True, slots=True)
class Token:
    folded: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    return [Token(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def words(text: str) -> list[str]:
    """The folded words of `text`, as if folded as a whole: the hot path of near-duplicate
    search.

    Folded piece by piece between spaces, each piece once per process (press texts repeat
    their words): folding has no effect across a space (it composes, decomposes, reorders
    and lower-cases within runs that a space ends), and a space is never part of a word.
    """
    known = _PIECES
    if len(known) > PIECES_REMEMBERED:
        known.clear()
    found: list[str] = []
    for piece in text.split(" "):
        folded = known.get(piece)
        if folded is None:
            folded = tuple(_WORD.findall(fold(piece)))
            if len(piece) <= REMEMBERED_UP_TO:
                known[piece] = folded
        found.extend(folded)
    return found


_PIECES: dict[str, tuple[str, ...]] = {}
PIECES_REMEMBERED = 50_000  # about 10 MB at most; forgotten all at once when full
# longer pieces (a text without spaces, as hostile documents have) are folded every time:
# remembered, fifty thousand of them could hold gigabytes
REMEMBERED_UP_TO = 64


# Characters that XML 1.0 forbids (C0 controls but tab, newline and return; lone
# surrogates; U+FFFE and U+FFFF), and C1 controls, which no press text means to contain.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _c1_as_windows_1252(match: re.Match[str]) -> str:
    """Text pasted from Word often arrives with Windows-1252 punctuation read as C1
    controls (\\x93Stark\\x94, \\x96): give it back its quotes and dashes; drop the rest."""
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"  # a lone surrogate: a character was lost here, and it shows
    if "\x80" <= char <= "\x9f":
        try:
            return char.encode("latin-1").decode("cp1252")
        except UnicodeDecodeError:
            return ""
    return ""


def xml_safe(text: str) -> str:
    """`text` without the characters an XML 1.0 document cannot carry (a lone surrogate
    becomes U+FFFD)."""
    if _NOT_XML.search(text) is None:
        return text
    return _NOT_XML.sub(_c1_as_windows_1252, text)


def drop_not_xml(text: str) -> str:
    """`text` without what XML forbids, nothing put in its place (for links and ids)."""
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text
