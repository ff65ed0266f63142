"""A press-release listing page -> Entries, by selectors, a preset or the heuristic.

The result says how the items were found, so that the fetch status can tell the
operator when the aggregator guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from aggregator.config.presets import PRESETS
from aggregator.config.schema import PageTarget
from aggregator.core.kinds import GUESSED, Confidence, FoundBy
from aggregator.core.model import Entry
from aggregator.parse.blocks import (
    Selectors,
    entry_from_block,
    page_memory,
    running_text,
    text_of,
    usable_links,
)
from aggregator.parse.heuristic import (
    Shape,
    describe,
    find_item_blocks,
)
from aggregator.parse.html import base_url, make_soup
from aggregator.parse.listings import SINGLE_RELEASE
from aggregator.parse.pager import find_next_link, post_pager
from aggregator.parse.structured import structured_entries
from aggregator.parse.teasers import find_teaser_blocks


@dataclass(frozen=True)
class Reading:
    """How to read a listing: selectors (None = the heuristic) and its listing-state params."""

    selectors: Selectors | None
    next: str | None
    listing_params: tuple[str, ...]
    method: str
    how: FoundBy = FoundBy.HEURISTIC


@dataclass(frozen=True)
class Listing:
    entries: list[Entry]
    next_url: str | None
    method: str
    base: str
    shape: Shape | None = None  # where the heuristic found the items, for the next page
    notes: tuple[str, ...] = ()
    confidence: Confidence | None = None  # of a fresh guess by the heuristic
    how: FoundBy = FoundBy.HEURISTIC

    @property
    def guessed(self) -> bool:
        return self.how in GUESSED


def reading_for(target: PageTarget) -> Reading:
    """Merge the target's own selectors over its preset's; neither means the heuristic."""
    preset = PRESETS.get(target.preset) if target.preset else None
    items = target.items or (preset.items if preset else None)
    if items is None:
        return Reading(None, target.next, (), "heuristic", FoundBy.HEURISTIC)
    selectors = Selectors(
        items=items,
        title=target.title or (preset.title if preset else None),
        link=target.link or (preset.link if preset else None),
        date=target.date or (preset.date if preset else None),
        summary=target.summary or (preset.summary if preset else None),
    )
    next_selector = target.next or (preset.next if preset else None)
    by_preset = preset is not None and not target.items
    method = f"preset {preset.name}" if preset and by_preset else "selectors"
    how = FoundBy.PRESET if by_preset else FoundBy.SELECTORS
    return Reading(selectors, next_selector, preset.listing_params if preset else (), method, how)


# Query parameters that page or filter a listing. Detail links of many CMS carry them
# along ("back to page 2"); with a number as value they never address content.
LISTING_STATE = frozenset(
    {
        "page",
        "seite",
        "skip",
        "offset",
        "start",
        "max",
        "limit",
        "pageno",
        "pagenr",
        "jahr",
        "monat",
        "year",
        "month",
        "wlistpage",
        "cp",
        "browse",
        "pointer",
        "tx_news_pi1[currentpage]",
        "tx_news_pi1[@widget_0][currentpage]",
        "publish[start]",
        "nn",  # Government Site Builder: the navigation node a document was reached from
    }
)
# Weblication numbers its paging parameter after the list: pageIda67aa4da=2
_LISTING_STATE_PATTERN = re.compile(r"^pageid[0-9a-f]{6,}$", re.IGNORECASE)
# Government Site Builder pages its result lists with gtp=<node>_list%3D<page>
_GSB_PAGER = re.compile(r"^\d+_list(=|%3D)\d+$", re.IGNORECASE)


def is_listing_state(name: str, value: str) -> bool:
    """A parameter that pages or filters a listing: with a number (or nothing) as value
    it never addresses content."""
    lowered = name.lower()
    if lowered == "gtp":
        return _GSB_PAGER.match(value) is not None
    known = lowered in LISTING_STATE or _LISTING_STATE_PATTERN.match(lowered) is not None
    return known and (value.isdigit() or not value)


def without_listing_state(url: str, names: tuple[str, ...] = ()) -> str:
    """`url` without listing state: the named parameters, and known paging ones with numbers."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in names and not is_listing_state(k, v)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]/,:")))


def _next_url(soup: BeautifulSoup, reading: Reading, base: str) -> str | None:
    if reading.next:
        element = soup.select_one(reading.next)
        href = element.get("href") if element is not None else None
    else:
        href = find_next_link(soup)
    return urljoin(base, str(href)) if href else None


def parse_listing(
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    target: PageTarget,
    shape: Shape | None = None,
    *,
    preset_fallback: bool = True,
    known_shape: Shape | None = None,
) -> Listing:
    """Read the items of one listing page (and the link to its next page).

    `shape` is what the heuristic found on the previous page of the same listing;
    `known_shape` what it found on this page at an earlier refresh, used when a fresh
    guess finds nothing (one item left is then enough). A preset that matches nothing
    falls back to the heuristic unless `preset_fallback` is off (trying presets out, as
    discovery does).
    """
    with page_memory():
        return _parse_listing(
            body,
            headers,
            url,
            target,
            shape,
            preset_fallback=preset_fallback,
            known_shape=known_shape,
        )


