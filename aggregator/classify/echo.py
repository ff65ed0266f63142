"""Which jobcenter releases a newspaper article takes up (its echo). Pure.

Papers report on a jobcenter's action day in three ways: they print the release (whole or
cut), they write their own report around sentences quoted from it, or they announce it in
a short notice. An article is linked to a release when, within the release's time
(a week before it to three weeks after), one of these holds:

- it **contains the release's text**: a share of the release's word 4-shingles, each
  weighted by how few releases carry it (the joint text many jobcenters publish counts
  little; what only this release says counts fully), reaches REPRINTED;
- it **names the jobcenter** and shares enough of what only this release says: its
  distinctive words (rare among the releases; twice as much in the release's headline)
  and sentences quoted from it reach SHARED — or NOTICE, for a short notice that takes up
  a distinctive word of the headline ("jenarbeit ... auf dem Holzmarkt").

Articles that merely mention a jobcenter (a budget debate, a new bus line) share too
little; articles about another year's Aktionswoche fall outside the window. An article that
names the campaign and links to no release is coverage of the campaign as a whole.
Every link carries its score and the evidence, in words an editor can check.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from aggregator.core.text import words

BEFORE = timedelta(days=7)  # an announcement of the release's event
AFTER = timedelta(days=21)  # a report days or weeks later
SHINGLE = 4  # words per shingle of the text comparison
REPRINTED = 0.3  # weighted share of the release's shingles found in the article
SHARED = 4.0  # weighted distinctive words (and quotes) shared, with the jobcenter named
NOTICE = 2.0  # as much, where one of them is a distinctive word of the release's headline
QUOTE_WEIGHT = 3.0  # a shingle of a quoted sentence found in the article
MIN_WORD = 4  # shorter words say nothing of which release it is
# Words of the campaign, the occasion and the institution: they tell that an article is
# about the campaign, not which release it echoes.
COMMON = frozenset(
    """
    aktionswoche aktionstag aktionstage kommunale kommunalen jobcenter jobcenters bundesweite
    bundesweiten stark sozial vor ort landkreis landkreises kreis kreises stadt woche rahmen
    pressemitteilung sagte sagt heute wurde wurden werden haben ihre ihren seine seinen einen einem
    einer eines diese dieser dieses ueber sowie auch nach beim noch mehr sind dass fuer unter
    zwischen
    """.split()
)
CAMPAIGN_WORDS = ("aktionswoche", "aktionstag", "kommunalen jobcenter", "stark sozial vor ort")


@dataclass(frozen=True)
class Release:
    """A jobcenter's release an article may echo."""

    source_id: str
    key: str
    title: str
    text: str
    published: datetime
    names: tuple[str, ...]  # how papers name the jobcenter (and its county)


@dataclass(frozen=True)
class Article:
    paper: str
    title: str
    text: str  # the teaser where the paper shows no more
    published: datetime
    teaser_only: bool = False  # the feed shows a teaser (a paywall): only it is compared


@dataclass(frozen=True)
class Echo:
    """An article's link to a release, how strong, and why."""

    source_id: str
    key: str
    score: float
    evidence: tuple[str, ...]


