"""Near-duplicates across sources: the same joint press text, published by several
jobcenters with their own name and a few local sentences. Pure.

Two items are near-duplicates when the Jaccard similarity of their shingle sets
(classify.minhash) reaches THRESHOLD. Their items are all kept (each jobcenter's
participation counts) and share a group id. The threshold is justified in
tests/classify/test_campaigns.py against the demo's corpus: joint releases score well
above it, unrelated releases on the same topic well below.
"""

from __future__ import annotations

from collections.abc import Iterable

from aggregator.classify.minhash import MIN_SHINGLES, shingle_texts
from aggregator.core.judging import Candidate, Nearest, Shingled
from aggregator.core.model import Item
from aggregator.normalize.entries import clean_text

THRESHOLD = 0.45


def comparable_text(title: str, summary_text: str, content_html: str | None) -> str:
    """What near-duplicates are compared on: title, teaser and full text."""
    return " ".join([title, summary_text, clean_text(content_html)])


def shingle_items(items: Iterable[Item]) -> dict[str, Shingled]:
    """Shingles and band keys of the items, by their comparable text: the CPU of grouping,
    done before the store's transaction (see pipeline.refresh)."""
    return shingle_texts(comparable_text(i.title, i.summary_text, i.content_html) for i in items)


def nearest(source_id: str, own: frozenset[int], candidates: Iterable[Candidate]) -> Nearest | None:
    """The most similar item of another source, if similar enough to share its group."""
    if len(own) < MIN_SHINGLES:
        return None
    others = [c for c in candidates if c.source_id != source_id and c.packed]
    best: tuple[float, Candidate] | None = None
    for candidate, (size, score) in zip(others, similarities(own, others), strict=True):
        if size >= MIN_SHINGLES and score >= THRESHOLD and (best is None or score > best[0]):
            best = (score, candidate)
    if best is None:
        return None
    score, match = best
    return Nearest(match, score)


def similarities(own: frozenset[int], candidates: list[Candidate]) -> list[tuple[int, float]]:
    """Each candidate's number of shingles and its Jaccard similarity to `own`, all at once
    in numpy from the stored bytes: a new item of a store of 200,000 has some fifty
    candidates, and decoding each into a set was most of the CPU of grouping it. The same
    values as `similarity` (packed shingles are distinct)."""
    if not candidates:
        return []
    import numpy as np

    stored = [np.frombuffer(c.packed, dtype="<u8") for c in candidates]
    sizes = np.array([len(values) for values in stored], dtype=np.int64)
    mine = np.fromiter(own, dtype=np.uint64, count=len(own))
    inside = np.isin(np.concatenate(stored).astype(np.uint64), mine).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    shared = np.add.reduceat(inside, starts)
    scores = shared / (len(own) + sizes - shared)
    return list(zip(sizes.tolist(), scores.tolist(), strict=True))
