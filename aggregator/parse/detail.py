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
_DATE_HINTS = (
    "meta[property='article:published_time']",
    "meta[itemprop=datePublished]",
    "[itemprop=datePublished]",
    "meta[name='dcterms.date' i], meta[name='dc.date' i], meta[name=date]",
    "time[datetime]",
    ".news-list-date",
    ".date",
    ".datum",
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


def _json_ld_date(soup: BeautifulSoup) -> datetime | None:
    """schema.org's datePublished in JSON-LD (a NewsArticle, or one in a @graph)."""
    for node in json_ld_nodes(soup):
        value = node.get("datePublished")
        if isinstance(value, str) and (parsed := parse_date(value)):
            return parsed
    return None


def _published(soup: BeautifulSoup, container: Tag | None) -> datetime | None:
    """Where the page states it: structured data, meta tags, `<time>`, the dateline
    ("Pressemitteilung vom …"); else the first date of the text under the headline.
    Never a date in the headline: "Reparaturcafé am 31. Januar" is about an event."""
    if value := _json_ld_date(soup):
        return value
    for selector in _DATE_HINTS:
        element = soup.select_one(selector)
        if element is None:
            continue
        value = parse_date(str(element.get("content") or "")) or date_of(element)
        if value:
            return value
    if container is None:
        return None
    text = _text_without_headings(container)
    first = find_date_at(text)
    if first and first[0] < 40:  # a dateline leading the text: "10.11.2021 Bis …"
        return first[1]
    for match in _DATELINE.finditer(text, 0, DATELINE_REACH):  # later: related releases
        found = find_date_at(text[match.end() :])
        if found and found[0] < 20:
            return found[1]
    return first[1] if first and first[0] < 600 else None


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
    published = _published(soup, container)
    title = _headline(soup, container)
    if container is None:
        return Detail(None, published, title)
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
    return Detail(html or None, published, title)


def _headline(soup: BeautifulSoup, container: Tag | None) -> str | None:
    """The release's headline: the main heading, else what the page tells sharers."""
    for scope in (container, soup):
        heading = scope.find("h1") if scope is not None else None
        if isinstance(heading, Tag) and text_of(heading):
            return text_of(heading)
    shared = soup.find("meta", attrs={"property": "og:title"})
    return str(shared.get("content") or "").strip() or None if shared else None