def _shingles(tokens: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def _content(tokens: Sequence[str], names: set[str]) -> set[str]:
    return {t for t in tokens if len(t) >= MIN_WORD and t not in COMMON and t not in names}


@dataclass(frozen=True)
class _Read:
    release: Release
    tokens: list[str]
    shingles: set[tuple[str, ...]]
    title_words: set[str]
    words: set[str]
    quoted: set[tuple[str, ...]]
    names: tuple[str, ...]
    name_tokens: set[str]


def _quoted(text: str) -> set[tuple[str, ...]]:
    """Shingles of what the release puts in quotation marks (what papers quote)."""
    found: set[tuple[str, ...]] = set()
    for opening, closing in (("„", "“"), ('"', '"'), ("»", "«")):
        parts = text.split(opening)
        for part in parts[1:]:
            found |= _shingles(words(part.split(closing, 1)[0]))
    return found


def _read(release: Release) -> _Read:
    tokens = words(f"{release.title} {release.text}")
    names = tuple(" ".join(words(name)) for name in release.names if words(name))
    name_tokens = {t for name in names for t in name.split()}
    return _Read(
        release,
        tokens,
        _shingles(tokens),
        _content(words(release.title), name_tokens),
        _content(tokens, name_tokens),
        _quoted(release.text),
        names,
        name_tokens,
    )


class EchoFinder:
    """Links articles to the releases they echo; built once for a set of releases, whose
    rarity of words and shingles weighs the evidence."""

    def __init__(self, releases: Sequence[Release]) -> None:
        self.read = [_read(release) for release in releases]
        self.shingle_df = Counter(s for r in self.read for s in r.shingles)
        self.word_df = Counter(w for r in self.read for w in r.words)
        self.count = max(1, len(self.read))

    def _idf(self, word: str) -> float:
        return math.log(1 + self.count / self.word_df[word]) / math.log(1 + self.count)

    def echoes(self, article: Article) -> list[Echo]:
        """The releases the article echoes, best first (ties: all kept)."""
        tokens = words(f"{article.title} {article.text}")
        part = "teaser only" if article.teaser_only else "text"
        compared = f"compared with the article's {part} ({len(tokens)} words)"
        joined = " ".join(tokens)
        shingles = _shingles(tokens)
        found = []
        for read in self.read:
            published = read.release.published
            if not published - BEFORE <= article.published <= published + AFTER:
                continue
            echo = self._judge(read, tokens, joined, shingles)
            if echo is not None:
                found.append(replace(echo, evidence=(*echo.evidence, compared)))
        if not found:
            return []
        best = max(e.score for e in found)
        return sorted((e for e in found if e.score >= best * 0.8), key=lambda e: -e.score)

    def _judge(
        self, read: _Read, tokens: list[str], joined: str, shingles: set[tuple[str, ...]]
    ) -> Echo | None:
        weights = {s: 1 / self.shingle_df[s] for s in read.shingles}
        total = sum(weights.values()) or 1.0
        contained = sum(w for s, w in weights.items() if s in shingles) / total
        evidence = []
        if contained >= REPRINTED:
            evidence.append(f"{contained:.0%} of the release's text (weighted) in the article")
        named = [name for name in read.names if _names(tokens, name.split())]
        article_words = _content(tokens, read.name_tokens)
        shared_words = sorted(read.words & article_words)
        shared = sum(self._idf(w) * (2 if w in read.title_words else 1) for w in shared_words)
        quotes = len(read.quoted & shingles)
        shared += QUOTE_WEIGHT * min(quotes, 3)
        headline = bool(read.title_words & article_words)
        if named and (shared >= SHARED or (headline and shared >= NOTICE)):
            evidence.append(f"names {named[0]!r}")
            if quotes:
                evidence.append(f"quotes the release ({quotes} phrases)")
            evidence.append("shares " + ", ".join(shared_words[:8]))
        if not evidence:
            return None
        score = round(min(1.0, contained) + min(1.0, shared / (3 * SHARED)) * bool(named), 3)
        release = read.release
        return Echo(release.source_id, release.key, score, tuple(evidence))


def _names(tokens: Sequence[str], name: Sequence[str]) -> bool:
    """Whether the words of a name stand in the text in a row, a genitive allowed
    ("des Jobcenters Uckermark")."""
    for start in range(len(tokens) - len(name) + 1):
        if all(tokens[start + i] in (part, part + "s", part + "es") for i, part in enumerate(name)):
            return True
    return False


def names_the_campaign(article: Article) -> bool:
    """Whether the article is about the campaign (coverage, if it echoes no release)."""
    joined = " " + " ".join(words(f"{article.title} {article.text}")) + " "
    return any(f" {phrase} " in joined for phrase in CAMPAIGN_WORDS)
