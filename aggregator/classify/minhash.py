"""The MinHash kernel of near-duplicate search. Pure.

A text becomes the set of its word 3-shingles over folded words (64-bit hashes); two sets
are compared by their Jaccard similarity. Comparing a new item with every stored one grows
with the square of the store, so candidates are found by MinHash locality-sensitive
hashing first: BANDS keys of ROWS min-hashes each; two sets of Jaccard similarity s share a
key with probability 1 - (1 - s**ROWS)**BANDS. The store keeps shingle sets packed
(little-endian 64-bit values, store.shingles), the form the grouping compares in numpy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from itertools import chain
from typing import Any

from aggregator.core.judging import Shingled
from aggregator.core.text import REMEMBERED_UP_TO, words

SHINGLE_WORDS = 3
MIN_SHINGLES = 8  # a title alone is too little to call two releases the same text


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")


# A shingle's hash mixes its words' hashes, one odd multiplier per position, then
# avalanches with MurmurHash3's 64-bit finish: every shingle of a text at once in numpy,
# and each word hashed once per process (press texts repeat their words), where hashing
# every shingle's text on its own was a fifth of the CPU of reading a feed. A weaker
# finish (one multiplication) gave minima that many unrelated texts shared: seven times
# the candidates to compare on the benchmark's farm.
_POSITION_MULTIPLIERS = (0xD6E8FEB86659FD93, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB)
_AVALANCHE = (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)
_WORD_HASHES: dict[str, int] = {}
WORDS_REMEMBERED = 50_000  # about 5 MB at most; forgotten all at once when full


def _word_hashes(folded: list[str]) -> list[int]:
    known = _WORD_HASHES
    if len(known) > WORDS_REMEMBERED:
        known.clear()
    hashes = []
    for word in folded:
        value = known.get(word)
        if value is None:
            value = _word_hash(word)
            if len(word) <= REMEMBERED_UP_TO:  # see core.text: a long word is not kept
                known[word] = value
        hashes.append(value)
    return hashes


def _mixed(hashes: Any) -> Any:
    """The 63-bit hash of every run of SHINGLE_WORDS word hashes (numpy uint64, which
    wraps modulo 2**64)."""
    import numpy as np

    count = len(hashes) - SHINGLE_WORDS + 1
    mixed = np.zeros(max(count, 0), dtype=np.uint64)
    for position, multiplier in enumerate(_POSITION_MULTIPLIERS[:SHINGLE_WORDS]):
        mixed += hashes[position : position + count] * np.uint64(multiplier)
    for multiplier in _AVALANCHE:
        mixed ^= mixed >> np.uint64(33)
        mixed *= np.uint64(multiplier)
    mixed ^= mixed >> np.uint64(33)
    return mixed >> np.uint64(1)


def shingles(text: str) -> frozenset[int]:
    """The text's set of word 3-shingles, as 63-bit hashes (to fit SQLite's INTEGER)."""
    return shingle_texts([text])[text].shingles


BANDS, ROWS = 20, 2
_SALTS = [  # odd multipliers: each a permutation of the 64-bit shingle hashes
    int.from_bytes(hashlib.blake2b(f"minhash {i}".encode(), digest_size=8).digest(), "big") | 1
    for i in range(BANDS * ROWS)
]
# A band's key mixes its rows' minima and its number: odd multipliers, then the
# xor-shift-multiply finish of splitmix64, so that keys spread over all 64 bits.
_ROW_MULTIPLIERS = [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9][:ROWS]
_BAND_MULTIPLIER, _FINISH = 0x27D4EB2F165667C5, 0x94D049BB133111EB


@cache
def _tables() -> tuple[Any, Any, Any]:
    # numpy is imported here, not with the module: the keys of new items are computed
    # in the parsing workers (see shingle_texts), so the main process seldom needs it
    import numpy as np

    salts = np.array(_SALTS, dtype=np.uint64)
    rows = np.array(_ROW_MULTIPLIERS, dtype=np.uint64)
    bands = np.arange(BANDS, dtype=np.uint64) * np.uint64(_BAND_MULTIPLIER)
    return salts, rows, bands


def band_keys(own: frozenset[int]) -> list[int]:
    """The LSH keys of a shingle set (63-bit, to fit SQLite's INTEGER); none if too short."""
    if len(own) < MIN_SHINGLES:
        return []
    import numpy as np

    return _keys(np.fromiter(own, dtype=np.uint64, count=len(own)), [0])[0]


def _keys(hashes: Any, starts: list[int]) -> list[list[int]]:
    """The band keys of each run of shingle hashes that begins at one of `starts` and
    ends at the next (a repeat changes no minimum).

    All in numpy's unsigned arithmetic, which wraps modulo 2**64: every permutation of
    every shingle at once, each run's minima, then every band's key at once.
    """
    import numpy as np

    salts, rows, bands = _tables()
    if len(starts) == 1:  # one run, perhaps a long text's: its minima in parts
        run = hashes[starts[0] :]
        parts = range(0, len(run), SHINGLES_AT_ONCE)
        mins = np.array(
            [(run[i : i + SHINGLES_AT_ONCE, None] * salts).min(axis=0) for i in parts]
        ).min(axis=0)[None, :]
    else:
        mins = np.minimum.reduceat(hashes[:, None] * salts, starts, axis=0)
    keys = (mins.reshape(len(starts), BANDS, ROWS) * rows).sum(axis=2, dtype=np.uint64) + bands
    keys ^= keys >> np.uint64(31)
    keys *= np.uint64(_FINISH)
    keys ^= keys >> np.uint64(29)
    found: list[list[int]] = (keys >> np.uint64(1)).tolist()
    return found


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# Characters shingled in one numpy pass: its permutation matrix (8 bytes per shingle and
# permutation) stays a few MB, within the processor's caches; a longer text is a batch of
# its own, its minima taken in parts of SHINGLES_AT_ONCE.
CHARACTERS_AT_ONCE = 50_000
SHINGLES_AT_ONCE = 10_000


def shingle_texts(texts: Iterable[str]) -> dict[str, Shingled]:
    """Shingles and band keys of each text, by the text: many texts at a time in numpy,
    as calls per text cost more than their arithmetic."""
    found: dict[str, Shingled] = {}
    batch: list[str] = []
    size = 0
    for text in dict.fromkeys(texts):
        if batch and size + len(text) > CHARACTERS_AT_ONCE:
            found |= _shingle_batch(batch)
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        found |= _shingle_batch(batch)
    return found


def _shingle_batch(texts: list[str]) -> dict[str, Shingled]:
    import numpy as np

    per_text = [_word_hashes(words(text)) for text in texts]
    joined = np.fromiter(chain.from_iterable(per_text), dtype=np.uint64)
    mixed = _mixed(joined)
    # runs that begin in one text and end in the next are no shingles of either
    keep = np.ones(len(mixed), dtype=bool)
    runs: list[tuple[int, int]] = []  # each text's shingles in the kept ones
    end = kept = 0
    for hashes in per_text:
        end += len(hashes)
        keep[max(end - SHINGLE_WORDS + 1, 0) : end] = False
        count = max(len(hashes) - SHINGLE_WORDS + 1, 0)
        runs.append((kept, kept + count))
        kept += count
    hashes = mixed[keep]
    listed = hashes.tolist()
    sets = [frozenset(listed[a:b]) for a, b in runs]
    # minima over every text's own run: the runs of texts with shingles tile the array
    shingled = [i for i, (a, b) in enumerate(runs) if b > a]
    keys = _keys(hashes, [runs[i][0] for i in shingled]) if shingled else []
    bands = {
        i: tuple(k) for i, k in zip(shingled, keys, strict=True) if len(sets[i]) >= MIN_SHINGLES
    }
    return {text: Shingled(sets[i], bands.get(i, ())) for i, text in enumerate(texts)}
