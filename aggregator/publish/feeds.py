"""The feeds we publish, and their pages (RFC 5005 archived feeds).

Every feed has a subscription document and archive documents. Archives are
fixed pages of PAGE_SIZE items in order of arrival, so an archive page never
changes once full; the subscription document holds every item not yet in a
full archive page that is entirely older than the newest PAGE_SIZE items, so a
reader gets at least the newest PAGE_SIZE entries, and walking `prev-archive`
yields every item exactly once. Used by the web app and by `feed --out DIR`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypedDict
from urllib.parse import quote

from aggregator.config.schema import Config, Source, WebSub
from aggregator.core.model import LAND_CODES, StoredItem
from aggregator.publish.atom import EntryContext, FeedHead, render_feed
from aggregator.publish.jsonfeed import render_json_feed

PAGE_SIZE = 50
SUBTITLE = "Pressemitteilungen und Meldungen der kommunalen Jobcenter"
_ARCHIVE = re.compile(r"^(?P<base>.+)/archive/(?P<page>\d+)\.atom$")
_GROUP = re.compile(r"^groups/(?P<id>g-[0-9a-f]{16})\.atom$")


def group_spec(group_id: str) -> FeedSpec:
    """The feed of one near-duplicate group: every jobcenter that published a joint text."""
    return FeedSpec(
        f"group:{group_id}",
        f"groups/{group_id}.atom",
        "Gemeinsame Meldung – alle Jobcenter, die sie veröffentlicht haben",
        group_id=group_id,
    )


def group_url(base_url: str) -> Callable[[str], str]:
    return lambda group_id: f"{base_url}/feeds/groups/{group_id}.atom"


@dataclass(frozen=True)
class FeedSpec:
    name: str  # part of the permanent feed id
    path: str  # below /feeds/, e.g. "campaigns/aktionswoche-2019.atom"
    title: str
    source_ids: tuple[str, ...] | None = None
    campaign_id: str | None = None
    group_id: str | None = None
    press: bool = False  # the press's coverage, not the jobcenters' items

    def archive_path(self, page: int, suffix: str = ".atom") -> str:
        return f"{self.path.removesuffix('.atom')}/archive/{page}{suffix}"

    def document_path(self, suffix: str = ".atom") -> str:
        """The subscription document's path in the format of `suffix` (.atom, .json)."""
        return self.path.removesuffix(".atom") + suffix


def feed_specs(config: Config) -> list[FeedSpec]:
    """All feeds: everything, each campaign, each source, each Land that has sources."""
    specs = [FeedSpec("all", "all.atom", "Kommunale Jobcenter – alle Meldungen")]
    for campaign in config.campaigns:
        specs.append(
            FeedSpec(
                f"campaign:{campaign.id}",
                f"campaigns/{campaign.id}.atom",
                f"{campaign.title} – Meldungen der kommunalen Jobcenter",
                campaign_id=campaign.id,
            )
        )
        if config.press:
            specs.append(
                FeedSpec(
                    f"press:{campaign.id}",
                    f"campaigns/{campaign.id}/presse.atom",
                    f"{campaign.title} – Medienecho",
                    campaign_id=campaign.id,
                    press=True,
                )
            )
    for source in config.sources:
        specs.append(
            FeedSpec(
                f"source:{source.id}",
                f"sources/{source.id}.atom",
                f"{source.name} – Meldungen",
                source_ids=(source.id,),
            )
        )
    for code, land in LAND_CODES.items():
        ids = tuple(s.id for s in config.sources if s.land == code)
        if ids:
            specs.append(
                FeedSpec(
                    f"land:{code}",
                    f"laender/{code}.atom",
                    f"Kommunale Jobcenter in {land}",
                    source_ids=ids,
                )
            )
    return specs


def resolve(config: Config, path: str) -> tuple[FeedSpec, int | None] | None:
    """The feed and archive page (None: the subscription document) a path names."""
    page = None
    match = _ARCHIVE.match(path)
    if match:
        path, page = match.group("base") + ".atom", int(match.group("page"))
    for spec in feed_specs(config):
        if spec.path == path:
            return spec, page
    group = _GROUP.match(path)
    return (group_spec(group.group("id")), page) if group else None


def resolve_document(config: Config, path: str) -> tuple[FeedSpec, int | None, str] | None:
    """Like `resolve`, for either format: the feed, the page and the suffix (.atom, .json)."""
    suffix = ".json" if path.endswith(".json") else ".atom"
    found = resolve(config, path.removesuffix(".json") + ".atom" if suffix == ".json" else path)
    return (*found, suffix) if found else None


def feed_sources(config: Config, store: FeedStore) -> dict[str, Source]:
    """The sources as configured, and those removed since, as the store remembers them."""
    press = {medium.id: medium.as_source() for medium in config.press}
    return {**store.known_sources(), **press, **{source.id: source for source in config.sources}}


