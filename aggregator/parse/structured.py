"""Press items that a page states in schema.org terms, read before any guessing:
JSON-LD (an `ItemList` of releases, or several `NewsArticle`s) and microdata
(`itemtype` NewsArticle, Article, BlogPosting with `itemprop` headline, url,
datePublished). A library such as extruct reads many more vocabularies; these few
are what press listings use, and json and the parsed page read them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup, Tag

from aggregator.core.model import Entry
from aggregator.parse.blocks import linked, tags_in, text_of
from aggregator.parse.dates import parse_date

ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "Report", "PressRelease"}


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1] for k in kinds if k}


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            yield node
            stack.extend(v for v in node.values() if isinstance(v, list | dict))


def json_ld_nodes(soup: BeautifulSoup) -> Iterator[dict[str, Any]]:
    """Every object of every JSON-LD block on the page (a @graph's members included),
    in document order; blocks that are not JSON are passed over."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError):
            continue
        yield from _nodes(data)


def _entry(node: dict[str, Any]) -> Entry | None:
    title = node.get("headline") or node.get("name")
    link = node.get("url") or node.get("@id")
    if not isinstance(title, str) or not isinstance(link, str) or not title.strip():
        return None
    published = node.get("datePublished")
    summary = node.get("description")
    return Entry(
        title=" ".join(title.split()),
        link=link.strip(),
        published=parse_date(published) if isinstance(published, str) else None,
        summary_html=summary if isinstance(summary, str) else None,
    )


def _json_ld(soup: BeautifulSoup) -> tuple[list[Entry], str]:
    listed: list[Entry] = []
    articles: list[Entry] = []
    for node in json_ld_nodes(soup):
        if "ItemList" in _types(node):
            for element in node.get("itemListElement") or []:
                if isinstance(element, dict):
                    item = element.get("item")
                    target = item if isinstance(item, dict) else element
                    if (entry := _entry(target)) is not None:
                        listed.append(entry)
        elif _types(node) & ARTICLE_TYPES and (entry := _entry(node)) is not None:
            articles.append(entry)
    if listed:
        return listed, "JSON-LD ItemList"
    return (articles, "JSON-LD articles") if len(articles) >= 2 else ([], "")


def _property(scope: Tag, name: str) -> Tag | None:
    """The scope's first element with this itemprop (scope.find(itemprop=name), walked)."""
    return next((e for e in tags_in(scope) if e.attrs.get("itemprop") == name), None)


def _microdata(soup: BeautifulSoup) -> list[Entry]:
    entries = []
    for scope in (e for e in tags_in(soup) if e.attrs.get("itemtype") is not None):
        kind = str(scope.get("itemtype") or "").rsplit("/", 1)[-1]
        if kind not in ARTICLE_TYPES:
            continue
        headline = _property(scope, "headline")
        link = _property(scope, "url")
        href = (link.get("href") or link.get("content")) if isinstance(link, Tag) else None
        if not isinstance(headline, Tag) or not href:
            anchor = next(linked(headline), None) if isinstance(headline, Tag) else None
            href = href or (anchor["href"] if isinstance(anchor, Tag) else None)
        if not isinstance(headline, Tag) or not href:
            continue
        date = _property(scope, "datePublished")
        when = None
        if isinstance(date, Tag):
            when = parse_date(str(date.get("datetime") or date.get("content") or text_of(date)))
        teaser = _property(scope, "description")
        entries.append(
            Entry(
                title=text_of(headline),
                link=str(href).strip(),
                published=when,
                summary_html=teaser.decode_contents() if isinstance(teaser, Tag) else None,
            )
        )
    return entries if len(entries) >= 2 else []


def structured_entries(soup: BeautifulSoup) -> tuple[list[Entry], str]:
    """The items a page states in schema.org terms, and which form said so; ([], "")
    when it states none (a single article is a detail page, not a listing)."""
    entries, how = _json_ld(soup)
    if entries:
        return entries, how
    entries = _microdata(soup)
    return (entries, "microdata") if entries else ([], "")
