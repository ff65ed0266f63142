"""Does an item belong to a campaign or one of its phases, and why. Pure.

What the text says decides first. A text that *names* a campaign or a phase (its slogan,
"Kampagne der kommunalen Jobcenter", "Aktionswoche 2019") belongs to it whenever it was
published. A text with an *event* phrase only ("Aktionswoche der kommunalen Jobcenter")
belongs to the phase whose days it speaks of ("vom 26. bis 30. August 2019", "im Juni
2022"), or else to the phase in whose window (with its grace before and after) it was
published; a date that is only when the item was first seen never places it. A campaign
holds what names it and everything of its phases.

Phrases match on folded words (see core/text.py), across punctuation, quotes, dashes,
line breaks and hyphenation: "Stark. Sozial. Vor Ort", "Stark.Sozial.VorOrt" and
"#StarkSozialVorOrt" are one phrase, as are "Aktionswoche" and "Aktions-woche". A
trailing `*` makes a stem ("Jobcenter*" also finds "Jobcentern"); `...` stands for up to
four words of anything ("Kampagne* ... kommunalen Jobcenter" finds "Kampagne der
bundesweit 104 kommunalen Jobcenter"). An entry may list alternatives with `|`;
`{alias}` stands for the source's local brand names. A match starts and ends on word
boundaries, so "Ort" never matches "Dortmund".
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from aggregator.classify.textdates import Span, overlapping, spans
from aggregator.config.schema import Campaign, Source
from aggregator.core.judging import Evidence, Verdict
from aggregator.core.model import Item
from aggregator.core.text import Token, tokens, words
from aggregator.core.time import BERLIN
from aggregator.normalize.entries import clean_text

MAX_WORDS_PER_PHRASE = 12
ALIAS = "{alias}"
GAP = "..."
GAP_WORDS = 4


@dataclass(frozen=True)
class Part:
    """Consecutive words of a phrase: their folded letters run together."""

    squashed: str
    stem: bool


@dataclass(frozen=True)
class Alternative:
    """One spelling of a phrase: its parts, with up to GAP_WORDS words between two."""

    text: str  # as written by the operator
    parts: tuple[Part, ...]


def compile_entry(entry: str, aliases: Sequence[str] = ()) -> list[Alternative]:
    """'Jobcenter* | {alias}' -> the alternatives to look for."""
    return list(_compiled(entry, tuple(aliases)))


@functools.lru_cache(maxsize=4096)
def _compiled(entry: str, aliases: tuple[str, ...]) -> tuple[Alternative, ...]:
    """compile_entry, once per phrase and brand names: every item is read with them."""
    alternatives = []
    for written in entry.split("|"):
        written = written.strip()
        for text in list(aliases) if written == ALIAS else [written]:
            parts = []
            for piece in text.split(GAP):
                piece = piece.strip()
                squashed = "".join(words(piece.rstrip("*")))
                if squashed:
                    parts.append(Part(squashed, piece.endswith("*")))
            if parts:
                alternatives.append(Alternative(text, tuple(parts)))
    return tuple(alternatives)


def _part_at(part: Part, toks: list[Token], i: int) -> int | None:
    """The index of the last token of `part` when it starts at token i, else None."""
    target = part.squashed
    if not target.startswith(toks[i].folded[: len(target)]):
        return None
    joined = ""
    for j in range(i, min(i + MAX_WORDS_PER_PHRASE, len(toks))):
        joined += toks[j].folded
        if joined == target or (part.stem and joined.startswith(target)):
            return j
        if len(joined) >= len(target) or not target.startswith(joined):
            return None
    return None


def _rest_at(parts: tuple[Part, ...], toks: list[Token], first: int) -> int | None:
    """The last token of `parts` placed from token `first` on, the first part there and
    each next one at most GAP_WORDS words after the one before."""
    end = _part_at(parts[0], toks, first)
    if end is None or len(parts) == 1:
        return end
    for start in range(end + 1, min(end + 2 + GAP_WORDS, len(toks))):
        found = _rest_at(parts[1:], toks, start)
        if found is not None:
            return found
    return None


def _find(alternative: Alternative, toks: list[Token]) -> tuple[int, int] | None:
    """Character span of the first occurrence, made of whole words."""
    for i, first in enumerate(toks):
        end = _rest_at(alternative.parts, toks, i)
        if end is not None:
            return first.start, toks[end].end
    return None


@dataclass(frozen=True)
class Field:
    """One field of an item: its words folded, and all of them run together."""

    name: str
    text: str
    tokens: list[Token]
    squashed: str

    @classmethod
    def of(cls, name: str, text: str) -> Field:
        found = tokens(text)
        return cls(name, text, found, "".join(t.folded for t in found))


@dataclass
class Reading:
    """An item's fields as the rules read them: folded once, whatever the campaigns."""

    item: Item
    _fields: dict[str, Field] = field(default_factory=dict)
    _spans: list[Span] | None = None

    def fields(self, names: Sequence[str]) -> list[Field]:
        if not self._fields:
            content = clean_text(self.item.content_html)
            values = {
                "title": self.item.title,
                "summary": self.item.summary_text,
                "content": content,
            }
            self._fields = {name: Field.of(name, text) for name, text in values.items() if text}
        return [self._fields[name] for name in names if name in self._fields]

    def spans(self) -> list[Span]:
        """The days the item's own words speak of, title first."""
        if self._spans is None:
            texts = [each.text for each in self.fields(("title", "summary", "content"))]
            self._spans = [span for text in texts for span in spans(text)]
        return self._spans


