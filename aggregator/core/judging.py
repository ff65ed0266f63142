"""What the store is handed to decide with: the classifier's decisions as a port (`Judge`),
and the values they pass. The store finds rows and records choices inside its write
transaction; which version of an item is kept, which group it joins and how texts are
shingled are decided in classify, which hands its `Judge` to the store where the program
is put together (cli, service). Pure data and protocols."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aggregator.core.model import Item


@dataclass(frozen=True)
class Evidence:
    rule: str  # 'name', 'any', 'all' or 'none'
    phrase: str  # as the operator wrote it
    field: str
    quote: str  # the words of the item that matched

    def __str__(self) -> str:
        return f"{self.rule}: {self.phrase!r} matched {self.quote!r} in {self.field}"


@dataclass(frozen=True)
class Verdict:
    campaign_id: str
    matched: bool
    reason: str  # why it matched, or why it did not
    evidence: tuple[Evidence, ...] = ()
    dated_by: str = ""  # which date placed it: none needed, the text's, the publication's

    @property
    def near_miss(self) -> bool:
        """Not matched, though part of the rules spoke for it."""
        return not self.matched and any(e.rule in ("name", "any", "all") for e in self.evidence)


@dataclass(frozen=True, slots=True)
class Shingled:
    shingles: frozenset[int]
    bands: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored item that shares a band key with the one being grouped."""

    seq: int  # its arrival number: the store reads its key and group only if it is chosen
    source_id: str
    packed: bytes  # its shingles as stored: little-endian unsigned 64-bit numbers


@dataclass(frozen=True, slots=True)
class Nearest:
    """The candidate an item is a near-duplicate of, and how similar they are."""

    candidate: Candidate
    score: float


@dataclass(frozen=True, slots=True)
class Kept:
    """What is stored of an item, as far as a revision compares it."""

    title: str
    summary_html: str
    summary_text: str
    content_html: str  # '' when none
    fingerprint: str
    url: str | None
    fetched_from: str
    date_is_guess: bool
    published: datetime


@dataclass(frozen=True, slots=True)
class Revision:
    """What to store: the item's fields, its full text, and what changed."""

    item: Item
    content_html: str
    changed: bool  # title, teaser or full text differ: the item counts as updated
    better_date: bool  # a real date replaces a guessed one
    published: datetime


def group_id_for(source_id: str, key: str) -> str:
    """A group is named after the member it was founded on; the name never changes."""
    return "g-" + hashlib.sha1(f"{source_id}\n{key}".encode()).hexdigest()[:16]


class Judge(Protocol):
    """The classifier's decisions the store applies (classify.judge.CLASSIFIER)."""

    def comparable_text(self, title: str, summary_text: str, content_html: str | None) -> str:
        """What near-duplicates are compared on."""
        ...

    def shingle(self, texts: Iterable[str]) -> Mapping[str, Shingled]:
        """Shingles and band keys of each text, by the text."""
        ...

    def band_keys(self, shingles: frozenset[int]) -> Sequence[int]:
        """The MinHash band keys candidates are looked up by."""
        ...

    def nearest(
        self, source_id: str, own: frozenset[int], candidates: Iterable[Candidate]
    ) -> Nearest | None:
        """The candidate of another source an item is a near-duplicate of, if any: the
        item joins its group (or founds one named after it, group_id_for)."""
        ...

    def revise(self, kept: Kept, item: Item) -> Revision:
        """The stored version of an item updated by what was read now."""
        ...
