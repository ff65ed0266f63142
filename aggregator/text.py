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


def fold(word: str) -> str:
    lowered = word.lower().translate(_TRANSLITERATION)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Token:
    folded: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    return [Token(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def words(text: str) -> list[str]:
    return [fold(m.group()) for m in _WORD.finditer(text)]
