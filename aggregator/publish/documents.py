"""What the documents for people (the digest, the press review) share: the templates,
and an item as one line with its date, title, link and teaser."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from aggregator.config.schema import Source
from aggregator.core.model import StoredItem
from aggregator.core.text import xml_safe
from aggregator.core.time import BERLIN

TEASER = 280  # characters of an item's text shown under its title


@dataclass(frozen=True)
class Line:
    """One item."""

    title: str
    url: str
    when: str  # "28.08.2019"
    teaser: str


def teaser(text: str, limit: int = TEASER) -> str:
    """The start of a text, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:–-") + " …"


def item_line(stored: StoredItem) -> Line:
    item = stored.item
    when = item.published.astimezone(BERLIN).strftime("%d.%m.%Y")
    url = item.url if item.url and item.url.startswith(("https://", "http://")) else None
    return Line(
        xml_safe(item.title), url or item.fetched_from, when, xml_safe(teaser(item.summary_text))
    )


@cache
def templates() -> Environment:
    templates = Environment(
        loader=PackageLoader("aggregator.publish", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return templates


def source_name(sources: Mapping[str, Source], source_id: str) -> str:
    source = sources.get(source_id)
    return source.name if source else source_id


def oldest_first(items: Iterable[StoredItem]) -> list[StoredItem]:
    return sorted(items, key=lambda s: (s.item.published, s.item.source_id))


def versions(
    members: Iterable[StoredItem], sources: Mapping[str, Source]
) -> tuple[tuple[str, str], ...]:
    """A joint release's versions: (jobcenter, link to its text), by jobcenter."""
    return tuple(
        sorted({(source_name(sources, m.item.source_id), item_line(m).url) for m in members})
    )