def archived_pages(total: int) -> int:
    """Full pages that lie entirely before the newest PAGE_SIZE items."""
    return max(0, (total - PAGE_SIZE) // PAGE_SIZE)


class FeedStore(Protocol):
    """What rendering feeds reads from the store (store.database.Store has it); pure
    renderers see only this."""

    def known_sources(self) -> dict[str, Source]: ...

    def group_ids(self) -> list[str]: ...

    def count(
        self,
        *,
        source_ids: Iterable[str] | None = None,
        campaign_id: str | None = None,
        text: str | None = None,
        group_id: str | None = None,
        without_held: bool = False,
        press: bool | None = False,
    ) -> int: ...

    def items(  # noqa: PLR0913 - one query, its filters keyword-only
        self,
        *,
        limit: int | None = 200,
        offset: int = 0,
        source_ids: Iterable[str] | None = None,
        campaign_id: str | None = None,
        published_between: tuple[datetime, datetime] | None = None,
        text: str | None = None,
        by_arrival: bool = False,
        group_id: str | None = None,
        without_held: bool = False,
        press: bool | None = False,
    ) -> list[StoredItem]: ...


class _Filters(TypedDict):
    """Which stored items a feed holds."""

    source_ids: tuple[str, ...] | None
    campaign_id: str | None
    text: str | None
    group_id: str | None
    without_held: bool  # a source's flood shows in its own feed only
    press: bool  # the press's coverage instead of the jobcenters' items


def render_page(  # noqa: PLR0913 - text, on_skipped and the format are optional
    spec: FeedSpec,
    page: int | None,
    store: FeedStore,
    config: Config,
    base_url: str,
    now: datetime,
    text: str | None = None,
    on_skipped: Callable[[StoredItem, Exception], None] | None = None,
    suffix: str = ".atom",
) -> bytes | None:
    """The subscription document (page None) or an archive page, as Atom (suffix .atom)
    or JSON Feed (.json); None if there is no such page."""
    filters: _Filters = {
        "source_ids": spec.source_ids,
        "campaign_id": spec.campaign_id,
        "text": text,
        "group_id": spec.group_id,
        "without_held": True,
        "press": spec.press,
    }
    archived = archived_pages(store.count(**filters))
    query = f"?q={quote(text)}" if text else ""

    def url(path: str) -> str:
        return f"{base_url}/feeds/{path}{query}"

    def archive(number: int) -> str:
        return url(spec.archive_path(number, suffix))

    links: list[tuple[str, str]] = []
    current = url(spec.document_path(suffix))
    if page is None and config.websub.enabled:  # readers find the hub here (WebSub)
        links.append(("hub", f"{base_url}/websub"))
    if page is None:
        items = store.items(limit=None, offset=archived * PAGE_SIZE, by_arrival=True, **filters)
        self_url = current
        if archived:
            links += [("prev-archive", archive(archived - 1)), ("next", archive(archived - 1))]
    else:
        if page >= archived:
            return None
        items = store.items(limit=PAGE_SIZE, offset=page * PAGE_SIZE, by_arrival=True, **filters)
        self_url = archive(page)
        links.append(("current", current))
        if page > 0:
            links += [("prev-archive", archive(page - 1)), ("next", archive(page - 1))]
        if page + 1 < archived:
            links += [("next-archive", archive(page + 1)), ("previous", archive(page + 1))]
        else:
            links.append(("previous", current))
    items.sort(key=lambda s: (s.item.published, s.first_seen), reverse=True)
    in_json = url(spec.document_path(".json") if page is None else spec.archive_path(page, ".json"))
    head = FeedHead(
        name=spec.name + (f"?q={text}" if text else ""),
        title=spec.title + (f" – Suche: {text}" if text else ""),
        subtitle=SUBTITLE,
        self_url=self_url,
        updated_if_empty=now,
        links=tuple(links),
        archive=page is not None,
        home_url=f"{base_url}/",
        stylesheet=f"{base_url}/static/feed.xsl",
        json_url=in_json if suffix == ".atom" else None,
    )
    context = entry_context(config, store, base_url)
    if suffix == ".json":
        return render_json_feed(items, head, context, on_skipped)
    return render_feed(items, head, context, on_skipped)


def entry_context(config: Config, store: FeedStore, base_url: str) -> EntryContext:
    """What every entry of this service's feeds is rendered with."""
    campaigns = {campaign.id: campaign for campaign in config.campaigns}
    return EntryContext(feed_sources(config, store), campaigns, group_url(base_url))


def write_static(
    directory: Path,
    store: FeedStore,
    config: Config,
    base_url: str,
    now: datetime,
    write: Callable[[Path, bytes], None],
) -> int:
    """Every feed and archive page as files below `directory`/feeds/; returns how many."""
    count = 0
    config = config.model_copy(update={"websub": WebSub(enabled=False)})  # no hub in files
    groups = [group_spec(group_id) for group_id in store.group_ids()]
    for spec in feed_specs(config) + groups:
        total = store.count(
            source_ids=spec.source_ids,
            campaign_id=spec.campaign_id,
            group_id=spec.group_id,
            without_held=True,
            press=spec.press,
        )
        pages: list[int | None] = [None, *range(archived_pages(total))]
        for page in pages:
            for suffix in (".atom", ".json"):
                document = render_page(spec, page, store, config, base_url, now, suffix=suffix)
                if document is None:
                    continue
                relative = (
                    spec.document_path(suffix) if page is None else spec.archive_path(page, suffix)
                )
                write(directory / "feeds" / relative, document)
                count += 1
    return count
