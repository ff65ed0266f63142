"""The press review (Pressespiegel) of a campaign: a document a coordinator forwards to a
board. A title page with the campaign, its window and figures, the participation map and
the timeline; participation per Land; then every item in date order, a joint release once
with the jobcenters that published it. Pure: HTML from values; the PDF is WeasyPrint's
rendering of the same HTML (publish.pdf)."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from typing import Protocol

from markupsafe import Markup

from aggregator.config.schema import Campaign, Config, Source
from aggregator.core.model import LAND_CODES, Resonance, StoredItem
from aggregator.core.time import BERLIN
from aggregator.publish.charts import LandShare, by_month, participation_map, timeline
from aggregator.publish.dashboard import CampaignView, campaign_view, cards
from aggregator.publish.documents import (
    Line,
    item_line,
    oldest_first,
    source_name,
    templates,
    versions,
)
from aggregator.publish.feeds import FeedStore, feed_sources
from aggregator.publish.health import HealthStore, SourceHealth, source_health


class ReviewStore(FeedStore, HealthStore, Protocol):
    """What the review reads from the store (store.database.Store has it)."""

    def resonance(self, campaign_id: str) -> list[Resonance]: ...


@dataclass(frozen=True)
class Echoed:
    """A release with the papers that took it up ("Medienecho")."""

    title: str
    url: str | None
    source: str
    papers: tuple[tuple[str, str, str | None], ...]  # paper, day, article link


@dataclass(frozen=True)
class Entry:
    """One item of the review, or a joint release with all its versions."""

    line: Line
    source: str  # the jobcenter, or "5 Jobcenter" for a joint release
    versions: tuple[tuple[str, str], ...] = ()  # (jobcenter, link) of a joint release


@dataclass(frozen=True)
class Review:
    campaign: Campaign
    view: CampaignView
    entries: tuple[Entry, ...]
    joint: int  # joint releases among the entries
    map_svg: Markup
    timeline_svg: Markup
    made: str  # "04.12.2026, 10:15 Uhr"
    base_url: str
    echoed: tuple[Echoed, ...] = ()  # the releases the press took up, most echoed first
    by_paper: tuple[tuple[str, int], ...] = ()  # articles echoing a release, per paper
    by_land: tuple[tuple[str, int, int], ...] = ()  # Land: releases echoed, articles

    @property
    def lands_published(self) -> int:
        return sum(1 for land in self.view.lands if land.participating)


def land_shares(view: CampaignView) -> dict[str, LandShare]:
    """The map's figures from the participation per Land."""
    return {
        land.code: LandShare(
            len(land.participating),
            land.tracked,
            sum(view.counts.get(s.id, 0) for s in land.participating),
        )
        for land in view.lands
    }


def per_day(
    items: Sequence[StoredItem], sources: Mapping[str, Source]
) -> dict[date, dict[str, int]]:
    """Items per Berlin day and Land, for the timeline."""
    counts: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for stored in items:
        source = sources.get(stored.item.source_id)
        if source is not None:
            counts[stored.item.published.astimezone(BERLIN).date()][source.land] += 1
    return counts


def _entries(items: Sequence[StoredItem], sources: Mapping[str, Source]) -> tuple[Entry, ...]:
    """Oldest first; the members of a near-duplicate group as one entry at its first."""
    entries = []
    for card in cards(oldest_first(items), limit=len(items)):
        line = item_line(card.first)
        if len(card.members) > 1:
            shown = versions(card.members, sources)
            entries.append(Entry(line, f"{len(shown)} Jobcenter", shown))
        else:
            entries.append(Entry(line, source_name(sources, card.first.item.source_id)))
    return tuple(entries)


def review(
    config: Config,
    campaign: Campaign,
    items: Sequence[StoredItem],
    sources: Mapping[str, Source],
    health: Sequence[SourceHealth],
    now: datetime,
    base_url: str,
) -> Review:
    view = campaign_view(config, campaign, items, health)
    entries = _entries(items, sources)
    picture, bars = campaign_pictures(view, items, sources)
    local = now.astimezone(BERLIN)
    return Review(
        campaign,
        view,
        entries,
        sum(1 for e in entries if e.versions),
        picture,
        bars,
        f"{local:%d.%m.%Y, %H:%M} Uhr",
        base_url,
    )


