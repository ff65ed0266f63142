"""The press after its refresh: each of a medium's recent articles linked to the
jobcenter releases it echoes (classify.echo), the links kept in the store. Articles are
stored as coverage (items marked press) by the refresh itself."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from aggregator.classify.echo import AFTER, BEFORE, Article, EchoFinder, Release
from aggregator.config.schema import Config
from aggregator.core.model import StoredItem
from aggregator.store.echoes import Link

RECENT_ARTICLES = 300  # a medium's newest articles linked again at each of its refreshes


class EchoStore(Protocol):
    def items(
        self,
        *,
        limit: int | None = 200,
        source_ids: list[str] | None = None,
        published_between: tuple[datetime, datetime] | None = None,
        press: bool | None = False,
    ) -> list[StoredItem]: ...

    def save_echoes(self, article: tuple[str, str], links: list[Link]) -> None: ...


def _release(stored: StoredItem, config: Config) -> Release:
    item = stored.item
    source = next((s for s in config.sources if s.id == item.source_id), None)
    names = (
        (source.name, *(source.aliases or ()), *([source.publisher] if source.publisher else []))
        if source
        else (item.source_id,)
    )
    return Release(
        item.source_id,
        item.key,
        item.title,
        item.content_html or item.summary_text,
        item.published,
        tuple(n for n in names if n),
    )


def link_articles(config: Config, store: EchoStore, press_id: str) -> int:
    """Link the medium's recent articles to the releases they echo; returns the links."""
    articles = store.items(limit=RECENT_ARTICLES, source_ids=[press_id], press=True)
    if not articles:
        return 0
    earliest = min(a.item.published for a in articles) - AFTER
    latest = max(a.item.published for a in articles) + BEFORE
    releases = store.items(limit=None, published_between=(earliest, latest))
    finder = EchoFinder([_release(r, config) for r in releases])
    count = 0
    for stored in articles:
        item = stored.item
        text = item.content_html or item.summary_text
        article = Article(
            item.source_id, item.title, text, item.published, teaser_only=not item.content_html
        )
        echoes = finder.echoes(article)
        links = [(e.source_id, e.key, e.score, e.evidence) for e in echoes]
        store.save_echoes((item.source_id, item.key), links)
        count += len(links)
    return count
