"""Find the press items of a listing page with no configuration at all.

Press listings are repeated blocks of one shape, each with a link and a headline, and
mostly, not always, a date. Blocks are grouped by their own tag and structural class
and by those of their parent (so that one list split under several month headings is
one group). A class counts as structural when most siblings of the same tag carry it:
zebra rows (`tr.hg` / `tr`, `odd` / `even`, `row1` / `row2`) stay one group. Where an
item is a run of flat siblings (a title row, a row with the date, a spacer row; or
`<a>` + `<ul>` + `<hr>`), the repeating run is the block.

Each group is scored: blocks whose headline has a few words count, menus, pagers and
tag clouds (one or two words) do not, and neither do blocks that lead to social networks
or other sites; dates (outside the headline: "Sitzung am 14. August" is not when a
release was published), teasers and pictures and a place in the main content raise the
score. Navigation, asides and page chrome are passed over entirely.
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.core.kinds import Confidence
from aggregator.parse.blocks import (
    child_elements,
    has_usable_link,
    headline_text,
    holds,
    main_link,
    running_text,
    tags_in,
    text_of,
)
from aggregator.parse.dates import find_date
from aggregator.parse.labels import label_rank

_SKIPPED_TAGS = ("nav", "aside", "script", "style", "noscript", "template", "select", "button")
_PAGE_CHROME = ("header", "footer")  # skipped unless inside an item (cards have headers too)
_SKIPPED_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar"}
_SKIPPED_TOKEN = re.compile(
    r"^(main-?|sub-?|top-?|meta-?|service-?)?(nav|navi|navigation|menu|menue|breadcrumbs?|"
    r"brotkrumen|skip|skiplinks?|footer|fusszeile|sitemap|pagination|pager|paging|"
    r"blaetter\w*|tagcloud|tags|social\w*|share\w*)(-?(bar|main|links|container|wrapper|"
    r"list|box))?$",
    re.IGNORECASE,
)
_MAIN_TOKEN = re.compile(r"^(main|content|inhalt|haupt|center|primary|col-?main)", re.I)
_STATE_CLASSES = {"odd", "even", "first", "last", "active", "current", "selected", "clearfix"}
_SOCIAL = re.compile(
    r"(^|\.)(facebook|fb|instagram|twitter|x|youtube|youtu|flickr|linkedin|xing|tiktok|"
    r"whatsapp|t|pinterest|vimeo|mastodon|threads)\.(com|de|be|me|social)$",
    re.IGNORECASE,
)
HEADINGS = ("h1", "h2", "h3", "h4", "h5")
MIN_ITEMS = 2
MIN_UNDATED = 3  # an undated group must be a real list, not a pair of links
MIN_WORDS = 3  # headlines have a few words; menu entries and page numbers do not
MAX_RUN = 5  # rows or siblings one item may span
# What raises a group's score (score_group): each block counts once, twice if dated; teasers
# add up to TEASER_BONUS, a list in the main content MAIN_BONUS, one under a press heading
# PRESS_HEADING_BONUS. MAX_FACTOR, the most one block can add, follows from them.
DATED_BONUS = 1.0  # a dated block counts (1 + DATED_BONUS) times
TEASER_BONUS = 0.3
MAIN_BONUS = 1.25
PRESS_HEADING_BONUS = 2.0
MAX_FACTOR = (1 + DATED_BONUS) * (1 + TEASER_BONUS) * MAIN_BONUS * PRESS_HEADING_BONUS


def _kept_classes(tag: Tag) -> list[str]:
    return [
        c for c in tag.get("class") or [] if not re.search(r"\d", c) and c not in _STATE_CLASSES
    ]


def _signature(tag: Tag) -> str:
    """Tag and main class: CMS templates put the block's own class first, modifiers after
    ('article articletype-0 topnews'); numbered classes ('leading-0') say nothing."""
    return ".".join([tag.name, *_kept_classes(tag)[:1]])


def _sibling_signatures(children: list[Tag]) -> list[str]:
    """Each child's signature among its siblings: the first of its classes that most
    siblings of its tag carry, so that alternating classes do not split a list."""
    by_tag = Counter(child.name for child in children)
    counts: Counter[tuple[str, str]] = Counter()
    for child in children:
        counts.update((child.name, c) for c in set(_kept_classes(child)))
    signatures = []
    for child in children:
        common = [
            c for c in _kept_classes(child) if counts[(child.name, c)] * 5 >= by_tag[child.name] * 3
        ]
        signatures.append(".".join([child.name, *common[:1]]))
    return signatures


def tokens_of(tag: Tag) -> list[str]:
    return [*(tag.get("class") or []), str(tag.get("id") or "")]


def is_skipped(tag: Tag) -> bool:
    if tag.name in _SKIPPED_TAGS or str(tag.get("role") or "") in _SKIPPED_ROLES:
        return True
    if tag.name in _PAGE_CHROME and not any(p.name == "article" for p in tag.parents):
        return True
    return any(_SKIPPED_TOKEN.match(token) for token in tokens_of(tag) if token)


Shape = tuple[str, str]  # (parent signature, block signature); runs: "run:N:signature"


@dataclass
class _Features:
    """What one block looks like, for scoring its group."""

    words: int
    dated: bool
    elsewhere: bool  # its main link goes to a social network
    teaser: bool  # text beyond the headline, or a picture

    @property
    def good(self) -> bool:
        """A press item: a headline (of a few words, unless a date vouches for it) that
        stays on the site."""
        return not self.elsewhere and (self.words >= MIN_WORDS or (self.dated and self.words > 0))


def _elsewhere(link: Tag | None) -> bool:
    """The block's link goes to a social network (a post, a channel), not to a release."""
    if link is None:
        return True
    host = urlsplit(str(link["href"]).strip()).hostname or ""
    return bool(_SOCIAL.search(host))


