"""Does an item belong to a campaign, and why. Pure.

Phrases match on folded words (see text.py), across punctuation, quotes, dashes,
line breaks and hyphenation: "Stark. Sozial. Vor Ort", "Stark – Sozial – Vor Ort"
and "#StarkSozialVorOrt" are one phrase, as are "Aktionswoche" and "Aktions-
woche". A trailing `*` makes a stem ("Jobcenter*" also finds "Jobcentern").
An entry may list alternatives with `|`; `{alias}` stands for the source's
local brand names ("MainArbeit", "jenarbeit"). A match starts and ends on word
boundaries, so "Ort" never matches "Dortmund".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from aggregator.config.schema import Campaign, Source
from aggregator.core.model import Item
from aggregator.core.text import Token, tokens, words
from aggregator.normalize.entries import clean_text
from aggregator.parse.dates import BERLIN

MAX_WORDS_PER_PHRASE = 12
ALIAS = "{alias}"


@dataclass(frozen=True)
class Alternative:
    """One spelling of a phrase: its folded letters run together, and whether it is a stem."""

    text: str  # as written by the operator
    squashed: str
    stem: bool


def compile_entry(entry: str, aliases: Sequence[str] = ()) -> list[Alternative]:
    """'Jobcenter* | {alias}' -> the alternatives to look for."""
    alternatives = []
    for part in entry.split("|"):
        part = part.strip()
        texts = list(aliases) if part == ALIAS else [part]
        for text in texts:
            stem = text.endswith("*")
            squashed = "".join(words(text.rstrip("*")))
            if squashed:
                alternatives.append(Alternative(text, squashed, stem))
    return alternatives


def _find(alternative: Alternative, toks: list[Token]) -> tuple[int, int] | None:
    """Character span of the first occurrence, made of whole consecutive words."""
    target = alternative.squashed
    for i, first in enumerate(toks):
        if not target.startswith(first.folded[: len(target)]):
            continue
        joined = ""
        for j in range(i, min(i + MAX_WORDS_PER_PHRASE, len(toks))):
            joined += toks[j].folded
            if joined == target or (alternative.stem and joined.startswith(target)):
                return first.start, toks[j].end
            if len(joined) >= len(target) or not target.startswith(joined):
                break
    return None


@dataclass(frozen=True)
class Evidence:
    rule: str  # 'any', 'all' or 'none'
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

    @property
    def near_miss(self) -> bool:
        """Not matched, though part of the rules spoke for it."""
        return not self.matched and any(e.rule in ("any", "all") for e in self.evidence)


def _fields(item: Item, names: Sequence[str]) -> list[tuple[str, str]]:
    content = clean_text(item.content_html)
    values = {"title": item.title, "summary": item.summary_text, "content": content}
    return [(name, values[name]) for name in names if values.get(name)]


def _search(
    entry: str, rule: str, aliases: Sequence[str], fields: list[tuple[str, list[Token], str]]
) -> Evidence | None:
    for alternative in compile_entry(entry, aliases):
        for name, toks, text in fields:
            span = _find(alternative, toks)
            if span:
                return Evidence(rule, entry, name, text[span[0] : span[1]])
    return None


def window_bounds(campaign: Campaign) -> tuple[datetime, datetime]:
    """The window as aware datetimes: from its first day 00:00 to its last day's end, Berlin."""
    start = datetime.combine(campaign.window.start, time.min, tzinfo=BERLIN)
    end = datetime.combine(campaign.window.end + timedelta(days=1), time.min, tzinfo=BERLIN)
    return start, end


def in_window(campaign: Campaign, published: datetime) -> bool:
    day = published.astimezone(BERLIN).date()
    return campaign.window.start <= day <= campaign.window.end


def judge(item: Item, source: Source | None, campaign: Campaign) -> Verdict:
    """Whether `item` belongs to `campaign`, with the evidence either way."""
    rules = campaign.match
    aliases = source.aliases if source else ()
    fields = [(name, tokens(text), text) for name, text in _fields(item, rules.fields)]
    found_any = [e for e in (_search(p, "any", aliases, fields) for p in rules.any) if e]
    found_all = [(p, _search(p, "all", aliases, fields)) for p in rules.all]
    found_none = [e for e in (_search(p, "none", aliases, fields) for p in rules.none) if e]
    evidence = tuple(found_any[:1] + [e for _, e in found_all if e] + found_none)
    missing = [p for p, e in found_all if e is None]

    def verdict(matched: bool, reason: str) -> Verdict:
        return Verdict(campaign.id, matched, reason, evidence)

    if rules.sources and item.source_id not in rules.sources:
        return verdict(False, "source not part of this campaign")
    if rules.any and not found_any:
        return verdict(False, "none of the 'any' phrases occurs")
    if found_none:
        return verdict(False, f"excluded by {found_none[0]}")
    if missing:
        return verdict(False, f"'all' phrase missing: {missing[0]!r}")
    if not in_window(campaign, item.published):
        day = item.published.astimezone(BERLIN).date().isoformat()
        return verdict(False, f"published {day}, outside the window")
    return verdict(True, "; ".join(str(e) for e in evidence if e.rule != "none"))


def matching(item: Item, source: Source | None, campaigns: Sequence[Campaign]) -> list[Verdict]:
    """The campaigns `item` belongs to."""
    return [v for v in (judge(item, source, c) for c in campaigns) if v.matched]


def rules_digest(campaign: Campaign, aliases: dict[str, tuple[str, ...]]) -> str:
    """Changes whenever anything that decides membership changes, so that stored
    verdicts are re-evaluated after the operator tunes the rules."""
    data = {"campaign": campaign.model_dump(mode="json"), "aliases": aliases}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
