"""Find the press items of a listing page with no configuration at all.

Press listings are repeated blocks of one shape, each with a link and a date.
Blocks are grouped by their own tag and classes and by those of their parent
(so that one list split under several month headings is one group); the group
with the most blocks that carry both a link and a date wins. Menus, footers and
"Weitere Meldungen" link lists lose because their entries carry no dates;
navigation, asides and page headers are passed over entirely.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from bs4 import BeautifulSoup, Tag

from aggregator.parse.blocks import text_of, usable_links
from aggregator.parse.dates import find_date

_SKIPPED_TAGS = ("nav", "aside", "script", "style", "noscript", "template", "select", "button")
_PAGE_CHROME = ("header", "footer")  # skipped unless inside an item (cards have headers too)
_SKIPPED_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar"}
_SKIPPED_TOKEN = re.compile(
    r"^(main-?|sub-?|top-?|meta-?|service-?)?(nav|navi|navigation|menu|menue|breadcrumbs?|"
    r"brotkrumen|skip|skiplinks?)(-?(bar|main|links|container|wrapper|list))?$",
    re.IGNORECASE,
)
_STATE_CLASSES = {"odd", "even", "first", "last", "active", "current", "selected", "clearfix"}
_NEXT_TEXTS = {
    "weiter", "weiter »", "weiter ›", "nächste", "nächste seite", "nächste »", "»", "›", "vor",
    "next", "ältere meldungen", "ältere beiträge", "ältere einträge", "ältere nachrichten",
}  # fmt: skip
MIN_ITEMS = 2


def _signature(tag: Tag) -> str:
    """Tag and main class: CMS templates put the block's own class first, modifiers after
    ('article articletype-0 topnews'); numbered classes ('leading-0') say nothing."""
    classes = tag.get("class") or []
    kept = [c for c in classes if not re.search(r"\d", c) and c not in _STATE_CLASSES]
    return ".".join([tag.name, *kept[:1]])


def _tokens(tag: Tag) -> list[str]:
    return [*(tag.get("class") or []), str(tag.get("id") or "")]


def _is_skipped(tag: Tag) -> bool:
    if tag.name in _SKIPPED_TAGS or str(tag.get("role") or "") in _SKIPPED_ROLES:
        return True
    if tag.name in _PAGE_CHROME and tag.find_parent("article") is None:
        return True
    return any(_SKIPPED_TOKEN.match(token) for token in _tokens(tag) if token)


def _candidates(root: Tag, min_children: int) -> Iterator[tuple[Tag, Tag]]:
    """(parent, child) pairs outside skipped regions, for parents with enough children."""
    stack = [root]
    while stack:
        parent = stack.pop()
        children = [c for c in parent.children if isinstance(c, Tag) and not _is_skipped(c)]
        if len(children) >= min_children:
            for child in children:
                yield parent, child
        stack.extend(children)


def _is_item(block: Tag) -> bool:
    if not usable_links(block) and not (block.name == "a" and block.get("href")):
        return False
    return block.find("time") is not None or find_date(text_of(block)) is not None


def _innermost(blocks: list[Tag]) -> list[Tag]:
    """Drop blocks that contain other blocks of the group (wrappers of generic shape)."""
    ids = {id(block) for block in blocks}
    outer = {id(parent) for block in blocks for parent in block.parents if id(parent) in ids}
    return [block for block in blocks if id(block) not in outer]


Shape = tuple[str, str]  # (parent signature, block signature)


def find_item_blocks(
    soup: BeautifulSoup, shape: Shape | None = None
) -> tuple[list[Tag], Shape | None]:
    """The blocks that look like press items, and their shape.

    With the `shape` found on page 1, a later page (say, a last page with a single
    item) is read by that shape, where one block is enough.
    """
    root = soup.body or soup
    order = {id(tag): position for position, tag in enumerate(root.find_all(True))}
    groups: defaultdict[Shape, list[Tag]] = defaultdict(list)
    for parent, child in _candidates(root, 1 if shape else MIN_ITEMS):
        groups[(_signature(parent), _signature(child))].append(child)
    if shape is not None:
        return _innermost([m for m in groups.get(shape, []) if _is_item(m)]), shape
    best: list[Tag] = []
    best_key: tuple[int, float] = (0, 0.0)
    best_shape: Shape | None = None
    for group_shape, members in groups.items():
        items = _innermost([m for m in members if _is_item(m)])
        if len(items) < MIN_ITEMS:
            continue
        links_per_item = sum(len(usable_links(m)) for m in items) / len(items)
        key = (len(items), -links_per_item)
        if key > best_key:
            best, best_key, best_shape = items, key, group_shape
    best.sort(key=lambda block: order[id(block)])
    return best, best_shape


def describe(shape: Shape | None) -> str:
    return f"{shape[0]} > {shape[1]}" if shape else "nothing"


def find_next_link(soup: BeautifulSoup) -> str | None:
    """The href of a 'next page' link: rel=next, else a link labelled as one."""
    marked = soup.select_one("a[rel~=next][href], link[rel~=next][href]")
    if marked is not None:
        return str(marked["href"])
    for link in soup.find_all("a", href=True):
        text = text_of(link).lower()
        title = str(link.get("title") or "").lower()
        if text in _NEXT_TEXTS or "nächste seite" in title or "next page" in title:
            return str(link["href"])
    return None
