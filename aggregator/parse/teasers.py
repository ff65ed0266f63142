"""A homepage read as the list of releases (discovery found no press section): every
block of press teasers in its main content (a lead story, a teaser grid, a list of further
releases), without photo series, events, social-media posts or lists to other sites."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.core.kinds import Confidence
from aggregator.parse.blocks import child_elements, first, main_link, tags_in, text_of
from aggregator.parse.heuristic import (
    HEADINGS,
    MIN_ITEMS,
    Guess,
    features,
    find_item_blocks,
    groups_of,
    in_main,
    innermost,
    is_skipped,
    previous_element,
    score_group,
    tokens_of,
    under_press_heading,
)
from aggregator.parse.labels import label_rank

# Headings over lists on a homepage that are not press teasers.
_NOT_TEASERS = re.compile(
    r"\b(fotos?|bilder|bildergalerie|galerie|fotoreihen?|videos?|mediathek|veranstaltungen|"
    r"termine|kalender|events?|social|facebook|instagram|twitter|stellen\w*|jobs|"
    r"ausschreibungen|wetter|service|links|downloads?|formulare)\b",
    re.IGNORECASE,
)
_TEASER_TAGS = ("article", "section", "div", "li")
OTHER_HEADING_REACH = 6  # ancestors: a photo list's heading sits in a box before its wrapper
# Containers named for what is not news: "fotocarousel", "galerie", "termine", "social".
_NOT_TEASERS_TOKEN = re.compile(
    r"^(foto|photo|bilder|galerie|gallery|video|mediathek|social|facebook|fb|event|termin|"
    r"kalender|veranstaltung)",
    re.IGNORECASE,
)


def _under_other_heading(block: Tag) -> bool:
    """The list stands under "Fotos", "Veranstaltungen", "Stellenangebote" (a heading of
    its own, just before it, or in the box just before it), or in a container named so:
    not news."""
    for ancestor in [block, *list(block.parents)[:OTHER_HEADING_REACH]]:
        if any(_NOT_TEASERS_TOKEN.match(token) for token in tokens_of(ancestor) if token):
            return True
        headings = child_elements(ancestor, HEADINGS)
        previous = previous_element(ancestor)
        if previous is not None:
            headings += (
                [previous]
                if previous.name in HEADINGS
                else [e for e in tags_in(previous) if e.name in HEADINGS][:1]
            )
        for heading in headings:
            if _NOT_TEASERS.search(text_of(heading)) and label_rank(text_of(heading)) is None:
                return True
    return False


def _stays_on(host: str | None, blocks: list[Tag]) -> bool:
    """Most blocks' links lead to the page's own site, not to other sites."""
    if host is None:
        return True
    hosts = [urlsplit(str(link["href"]).strip()).hostname for b in blocks if (link := main_link(b))]
    return sum(h in (None, host) for h in hosts) * 2 > len(hosts)


def _overlaps(block: Tag, chosen: set[int]) -> bool:
    return (
        id(block) in chosen
        or any(id(parent) in chosen for parent in block.parents)
        or any(id(inner) in chosen for inner in tags_in(block))
    )


def _single_teasers(root: Tag, chosen: set[int], host: str | None) -> list[Tag]:
    """Teasers standing alone in the main content (a lead story): a heading whose link
    stays on the site, with text or a picture beside it."""
    found = []
    for element in tags_in(root):
        if element.name not in _TEASER_TAGS or not in_main(element) or _overlaps(element, chosen):
            continue
        heading = next((e for e in tags_in(element) if e.name in HEADINGS), None)
        if (
            heading is None
            or first(heading, "a") is None
            or any(is_skipped(p) for p in element.parents)
        ):
            continue
        shape = features(element)
        if (
            shape.good
            and shape.teaser
            and _stays_on(host, [element])
            and not _under_other_heading(element)
        ):
            found.append(element)
            chosen.update(id(e) for e in (element, *tags_in(element)))
    return found


def find_teaser_blocks(soup: BeautifulSoup, host: str | None) -> Guess:
    """A homepage read as the list (no press section found): every group of press
    teasers in its main content or under a press heading (a teaser grid, a list of
    further releases), best first, and teasers standing alone (a lead story).
    Social-media posts, photo series, events and lists leading to other sites are
    passed over."""
    root = soup.body or soup
    groups, _ = groups_of(soup, root, MIN_ITEMS)
    scored = []
    for group_shape, members in groups.items():
        if group_shape[1].startswith("run:"):
            continue  # copies of flat siblings: no place in the page to tell
        score, items, _ = score_group(innermost(members), homepage=True)
        items = [b for b in items if not _under_other_heading(b)]
        placed = all(in_main(b) for b in items) or (items and under_press_heading(items[0]))
        if score > 0 and len(items) >= MIN_ITEMS and placed and _stays_on(host, items):
            scored.append((score, group_shape, items))
    if not scored:
        return find_item_blocks(soup, homepage=True)
    scored.sort(key=lambda found: -found[0])
    chosen: set[int] = set()
    blocks: list[Tag] = []
    for _, _, items in scored:
        items = [b for b in items if not _overlaps(b, chosen)]
        if len(items) >= MIN_ITEMS:
            blocks += items
            chosen.update(id(e) for block in items for e in (block, *tags_in(block)))
    blocks += _single_teasers(root, chosen, host)
    position = {id(tag): n for n, tag in enumerate(tags_in(root))}
    blocks.sort(key=lambda block: position.get(id(block), 0))
    return Guess(blocks, scored[0][1], Confidence.LIKELY)