def _parse_listing(
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    target: PageTarget,
    shape: Shape | None,
    *,
    preset_fallback: bool,
    known_shape: Shape | None,
) -> Listing:
    soup = make_soup(body, headers)
    base = base_url(soup, url)
    reading = reading_for(target)
    structured, how = structured_entries(soup) if reading.selectors is None else ([], "")
    if structured:
        entries = [_absolute(entry, base, reading) for entry in structured]
        method = f"structured data ({how}): {len(entries)} items"
        next_url = _next_url(soup, reading, base)
        return Listing(entries, next_url, method, base, None, how=FoundBy.STRUCTURED)
    confidence = None
    found_by = reading.how
    if reading.selectors is None:
        host = urlsplit(base).hostname
        guess = (
            find_teaser_blocks(soup, host)
            if target.all_teasers and not shape
            else find_item_blocks(soup, shape)
        )
        blocks, shape = guess.blocks, guess.shape
        method = f"heuristic: {guess.describe()}"
        confidence = guess.confidence
        entries = _entries(blocks, reading, base)
        few = len(entries) < RECOGNISE_BELOW
        recognised = _recognised(soup, base, len(entries)) if few else None
        if recognised is not None:
            reading, entries = recognised
            method, shape, confidence = f"{reading.method} (recognised from its markup)", None, None
            found_by = FoundBy.RECOGNISED
        elif (
            not entries
            and known_shape is not None
            and (entries := _entries(find_item_blocks(soup, known_shape).blocks, reading, base))
        ):
            shape, confidence, found_by = known_shape, None, FoundBy.REMEMBERED
            method = (
                f"heuristic: {len(entries)} item(s) in {describe(known_shape)}, the shape "
                "this page had before"
            )
        elif not entries and looks_like_a_release(soup):
            method, found_by = f"heuristic: {SINGLE_RELEASE}", FoundBy.SINGLE_RELEASE
    else:
        blocks, method = soup.select(reading.selectors.items), reading.method
        entries = _entries(blocks, reading, base)
    notes: tuple[str, ...] = ()
    if not entries and target.preset and not target.items and preset_fallback:
        # A preset is a product's usual markup, which installations vary; one that
        # matches nothing here is no reason to read nothing.
        guess = find_item_blocks(soup, shape)
        reading, shape = reading_for(PageTarget(url=target.url)), guess.shape
        entries = _entries(guess.blocks, reading, base)
        method = f"heuristic: {guess.describe()} (preset {target.preset} matched nothing)"
        found_by = FoundBy.HEURISTIC
        notes = (
            f"{target.url}: preset {target.preset} matches nothing on this page; read without "
            "it. Check the preset in sources.yaml",
        )
    next_url = _next_url(soup, reading, base)
    if next_url is None and entries and post_pager(soup):
        notes += (
            f"{url}: its pages are reached by a POST form, which is not followed; "
            "older items on later pages are not read",
        )
    return Listing(entries, next_url, method, base, shape, notes, confidence, found_by)


RECOGNISE_BELOW = 3  # a heuristic that found this few may have missed a known product's list


def looks_like_a_release(soup: BeautifulSoup) -> bool:
    """A long running text marked as an article: a detail page, read as a listing by
    mistake."""
    shared = soup.find("meta", attrs={"property": "og:type"})
    article = (
        (shared is not None and str(shared.get("content") or "").lower() == "article")
        or soup.find("h1") is not None
        or soup.find(itemprop="articleBody") is not None
    )
    return article and running_text(soup.find_all("p")) >= RELEASE_TEXT


RELEASE_TEXT = 600  # characters in long paragraphs: a release, not a page of teasers


def _absolute(entry: Entry, base: str, reading: Reading) -> Entry:
    if not entry.link:
        return entry
    link = without_listing_state(urljoin(base, entry.link), reading.listing_params)
    return replace(entry, link=link)


REPEATED_IN = 0.5  # a title that at least this share of the rows (and 3) carry is no title


def _repeated(texts: Iterable[Iterable[str]], rows: int) -> frozenset[str]:
    """The texts at least REPEATED_IN of the rows (and 3) carry."""
    counts = Counter(text for row in texts for text in set(row) if text)
    return frozenset(text for text, n in counts.items() if n >= 3 and n >= REPEATED_IN * rows)


def _entries(blocks: list[Tag], reading: Reading, base: str) -> list[Entry]:
    """The blocks' entries. A link text that most rows carry ("Vorgang", "PDF", the link
    to each document's history) names no item: the row's own headline does, and the
    row's other link leads to it. A title that most rows got is read again the same way."""
    configured = reading.selectors is not None and reading.selectors.title is not None
    links = frozenset() if configured else _repeated(map(_link_texts, blocks), len(blocks))
    read = [(block, entry_from_block(block, reading.selectors, links)) for block in blocks]
    titles = Counter(entry.title for _, entry in read if entry is not None and entry.title)
    repeated = links | frozenset(
        title for title, count in titles.items() if count >= 3 and count >= REPEATED_IN * len(read)
    )
    entries = []
    for block, entry in read:
        if repeated and not configured and entry is not None and entry.title in repeated:
            entry = entry_from_block(block, reading.selectors, repeated)
        if entry is not None:
            entries.append(_absolute(entry, base, reading))
    return entries


def _link_texts(block: Tag) -> list[str]:
    return [text_of(link) for link in usable_links(block)]


def _recognised(soup: BeautifulSoup, base: str, guessed: int) -> tuple[Reading, list[Entry]] | None:
    """A preset whose product's markup is on the page, when it reads more items than the
    heuristic did; a preset that matches nothing is never chosen."""
    for preset in PRESETS.values():
        if preset.signature is None or soup.select_one(preset.signature) is None:
            continue
        reading = reading_for(PageTarget(url=base, preset=preset.name))
        assert reading.selectors is not None
        entries = [
            e
            for e in _entries(soup.select(reading.selectors.items), reading, base)
            if e.link and e.title
        ]
        if len(entries) > guessed:
            return reading, entries
    return None