def features(block: Tag) -> _Features:
    link = main_link(block)
    headline = headline_text(block, link)
    text = text_of(block)
    rest = text.replace(headline, " ", 1) if headline else text
    dated = holds(block, "time") or find_date(rest) is not None
    teaser = len(rest.strip()) >= 30 or holds(block, "img")
    return _Features(len(headline.split()), dated, _elsewhere(link), teaser)


def in_main(block: Tag) -> bool:
    for parent in block.parents:
        if parent.name == "main" or parent.get("role") == "main":
            return True
        if any(_MAIN_TOKEN.match(token) for token in tokens_of(parent) if token):
            return True
    return False


# Lists that point at other pages of a release's site: never the source's listing.
_RELATED = re.compile(
    r"weitere\s+(meldungen|pressemitteilungen|nachrichten|artikel|beiträge|informationen)|"
    r"verwandte|ähnliche|das könnte sie|mehr zum thema|siehe auch|related|empfehlungen",
    re.IGNORECASE,
)


def _nearby_headings(block: Tag) -> Iterator[tuple[Tag, list[Tag]]]:
    """The block's nearest ancestors, each with the headings that introduce it: its own
    child headings and a heading just before it."""
    for ancestor in list(block.parents)[:4]:
        headings = child_elements(ancestor, HEADINGS)
        previous = previous_element(ancestor)
        if previous is not None and previous.name in HEADINGS:
            headings.append(previous)
        yield ancestor, headings


def previous_element(tag: Tag) -> Tag | None:
    """The element just before this one among its siblings (find_previous_sibling())."""
    sibling = tag.previous_sibling
    while sibling is not None and not isinstance(sibling, Tag):
        sibling = sibling.previous_sibling
    return sibling


def _under_related_heading(block: Tag) -> bool:
    """The list stands under "Weitere Meldungen", "Mehr zum Thema" or a container named
    related: the other releases a detail page points at, not a listing."""
    return any(
        any(_RELATED.search(token) for token in tokens_of(ancestor) if token)
        or any(_RELATED.search(text_of(heading)) for heading in headings)
        for ancestor, headings in _nearby_headings(block)
    )


RUNNING_TEXT = 600  # characters of long paragraphs beside a list: it belongs to an article


def _inside_running_text(block: Tag) -> bool:
    """The list is part of an article's text (a release pointing at earlier ones), not a
    listing: long paragraphs stand beside it in the same container."""
    holder = block.parent.parent if block.parent is not None else None
    if not isinstance(holder, Tag):
        return False
    return running_text(child_elements(holder, ("p",))) >= RUNNING_TEXT


def under_press_heading(block: Tag) -> bool:
    """The list stands under a heading such as "Pressemitteilungen" or "Aktuelles"
    (a homepage's press ticker, next to photo series and social-media posts)."""
    return any(
        label_rank(text_of(heading)) is not None
        for _, headings in _nearby_headings(block)
        for heading in headings
    )


