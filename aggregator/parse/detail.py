"""A press release's own page -> its main text and its publication date.

Municipal CMS pages put the release in a recognisable container (schema.org
articleBody, <article>, <main>, the news extension's text wrapper). Where none
is marked, the element whose paragraphs hold the most text is taken, the way
readability-style extractors do. Full extraction libraries were weighed and
left out: they bring a dozen dependencies for what these pages need.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from aggregator.parse.blocks import date_of, text_of
from aggregator.parse.dates import find_date_at, parse_date
from aggregator.parse.html import base_url, make_soup
from aggregator.parse.structured import json_ld_nodes

_CONTAINERS = (
    "[itemprop=articleBody]",
    ".news-text-wrap",
    ".news-single .article",
    "article",
    "[role=main]",
    "main",
    "#content",
    "#inhalt",
    ".content",
)
# Dates a page states as its publication's, in the order they are believed.
_PUBLISHED_META = (
    ("meta[property='article:published_time']", "meta article:published_time"),
    ("meta[itemprop=datePublished], [itemprop=datePublished]", "datePublished (microdata)"),
)
_SHOWN = (
    ("time[datetime]", "the <time> of the release"),
    (".news-list-date, .date, .datum", "the date shown with the release"),
)
# Revision metadata: which day the page was last edited, on many CMS (a portal's
# dcterms.date came days to weeks after the release's own "Pressemitteilung vom …").
# Taken only where the page shows no date of its own.
_REVISION_META = (
    "meta[name='dcterms.date' i], meta[name='dc.date' i], meta[name=date], "
    "meta[name='dcterms.modified' i], meta[property='article:modified_time'], "
    "meta[itemprop=dateModified]"
)
# Where a page says when it was published: "Pressemitteilung vom 12.08.2019",
# "veröffentlicht am", "Datum: …", "Erstellt am …".
_DATELINE = re.compile(
    r"(?:\b(?:presse)?(?:mitteilung|meldung|information|artikel|nachricht|beitrag)\s+)?"
    r"\b(?:vom|veröffentlicht(?:\s+am)?|erschienen(?:\s+am)?|datum|erstellt(?:\s+am)?|"
    r"publiziert(?:\s+am)?)\s*[:,]?\s*(?=(?:\w+,?\s*)?\d)",
    re.IGNORECASE,
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# The lead of a release, which many CMS keep outside the text's container.
_LEAD = "[itemprop=description], .teaser-text, .news-teaser, .lead, .einleitung, .intro"
_NOISE = ("script", "style", "nav", "aside", "form", "footer", "header", "iframe", "noscript", "h1")
MIN_TEXT = 120
DATELINE_REACH = 1000  # the dateline sits near the top (seen at characters 83 to 507)


@dataclass(frozen=True)
class Detail:
    content_html: str | None
    published: datetime | None
    title: str | None = None  # the page's own headline
    dated_by: str = ""  # where on the page the date was read


def _container(soup: BeautifulSoup) -> Tag | None:
    for selector in _CONTAINERS:
        element = soup.select_one(selector)
        if element is not None and len(text_of(element)) >= MIN_TEXT:
            return element
    totals: dict[int, int] = {}
    parents: dict[int, Tag] = {}
    for paragraph in soup.find_all("p"):
        parent = paragraph.parent
        if isinstance(parent, Tag):
            totals[id(parent)] = totals.get(id(parent), 0) + len(text_of(paragraph))
            parents[id(parent)] = parent
    if not totals:
        return None
    best = max(totals, key=lambda key: totals[key])
    return parents[best] if totals[best] >= MIN_TEXT else None


def _lead_outside(soup: BeautifulSoup, container: Tag) -> Tag | None:
    """The release's lead where the CMS keeps it apart from the text: it belongs to the
    release (the first sentences), so the main text starts with it."""
    for lead in soup.select(_LEAD):
        if lead.name == "meta" or container in lead.parents or lead in container.parents:
            continue
        if lead is not container and len(text_of(lead)) >= 40 and lead.find_parent(_NOISE) is None:
            return lead
    return None


def _json_ld_date(soup: BeautifulSoup, key: str = "datePublished") -> datetime | None:
    """schema.org's datePublished (or another key) in JSON-LD, in a @graph too."""
    for node in json_ld_nodes(soup):
        value = node.get(key)
        if isinstance(value, str) and (parsed := parse_date(value)):
            return parsed
    return None


Dated = tuple[datetime, str]  # a date and where it was read


