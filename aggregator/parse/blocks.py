"""One item block of a listing page -> Entry: its title, link, date and teaser.

Shared by the configured selectors and the zero-configuration heuristic, so both
read a block the same way: configured selectors first, then the conventions of
press listings (a headline link, a `<time datetime>`, a date in the text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from bs4 import Tag

from aggregator.core.model import Entry
from aggregator.parse.dates import parse_date
from aggregator.parse.titles import is_generic, is_reference

_HEADLINE_CLASS = re.compile(r"(^|[-_])(headline|title|titel|ueberschrift|heading)", re.I)
_TEASER_LIKE = re.compile("teaser|description|summary|intro|abstract", re.IGNORECASE)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BAD_HREF = re.compile(r"^\s*(#|javascript:|mailto:|tel:|data:)", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_DATE_PREFIX = re.compile(r"^\s*\d{1,2}\.\s?\d{1,2}\.\s?(\d{4}|\d{2})\s*([-–—:|,]\s*)?")


@dataclass(frozen=True)
class Selectors:
    """CSS selectors inside an item block; None means 'use the conventions'."""

    items: str
    title: str | None = None
    link: str | None = None
    date: str | None = None
    summary: str | None = None


@dataclass
class _PageMemory:
    """What was computed for elements of the page being read, by element id; the element
    is kept beside its value, so no id is reused while the page is read."""

    texts: dict[int, tuple[Tag, str]] = field(default_factory=dict)
    tags: dict[int, tuple[Tag, list[Tag]]] = field(default_factory=dict)


_MEMORY: ContextVar[_PageMemory | None] = ContextVar("page_memory", default=None)


@contextmanager
def page_memory() -> Iterator[None]:
    """While one listing page is read (its tree is not changed meanwhile), each element's
    text and its list of elements are computed once: the heuristic asks for each four or
    five times."""
    token = _MEMORY.set(_PageMemory())
    try:
        yield
    finally:
        _MEMORY.reset(token)


def text_of(element: Tag | None) -> str:
    if element is None:
        return ""
    memory = _MEMORY.get()
    if memory is not None and (known := memory.texts.get(id(element))) and known[0] is element:
        return known[1]
    text = _SPACE.sub(" ", element.get_text(" ", strip=True)).strip()
    if memory is not None:
        memory.texts[id(element)] = (element, text)
    return text


def tags_in(block: Tag) -> list[Tag]:
    """The block's elements in document order (not the block itself): bs4's descendants
    generator walks strings too, one Python step each, and a page's blocks are walked
    many times over."""
    memory = _MEMORY.get()
    if memory is not None and (known := memory.tags.get(id(block))) and known[0] is block:
        return known[1]
    tags = [e for e in block.descendants if isinstance(e, Tag)]
    if memory is not None:
        memory.tags[id(block)] = (block, tags)
    return tags


LONG_PARAGRAPH = 80  # characters: running text, not a teaser line or a caption


def running_text(paragraphs: Iterable[Tag]) -> int:
    """Characters in the long ones of these paragraphs: how much of an article there is."""
    lengths = (len(text_of(paragraph)) for paragraph in paragraphs)
    return sum(length for length in lengths if length >= LONG_PARAGRAPH)


def _is_headline_classed(element: Tag) -> bool:
    classes: list[str] = list(element.get("class") or [])
    named = any(_HEADLINE_CLASS.search(c) for c in classes)
    return named and not is_generic(text_of(element))


def _headline_element(block: Tag) -> Tag | None:
    """A heading, or an element whose class calls it the headline or title (one pass
    over the block: this runs for every candidate block of a page)."""
    classed: Tag | None = None
    for element in tags_in(block):
        if element.name in _HEADINGS:
            if not is_generic(text_of(element)):
                return element
        elif classed is None and _is_headline_classed(element):
            classed = element
    return classed


def _elements(block: Tag, name: str) -> Iterator[Tag]:
    """The block's elements of this name, in document order: block.find_all(name) by a
    walk, as find_all and find build a bs4 filter on every call, and the heuristic asks
    this of every candidate block of a page (a third of its CPU)."""
    return (e for e in tags_in(block) if e.name == name)


def _named(block: Tag, name: str) -> list[Tag]:
    return list(_elements(block, name))


def first(block: Tag, name: str) -> Tag | None:
    """The block's first element of this name (block.find(name), by the same walk)."""
    return next(_elements(block, name), None)