def _search(entry: str, rule: str, aliases: Sequence[str], fields: list[Field]) -> Evidence | None:
    for alternative in compile_entry(entry, aliases):
        for each in fields:
            if not all(part.squashed in each.squashed for part in alternative.parts):
                continue  # cannot occur: one substring test instead of a walk of the words
            found = _find(alternative, each.tokens)
            if found:
                return Evidence(rule, entry, each.name, each.text[found[0] : found[1]])
    return None


def _days(campaign: Campaign) -> tuple[date, date] | None:
    if campaign.window is None:
        return None
    grace = campaign.grace
    return campaign.window.start - grace.before, campaign.window.end + grace.after


def _day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


def in_window(campaign: Campaign, published: datetime) -> bool:
    days = _days(campaign)
    return days is not None and days[0] <= _day(published) <= days[1]


def _text_span(campaign: Campaign, reading: Reading) -> Span | None:
    """A span of days the text names in the window (with grace; a whole month named must
    share a day with the window itself)."""
    if campaign.window is None:
        return None
    days = _days(campaign)
    assert days is not None
    exact = [s for s in reading.spans() if not s.whole_month]
    months = [s for s in reading.spans() if s.whole_month]
    return overlapping(exact, *days) or overlapping(
        months, campaign.window.start, campaign.window.end
    )


def _window_text(campaign: Campaign) -> str:
    window, grace = campaign.window, campaign.grace
    assert window is not None
    text = f"{window.start:%d.%m.%Y}–{window.end:%d.%m.%Y}"
    if grace.before or grace.after:
        text += f" (from {window.start - grace.before:%d.%m.} to {window.end + grace.after:%d.%m.})"
    return text