def score_group(blocks: list[Tag], homepage: bool = False) -> tuple[float, list[Tag], int]:
    """How much a group looks like the page's press items, its usable blocks and how
    many of those are dated. On a `homepage`, "Weitere Nachrichten" heads releases of
    the site itself, not a detail page's related ones."""
    measured = [(block, features(block)) for block in blocks]
    good = [(block, f) for block, f in measured if f.good]
    dated = sum(f.dated for _, f in good)
    if len(good) < MIN_ITEMS or (dated < MIN_ITEMS and len(good) < MIN_UNDATED):
        return 0.0, [], 0
    if (not homepage and _under_related_heading(good[0][0])) or _inside_running_text(good[0][0]):
        return 0.0, [], 0
    share = len(good) / len(measured)
    teasers = sum(f.teaser for _, f in good) / len(good)
    main = MAIN_BONUS if in_main(good[0][0]) else 1.0
    labelled = PRESS_HEADING_BONUS if under_press_heading(good[0][0]) else 1.0
    dated_share = DATED_BONUS * dated / len(good)
    score = len(good) * share * (1 + dated_share) * (1 + TEASER_BONUS * teasers) * main * labelled
    # Chosen, the group keeps its shorter headlines too ("Neues Adressbuch").
    kept = [(block, f) for block, f in measured if f.words and not f.elsewhere]
    return score, [block for block, _ in kept], sum(f.dated for _, f in kept)


def _children(parent: Tag) -> list[Tag]:
    return [c for c in parent.children if isinstance(c, Tag) and not is_skipped(c)]


def _candidates(root: Tag, min_children: int) -> Iterator[tuple[Tag, list[Tag]]]:
    """Parents outside skipped regions with enough children, and those children."""
    stack = [root]
    while stack:
        parent = stack.pop()
        children = _children(parent)
        if len(children) >= min_children:
            yield parent, children
        stack.extend(children)


def _has_link(tag: Tag) -> bool:
    return has_usable_link(tag) or (tag.name == "a" and bool(tag.get("href")))


def _kind(tag: Tag, signature: str) -> tuple[str, bool, bool]:
    text = text_of(tag)
    return signature, _has_link(tag) and bool(text), bool(text) and find_date(text) is not None


def _periodic(children: list[Tag], signatures: list[str]) -> bool:
    """Whether the siblings (by signature and whether they hold a link) repeat with a
    period of 2 to MAX_RUN: cheap, and false for the common lists of alike blocks, which
    then need no closer look."""
    rough = [
        (sig, child.name == "a" or holds(child, "a", "href"))
        for child, sig in zip(children, signatures, strict=True)
    ]
    if len(set(rough)) < 2:
        return False
    for period in range(2, MAX_RUN + 1):
        pairs = len(rough) - period
        if (
            pairs >= period
            and sum(rough[i] == rough[i + period] for i in range(pairs)) * 10 >= pairs * 8
        ):
            return True
    return False


def _runs(children: list[Tag], signatures: list[str]) -> tuple[int, list[list[Tag]]] | None:
    """Items made of several flat siblings: the shortest period in which the siblings'
    kinds repeat, cut into runs that start at the sibling carrying the headline link."""
    if not _periodic(children, signatures):
        return None
    kinds = [_kind(child, sig) for child, sig in zip(children, signatures, strict=True)]
    for period in range(2, MAX_RUN + 1):
        if len(kinds) < 2 * period:
            break
        for offset in range(period):
            window = kinds[offset:]
            pairs = len(window) - period
            if pairs < period:
                continue
            same = sum(window[i] == window[i + period] for i in range(pairs))
            unit = window[:period]
            if same * 10 < pairs * 9 or len(set(unit)) < 2:
                continue
            heads = [i for i, kind in enumerate(unit) if kind[1]]
            if len(heads) != 1:
                continue
            head = unit[_first_row(children[offset : offset + period], heads[0])]
            starts = [i for i, kind in enumerate(kinds) if kind == head]
            runs = [children[s : min(s + period, len(children))] for s in starts]
            return period, runs
    return None


def _first_row(unit: list[Tag], head: int) -> int:
    """Where an item of several siblings starts: at a table row whose data cell spans the
    rows below it (the date or number of a record, `rowspan`), else at the headline link."""
    for index, element in enumerate(unit):
        cells = element.find_all("td", recursive=False) if element.name == "tr" else []
        if any(str(cell.get("rowspan", "1")).strip() not in ("", "0", "1") for cell in cells):
            return index
    return head