def child_elements(parent: Tag, names: Iterable[str]) -> list[Tag]:
    """The parent's element children of these names: find_all(names, recursive=False)."""
    wanted = set(names)
    return [c for c in parent.children if isinstance(c, Tag) and c.name in wanted]


def linked(block: Tag) -> Iterator[Tag]:
    """The block's `a` elements with an href (find_all("a", href=True), by the walk)."""
    return (a for a in _elements(block, "a") if a.attrs.get("href") is not None)


def holds(block: Tag, name: str, attribute: str | None = None) -> bool:
    """Whether an element of this name (with this attribute) is inside the block."""
    return any(
        attribute is None or e.attrs.get(attribute) is not None for e in _elements(block, name)
    )


def _usable(block: Tag) -> Iterator[Tag]:
    return (
        a
        for a in _elements(block, "a")
        if (href := a.attrs.get("href")) is not None and not _BAD_HREF.match(str(href))
    )


def usable_links(block: Tag) -> list[Tag]:
    """Links that lead somewhere: not anchors, scripts, mail or phone."""
    return list(_usable(block))


def has_usable_link(block: Tag) -> bool:
    return next(_usable(block), None) is not None


def main_link(block: Tag, repeated: frozenset[str] = frozenset()) -> Tag | None:
    """The link that names the item: in a heading, else the one with the most telling text
    (not one whose text every row of the listing carries: `repeated`)."""
    links = usable_links(block)
    if block.name == "a" and block.get("href"):
        links.insert(0, block)
    headline = _headline_element(block)
    for link in links:
        if any(parent.name in _HEADINGS for parent in link.parents) or (
            headline is not None and (link is headline or headline in link.parents)
        ):
            return link
    named = [
        link for link in links if not is_generic(text := text_of(link)) and text not in repeated
    ]
    if named:
        return max(named, key=lambda link: len(text_of(link)))
    return links[0] if links else None


def _select(block: Tag, selector: str | None) -> Tag | None:
    return block.select_one(selector) if selector else None


def _link_in(element: Tag | None) -> Tag | None:
    if element is None:
        return None
    if element.name == "a" and element.get("href"):
        return element
    return next(linked(element), None)


def _title(
    block: Tag,
    selectors: Selectors | None,
    link: Tag | None,
    repeated: frozenset[str] = frozenset(),
) -> str:
    """The item's headline, without a leading date ("28.08.2019 – Titel")."""
    return _DATE_PREFIX.sub("", _headline(block, selectors, link, repeated))


def _headline(
    block: Tag, selectors: Selectors | None, link: Tag | None, repeated: frozenset[str]
) -> str:
    title = text_of(_select(block, selectors.title if selectors else None))
    if title:
        return title
    heading = _headline_element(block)
    if heading is not None:
        return text_of(heading)
    if link is not None:
        text = text_of(link)
        if not is_generic(text) and text not in repeated:
            return text
        title = str(link.get("title") or "").strip()
        if title and not is_generic(title) and title not in repeated:
            return title
    document_reference = link is not None and is_reference(text_of(link))
    return _plain_headline(block, repeated) if repeated or document_reference else ""


_TEXT_CELLS = ("td", "th", "dd", "dt", "p", "span", "div", "strong", "b", "em", "li")
MIN_PLAIN_HEADLINE = 12  # characters: "Drucksache 7/123" is a reference, not a headline