def echoed(
    echoes: Sequence[Resonance], sources: Mapping[str, Source], press: Mapping[str, str]
) -> tuple[Echoed, ...]:
    """Each release the press took up, with its papers (one line per article)."""
    by_release: dict[tuple[str, str], list[Resonance]] = {}
    for echo in echoes:
        release = echo.release.item
        by_release.setdefault((release.source_id, release.key), []).append(echo)
    found = []
    for group in by_release.values():
        release = group[0].release.item
        source = sources.get(release.source_id)
        papers = tuple(
            (
                press.get(e.article.item.source_id, e.article.item.source_id),
                e.article.item.published.astimezone(BERLIN).strftime("%d.%m.%Y"),
                e.article.item.url,
            )
            for e in sorted(group, key=lambda e: e.article.item.published)
        )
        found.append(
            Echoed(release.title, release.url, source.name if source else release.source_id, papers)
        )
    return tuple(sorted(found, key=lambda e: (-len(e.papers), e.title)))


def campaign_pictures(
    view: CampaignView, items: Sequence[StoredItem], sources: Mapping[str, Source]
) -> tuple[Markup, Markup]:
    """The participation map and the timeline of a campaign, as SVG to place in a page."""
    campaign = view.campaign
    days = per_day(items, sources)
    picture = participation_map(land_shares(view), f"Beteiligung: {campaign.title}")
    if campaign.last_day is None:  # a standing campaign: its years, month by month
        first, last = min(days, default=campaign.first_day), max(days, default=campaign.first_day)
        bars = timeline(
            by_month(days), first, last, f"Meldungen pro Monat: {campaign.title}", monthly=True
        )
    else:
        first = min([campaign.first_day, *days])
        last = max([campaign.last_day, *days])
        bars = timeline(days, first, last, f"Meldungen pro Tag: {campaign.title}")
    # our own SVG, every text in it escaped by lxml: safe to place as it is
    return Markup(picture.decode("utf-8")), Markup(bars.decode("utf-8"))


@cache
def review_css() -> str:
    """The review's stylesheet, placed inline so that the file and the PDF stand alone."""
    source, _, _ = templates().loader.get_source(templates(), "review.css")  # type: ignore[union-attr]
    return source


def style_hash() -> str:
    """The CSP source that allows exactly the review's inline stylesheet."""
    digest = hashlib.sha256(review_css().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def render_review(document: Review) -> str:
    template = templates().get_template("review.html")
    return template.render(review=document, css=Markup(review_css()))


def campaign_review(
    config: Config, store: ReviewStore, campaign: Campaign, now: datetime, base_url: str
) -> Review:
    """The review of a campaign as the store holds it now."""
    items = store.items(limit=None, campaign_id=campaign.id)
    sources = feed_sources(config, store)
    document = review(
        config, campaign, items, sources, source_health(config, store, now), now, base_url
    )
    press = {p.id: p.name for p in config.press}
    echoes = store.resonance(campaign.id)
    papers = Counter(press.get(e.article.item.source_id, e.article.item.source_id) for e in echoes)
    return replace(
        document,
        echoed=echoed(echoes, sources, press),
        by_paper=tuple(sorted(papers.items(), key=lambda p: (-p[1], p[0]))),
        by_land=resonance_by_land(echoes, sources),
    )


def resonance_by_land(
    echoes: Sequence[Resonance], sources: Mapping[str, Source]
) -> tuple[tuple[str, int, int], ...]:
    """Per Land of the releasing jobcenter: how many releases were taken up, by how many
    articles; most articles first."""
    releases: dict[str, set[tuple[str, str]]] = {}
    articles: Counter[str] = Counter()
    for echo in echoes:
        release = echo.release.item
        source = sources.get(release.source_id)
        land = LAND_CODES[source.land] if source else "?"
        releases.setdefault(land, set()).add((release.source_id, release.key))
        articles[land] += 1
    return tuple(
        sorted(
            ((land, len(releases[land]), articles[land]) for land in releases),
            key=lambda row: (-row[2], row[0]),
        )
    )