def _wrap(soup: BeautifulSoup, run: list[Tag]) -> Tag:
    """A block for a run of siblings, read like any other block."""
    block = soup.new_tag("div")
    for element in run:
        block.append(copy.copy(element))
    return block


def _context(parent: Tag) -> str:
    """A parent by its own signature and its parent's: the lists of one page that share
    a plain `ul` are told apart by what holds them (a teaser box, a menu)."""
    grandparent = parent.parent
    if isinstance(grandparent, Tag) and grandparent.name not in ("[document]", "html"):
        return f"{_signature(grandparent)} > {_signature(parent)}"
    return _signature(parent)


def innermost(blocks: list[Tag]) -> list[Tag]:
    """Drop blocks that contain other blocks of the group (wrappers of generic shape)."""
    ids = {id(block) for block in blocks}
    outer = {id(parent) for block in blocks for parent in block.parents if id(parent) in ids}
    return [block for block in blocks if id(block) not in outer]


def groups_of(
    soup: BeautifulSoup, root: Tag, min_children: int
) -> tuple[dict[Shape, list[Tag]], dict[int, int]]:
    order: dict[int, int] = {}
    groups: defaultdict[Shape, list[Tag]] = defaultdict(list)
    for parent, children in _candidates(root, min_children):
        signatures = _sibling_signatures(children)
        parent_signature = _context(parent)
        for child, signature in zip(children, signatures, strict=True):
            groups[(parent_signature, signature)].append(child)
        found = _runs(children, signatures) if len(children) >= 4 else None
        if found:
            period, runs = found
            head = signatures[children.index(runs[0][0])]
            for run in runs:
                block = _wrap(soup, run)
                order[id(block)] = len(order)
                groups[(parent_signature, f"run:{period}:{head}")].append(block)
    return groups, order


@dataclass(frozen=True)
class Guess:
    """What the heuristic found, and how sure it is: "sure" (most items dated, no close
    rival), "likely" (undated, or few), "weak" (another list scored almost as high: an
    operator should pin selectors)."""

    blocks: list[Tag]
    shape: Shape | None
    confidence: Confidence = Confidence.LIKELY
    rival: Shape | None = None

    def describe(self) -> str:
        text = f"guessed {len(self.blocks)} items in {describe(self.shape)} ({self.confidence}"
        if self.confidence == Confidence.WEAK and self.rival:
            text += f": {describe(self.rival)} is almost as likely; pin selectors"
        return text + ")"


CLOSE = 1.5  # a rival within this factor of the best makes the guess weak


def find_item_blocks(
    soup: BeautifulSoup, shape: Shape | None = None, homepage: bool = False
) -> Guess:
    """The blocks that look like press items, their shape and how sure the guess is.

    With the `shape` found on page 1, a later page (say, a last page with a single
    item) is read by that shape, where one block is enough.
    """
    root = soup.body or soup
    groups, run_order = groups_of(soup, root, 1 if shape else MIN_ITEMS)
    position = {id(tag): n for n, tag in enumerate(tags_in(root))}
    if shape is not None:
        members = innermost(groups.get(shape, []))
        return Guess([m for m in members if _has_link(m) and headline_text(m)], shape)
    best: list[Tag] = []
    best_score, best_shape, dated = 0.0, None, 0
    rival_score, rival_shape = 0.0, None
    linked = [
        (sum(1 for m in members if _has_link(m)), shape, members)
        for shape, members in groups.items()
    ]
    for links, group_shape, members in sorted(linked, key=lambda g: -g[0]):
        if links < MIN_ITEMS or links * MAX_FACTOR * CLOSE <= best_score:
            break  # no smaller group can rival the best: each block adds at most MAX_FACTOR
        score, items, items_dated = score_group(innermost(members), homepage)
        if score > best_score:
            rival_score, rival_shape = best_score, best_shape
            best, best_score, best_shape, dated = items, score, group_shape, items_dated
        elif score > rival_score:
            rival_score, rival_shape = score, group_shape
    best.sort(key=lambda block: position.get(id(block), run_order.get(id(block), 0)))
    if not best:
        return Guess([], None)
    if rival_score * CLOSE >= best_score:
        confidence = Confidence.WEAK
    elif dated * 5 >= len(best) * 4 and len(best) >= MIN_UNDATED:
        confidence = Confidence.SURE
    else:
        confidence = Confidence.LIKELY
    return Guess(best, best_shape, confidence, rival_shape)


def describe(shape: Shape | None) -> str:
    return f"{shape[0]} > {shape[1]}" if shape else "nothing"