def _plain_headline(block: Tag, repeated: frozenset[str]) -> str:
    """The longest text of the block's cells that holds no link with a text every row
    carries and is no "read more" and no date: the headline of a row whose only link is
    such a text."""
    best = ""
    for element in tags_in(block):
        if element.name not in _TEXT_CELLS or any(
            e.name == "a" and text_of(e) in repeated for e in tags_in(element)
        ):
            continue
        text = text_of(element)
        if len(text) < MIN_PLAIN_HEADLINE or text in repeated or is_generic(text):
            continue
        if _DATE_PREFIX.sub("", text).strip() and len(text) > len(best):
            best = text
    return best


def headline_text(block: Tag, link: Tag | None = None) -> str:
    """What a block calls itself, read by the conventions (for the heuristic)."""
    return _title(block, None, link if link is not None else main_link(block))


def date_of(element: Tag | None) -> datetime | None:
    """A date from `<time datetime>` inside or at `element`, else from its text."""
    if element is None:
        return None
    time_tag = element if element.name == "time" else first(element, "time")
    if time_tag is not None:
        value = parse_date(str(time_tag.get("datetime") or "")) or parse_date(text_of(time_tag))
        if value:
            return value
    return parse_date(text_of(element))


def _date(block: Tag, selectors: Selectors | None, title: str) -> datetime | None:
    """The configured date, else a `<time>`, else a date written in the block outside
    its headline: "Einladung zur Sitzung am 14. August 2013" is not when it was published."""
    if selectors and selectors.date:
        for element in block.select(selectors.date):
            if value := date_of(element):
                return value
    time_tag = block if block.name == "time" else first(block, "time")
    if time_tag is not None and (value := date_of(time_tag)):
        return value
    text = text_of(block)
    if title and title in text:
        text = text.replace(title, " ", 1)
    return parse_date(text)


def _teaser_like(block: Tag) -> list[Tag]:
    """Elements whose class names say teaser, description, summary, intro or abstract."""
    return [
        element
        for element in tags_in(block)
        if (classes := element.get("class")) and _TEASER_LIKE.search(" ".join(classes))
    ]


def _summary(block: Tag, selectors: Selectors | None, title: str) -> str | None:
    element = _select(block, selectors.summary if selectors else None)
    if element is None:
        candidates = _teaser_like(block) + _named(block, "p")
        element = next(
            (c for c in candidates if len(text_of(c)) >= 20 and title not in text_of(c)), None
        )
    if element is None:
        return None
    generic = [link for link in _named(element, "a") if is_generic(text_of(link))]
    html = _without(element, generic).strip()
    return html or None


def _without(element: Tag, links: list[Tag]) -> str:
    """The element's inner HTML without these links ("mehr"), which are taken out for
    the moment and put back: the page's tree stays whole, and copying the element for
    it was a thirtieth of reading a listing."""
    places = [(link, link.parent, link.parent.index(link)) for link in links if link.parent]
    for link, _parent, _index in places:
        link.extract()
    try:
        return element.decode_contents()
    finally:  # in document order: each goes back where it was, among all the others
        for link, parent, index in places:
            parent.insert(index, link)


def entry_from_block(
    block: Tag, selectors: Selectors | None, repeated: frozenset[str] = frozenset()
) -> Entry | None:
    """Read one item block; None when it has neither a usable link nor a title.
    `repeated`: link texts most rows of the listing carry, which are no title."""
    configured = _select(block, selectors.link if selectors else None)
    link = _link_in(configured) or _link_in(_select(block, selectors.title if selectors else None))
    link = link or main_link(block, repeated)
    title = _title(block, selectors, link, repeated)
    if link is None and not title:
        return None
    return Entry(
        title=title,
        link=str(link["href"]).strip() if link is not None else None,
        published=_date(block, selectors, title),
        summary_html=_summary(block, selectors, title),
    )