def judge(
    item: Item, source: Source | None, campaign: Campaign, reading: Reading | None = None
) -> Verdict:
    """Whether `item` belongs to `campaign` (or phase) by its own rules, with the
    evidence either way; membership through a phase is added by `judge_all`."""
    reading = reading or Reading(item)
    rules = campaign.match
    aliases = source.aliases if source else ()
    fields = reading.fields(rules.fields)
    if rules.sources and item.source_id not in rules.sources:
        return Verdict(campaign.id, False, "source not part of this campaign")
    named = next((e for p in campaign.names if (e := _search(p, "name", aliases, fields))), None)
    if named is not None and campaign.phase_of is None:
        return _by_name(item, campaign, named)  # a campaign's own name decides alone
    found = (_search(p, "name", aliases, fields) for p in campaign.campaign_names)
    of_campaign = next((e for e in found if e), None)
    if named is None and of_campaign is not None:  # a campaign text: which phase is its date's
        return _by_date(item, campaign, reading, (of_campaign,))
    found_any = (  # a phase's name stands for its event phrases: its 'all' and 'none' apply
        [named]
        if named is not None
        else [e for e in (_search(p, "any", aliases, fields) for p in rules.any) if e]
    )
    found_all = [(p, _search(p, "all", aliases, fields)) for p in rules.all]
    found_none = [e for e in (_search(p, "none", aliases, fields) for p in rules.none) if e]
    evidence = tuple(found_any[:1] + [e for _, e in found_all if e] + found_none)
    missing = [p for p, e in found_all if e is None]
    if not found_any and (rules.any or not rules.all):
        return Verdict(campaign.id, False, "none of the phrases occurs", evidence)
    if found_none:
        return Verdict(campaign.id, False, f"excluded by {found_none[0]}", evidence)
    if missing:
        return Verdict(campaign.id, False, f"'all' phrase missing: {missing[0]!r}", evidence)
    if named is not None:
        reason = f"{'; '.join(map(str, evidence))}; the text names the phase: any date counts"
        return Verdict(campaign.id, True, reason, evidence, "none needed: named")
    if campaign.window is None:
        reason = "a standing campaign takes only texts that name it; its phases take the rest"
        return Verdict(campaign.id, False, reason, evidence)
    return _by_date(item, campaign, reading, evidence)


def _by_date(
    item: Item, campaign: Campaign, reading: Reading, evidence: tuple[Evidence, ...]
) -> Verdict:
    """Event phrases only: the days the text names decide, else the publication date
    (never the time an undated item was first seen)."""
    said = "; ".join(str(e) for e in evidence)
    window = _window_text(campaign)
    span = _text_span(campaign, reading)
    if span is not None:
        how = f"the text names {span}" + (" (the item is undated)" if item.date_is_guess else "")
        return Verdict(campaign.id, True, f"{said}; {how}, within {window}", evidence, how)
    day = _day(item.published)
    if item.date_is_guess:
        reason = (
            f"{said}; undated (first seen {day:%d.%m.%Y}): held back until its detail "
            "page or its text tells when it was published"
        )
        return Verdict(campaign.id, False, reason, evidence)
    if in_window(campaign, item.published):
        how = f"published {day:%d.%m.%Y}"
        return Verdict(campaign.id, True, f"{said}; {how}, within {window}", evidence, how)
    return Verdict(campaign.id, False, f"published {day:%d.%m.%Y}, outside {window}", evidence)


def _by_name(item: Item, campaign: Campaign, named: Evidence) -> Verdict:
    """A text that names the campaign belongs to it, whatever its date, unless it was
    published before a standing campaign began."""
    since, day = campaign.since, _day(item.published)
    if since is not None and not item.date_is_guess and day < since - campaign.grace.before:
        reason = f"{named}, but published {day:%d.%m.%Y}, before the campaign began"
        return Verdict(campaign.id, False, reason, (named,))
    return Verdict(
        campaign.id,
        True,
        f"{named}; the text names it: any date counts",
        (named,),
        "none needed: named",
    )


def judge_all(item: Item, source: Source | None, campaigns: Sequence[Campaign]) -> list[Verdict]:
    """Every campaign's and phase's verdict on `item`; a campaign also holds what any of
    its phases holds."""
    reading = Reading(item)
    verdicts = {c.id: judge(item, source, c, reading) for c in campaigns}
    for campaign in campaigns:
        parent = verdicts.get(campaign.phase_of or "")
        own = verdicts[campaign.id]
        if parent is not None and own.matched and not parent.matched:
            reason = f"through its phase {campaign.id}: {own.reason}"
            verdicts[parent.campaign_id] = Verdict(
                parent.campaign_id, True, reason, own.evidence, own.dated_by
            )
    return [verdicts[c.id] for c in campaigns]


def matching(item: Item, source: Source | None, campaigns: Sequence[Campaign]) -> list[Verdict]:
    """The campaigns and phases `item` belongs to."""
    return [v for v in judge_all(item, source, campaigns) if v.matched]


def rules_digest(campaign: Campaign, aliases: dict[str, tuple[str, ...]]) -> str:
    """Changes whenever anything that decides membership changes, so that stored
    verdicts are re-evaluated after the operator tunes the rules."""
    data = {"campaign": campaign.model_dump(mode="json"), "aliases": aliases, "logic": 2}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