def _dateline(container: Tag | None) -> Dated | None:
    """The date the release's text states as its own: leading it ("28.08.2019 Bis …",
    "Pressemitteilung Nr. 175/2019, 28.08.2019"), or in a dateline near the top
    ("Pressemitteilung vom 12.08.2019", "veröffentlicht am …")."""
    if container is None:
        return None
    text = _text_without_headings(container)
    first = find_date_at(text)
    if first and first[0] < 40:
        return first[1], "the dateline leading the text"
    for match in _DATELINE.finditer(text, 0, DATELINE_REACH):  # later: related releases
        found = find_date_at(text[match.end() :])
        if found and found[0] < 20:
            return found[1], f"the dateline {text[match.start() : match.end()].strip()!r}"
    return None


def _stated(soup: BeautifulSoup, container: Tag | None) -> Dated | None:
    """A date the page states as the release's: its dateline, or structured data that
    says 'published' (the earliest of them: a later one is a revision), else a `<time>`
    or date element."""
    strong = [found for found in (_dateline(container), _json_ld_published(soup)) if found]
    for selector, said in _PUBLISHED_META:
        element = soup.select_one(selector)
        if element is not None:
            value = parse_date(str(element.get("content") or "")) or date_of(element)
            if value:
                strong.append((value, said))
    if strong:
        return min(strong, key=lambda dated: dated[0])
    for selector, said in _SHOWN:
        scope = container if container is not None and container.select_one(selector) else soup
        if (value := date_of(scope.select_one(selector))) is not None:
            return value, said
    return None


def _json_ld_published(soup: BeautifulSoup) -> Dated | None:
    value = _json_ld_date(soup)
    return (value, "JSON-LD datePublished") if value else None


def _revision(soup: BeautifulSoup) -> Dated | None:
    """A date from revision metadata (dcterms.date and the like)."""
    if value := _json_ld_date(soup, "dateModified"):
        return value, "JSON-LD dateModified (revision metadata)"
    for element in soup.select(_REVISION_META):
        if value := parse_date(str(element.get("content") or "")):
            name = element.get("name") or element.get("property") or element.get("itemprop")
            return value, f"meta {name} (revision metadata: the page shows no date)"
    return None


def published(soup: BeautifulSoup, container: Tag | None) -> Dated | None:
    """When the release was published, and where that was read. What the page states as
    the release's date wins over metadata. Otherwise the first date of the text (within
    its first 600 characters) and revision metadata are weighed: the earlier one, as a
    revision comes after the release and an event the text announces after it too.
    Never a date in the headline: "Reparaturcafé am 31. Januar" is about an event."""
    if stated := _stated(soup, container):
        return stated
    candidates = [found for found in (_first_in_text(container), _revision(soup)) if found]
    return min(candidates, key=lambda dated: dated[0]) if candidates else None


def _first_in_text(container: Tag | None) -> Dated | None:
    if container is None:
        return None
    first = find_date_at(_text_without_headings(container))
    return (first[1], "the first date in the text") if first and first[0] < 600 else None


def _text_without_headings(container: Tag) -> str:
    content = copy.copy(container)
    for heading in content.find_all(_HEADINGS):
        heading.decompose()
    return text_of(content)


def extract_detail(body: bytes, headers: Mapping[str, str], url: str) -> Detail:
    """Main text (HTML with absolute links) and date of a detail page; either may be None."""
    soup = make_soup(body, headers)
    base = base_url(soup, url)
    container = _container(soup)
    dated = published(soup, container)
    when, dated_by = dated if dated else (None, "")
    title = _headline(soup, container)
    if container is None:
        return Detail(None, when, title, dated_by)
    content = copy.copy(container)
    lead = _lead_outside(soup, container)
    if lead is not None:
        for position, child in enumerate(copy.copy(lead).contents):
            content.insert(position, copy.copy(child))
    for tag in content.find_all(_NOISE):
        tag.decompose()
    for attribute, tags in (("href", "a"), ("src", "img")):
        for element in content.find_all(tags):
            if element.get(attribute):
                element[attribute] = urljoin(base, str(element[attribute]))
    html = content.decode_contents().strip()
    return Detail(html or None, when, title, dated_by)


def _headline(soup: BeautifulSoup, container: Tag | None) -> str | None:
    """The release's headline: the main heading, else what the page tells sharers."""
    for scope in (container, soup):
        heading = scope.find("h1") if scope is not None else None
        if isinstance(heading, Tag) and text_of(heading):
            return text_of(heading)
    shared = soup.find("meta", attrs={"property": "og:title"})
    return str(shared.get("content") or "").strip() or None if shared else None
