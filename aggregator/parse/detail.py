"""A press release's own page -> its main text and its publication date.

Municipal CMS pages put the release in a recognisable container (schema.org
articleBody, <article>, <main>, the news extension's text wrapper). Where none
is marked, the element whose paragraphs hold the most text is taken, the way
readability-style extractors do. Full extraction libraries were weighed and
left out: they bring a dozen dependencies for what these pages need.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from aggregator.parse.blocks import date_of, text_of
from aggregator.parse.dates import find_date, parse_date
from aggregator.parse.html import base_url, make_soup

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
    "time[datetime]",
    ".news-list-date",
    ".date",
    ".datum",
)
_NOISE = ("script", "style", "nav", "aside", "form", "footer", "header", "iframe", "noscript", "h1")
MIN_TEXT = 120


@dataclass(frozen=True)
class Detail:
    content_html: str | None
    published: datetime | None


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


def _published(soup: BeautifulSoup, container: Tag | None) -> datetime | None:
    for selector in _DATE_HINTS:
        element = soup.select_one(selector)
        if element is None:
            continue
        value = parse_date(str(element.get("content") or "")) or date_of(element)
        if value:
            return value
    return find_date(text_of(container)[:300]) if container is not None else None


def extract_detail(body: bytes, headers: Mapping[str, str], url: str) -> Detail:
    """Main text (HTML with absolute links) and date of a detail page; either may be None."""
    soup = make_soup(body, headers)
    base = base_url(soup, url)
    container = _container(soup)
    published = _published(soup, container)
    if container is None:
        return Detail(None, published)
    content = copy.copy(container)
    for tag in content.find_all(_NOISE):
        tag.decompose()
    for attribute, tags in (("href", "a"), ("src", "img")):
        for element in content.find_all(tags):
            if element.get(attribute):
                element[attribute] = urljoin(base, str(element[attribute]))
    html = content.decode_contents().strip()
    return Detail(html or None, published)
