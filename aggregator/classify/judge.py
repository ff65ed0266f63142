"""The classifier's decisions as the store is handed them (core.judging.Judge)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aggregator.classify import dedupe, minhash, revise
from aggregator.core.judging import Candidate, Kept, Nearest, Revision, Shingled
from aggregator.core.model import Item


class Classifier:
    """Near-duplicate grouping (dedupe, minhash) and revision of items seen again."""

    def comparable_text(self, title: str, summary_text: str, content_html: str | None) -> str:
        return dedupe.comparable_text(title, summary_text, content_html)

    def shingle(self, texts: Iterable[str]) -> Mapping[str, Shingled]:
        return minhash.shingle_texts(texts)

    def band_keys(self, shingles: frozenset[int]) -> Sequence[int]:
        return minhash.band_keys(shingles)

    def nearest(
        self, source_id: str, own: frozenset[int], candidates: Iterable[Candidate]
    ) -> Nearest | None:
        return dedupe.nearest(source_id, own, candidates)

    def revise(self, kept: Kept, item: Item) -> Revision:
        return revise.revise(kept, item)


CLASSIFIER = Classifier()
