"""A campaign's items and its participation per jobcenter as tables, for the CSV and
Excel exports coordinators hand on. Pure: the rows only; publish.spreadsheets encodes
them. Headings are German (the readers are), dates are Berlin's wall-clock time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from aggregator.config.schema import Campaign, Config, Source
from aggregator.core.kinds import DatedBy, Health
from aggregator.core.model import LAND_CODES, Resonance, StoredItem
from aggregator.core.time import BERLIN
from aggregator.publish.feeds import FeedStore, feed_sources
from aggregator.publish.health import HealthStore, SourceHealth, source_health

Cell = str | int | datetime | date | None

KINDS = {"landkreis": "Landkreis", "kreisfreie-stadt": "Kreisfreie Stadt", "region": "Region"}


@dataclass(frozen=True)
class Table:
    """A sheet: its name, its column headings and its rows (datetimes naive, Berlin)."""

    name: str
    headings: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


ITEM_HEADINGS = (
    "Jobcenter",
    "Land",
    "Art",
    "Datum",
    "Datum geschätzt",
    "Datum aus",
    "Titel",
    "Link",
    "Anriss",
    "Gemeinsame Meldung",
    "Jobcenter mit dieser Meldung",
    "Erkannt durch",
)

# Where an item's date came from, in a coordinator's words (core.kinds.DatedBy).
DATED_BY = {
    DatedBy.FEED: "Feed der Quelle",
    DatedBy.LISTING: "Übersichtsseite",
    DatedBy.PAGE: "Meldung selbst (Datumszeile, Kopf der Seite)",
    DatedBy.METADATA: "Änderungsdatum der Seite (die Meldung nennt keins)",
    DatedBy.FIRST_SEEN: "kein Datum gefunden: erstmals gesehen",
    DatedBy.UNKNOWN: None,
}

RESONANCE_HEADINGS = (
    "Zeitung",
    "Datum",
    "Titel",
    "Link",
    "Jobcenter",
    "Land",
    "Meldung",
    "Link der Meldung",
    "Übereinstimmung (0–200)",
    "Belege",
)

PARTICIPATION_HEADINGS = (
    "Jobcenter",
    "Land",
    "Art",
    "AGS",
    "Meldungen",
    "Erste Meldung",
    "Letzte Meldung",
    "Verfolgt",
    "Zustand der Quelle",
    "Problem",
)


def local(value: datetime) -> datetime:
    """Berlin's wall-clock time without a zone: what Excel and a reader expect to see."""
    return value.astimezone(BERLIN).replace(tzinfo=None)


def local_day_or_time(value: datetime) -> datetime | date:
    """The day alone where only the day is known (midnight in Berlin: a listing or a page
    that gave no time), else the wall-clock time: no invented "00:00"."""
    moment = local(value)
    return moment.date() if moment.time() == time.min else moment


def _source_name(sources: Mapping[str, Source], source_id: str) -> tuple[str, str, str]:
    source = sources.get(source_id)
    if source is None:
        return source_id, "", ""
    return source.name, LAND_CODES[source.land], KINDS[source.kind]


def campaign_items(
    campaign: Campaign,
    items: Sequence[StoredItem],
    sources: Mapping[str, Source],
    reasons: Mapping[tuple[str, str], str],
) -> Table:
    """Every item of the campaign in date order, with the rule that matched it."""
    rows = []
    for stored in sorted(items, key=lambda s: (s.item.published, s.item.source_id)):
        item = stored.item
        name, land, kind = _source_name(sources, item.source_id)
        rows.append(
            (
                name,
                land,
                kind,
                local_day_or_time(item.published),
                "ja" if item.date_is_guess else "nein",
                DATED_BY[item.dated_by],
                item.title,
                item.url,
                item.summary_text or None,
                stored.group_id if stored.group_size > 1 else None,
                stored.group_size,
                reasons.get((item.source_id, item.key)),
            )
        )
    return Table("Meldungen", ITEM_HEADINGS, tuple(rows))


def _state(health: SourceHealth | None, source: Source) -> tuple[str, str | None]:
    """The source's state in a coordinator's words, and the technical problem if any."""
    if not source.enabled:
        return "nicht verfolgt (keine Seite bekannt)", None
    if health is None or health.last_status == Health.NEVER:
        return "noch nicht abgerufen", None
    if health.last_status == Health.GONE:
        return "Seite entfernt", health.problem
    if health.sick:
        return "gestört", health.problem
    return "in Ordnung", None


def participation(
    config: Config,
    campaign: Campaign,
    items: Sequence[StoredItem],
    health: Sequence[SourceHealth],
) -> Table:
    """One row per jobcenter of the registry: how much it published in the campaign,
    when, and whether we could have seen it (tracked, its source readable)."""
    by_source: dict[str, list[datetime]] = {}
    for stored in items:
        by_source.setdefault(stored.item.source_id, []).append(stored.item.published)
    rows_health = {row.source_id: row for row in health}
    order = list(LAND_CODES)
    rows = []
    for source in sorted(config.sources, key=lambda s: (order.index(s.land), s.name)):
        dates = sorted(by_source.get(source.id, []))
        state, problem = _state(rows_health.get(source.id), source)
        rows.append(
            (
                source.name,
                LAND_CODES[source.land],
                KINDS[source.kind],
                source.ags,
                len(dates),
                local(dates[0]) if dates else None,
                local(dates[-1]) if dates else None,
                "ja" if source.enabled else "nein",
                state,
                problem,
            )
        )
    return Table("Beteiligung", PARTICIPATION_HEADINGS, tuple(rows))


def resonance(
    echoes: Sequence[Resonance], sources: Mapping[str, Source], press: Mapping[str, str]
) -> Table:
    """One row per article and the release it echoes (issue 35): paper, date, title, link,
    the release's jobcenter, its title and link, the score and the evidence."""
    rows = []
    for echo in echoes:
        article, release = echo.article.item, echo.release.item
        name, land, _ = _source_name(sources, release.source_id)
        rows.append(
            (
                press.get(article.source_id, article.source_id),
                local_day_or_time(article.published),
                article.title,
                article.url,
                name,
                land,
                release.title,
                release.url,
                round(echo.score * 100),
                "; ".join(echo.evidence),
            )
        )
    return Table("Medienecho", RESONANCE_HEADINGS, tuple(rows))


class ExportStore(FeedStore, HealthStore, Protocol):
    """What the exports read from the store (store.database.Store has it)."""

    def campaign_reasons(self, campaign_id: str) -> dict[tuple[str, str], str]: ...

    def resonance(self, campaign_id: str) -> list[Resonance]: ...


def resonance_table(config: Config, store: ExportStore, campaign: Campaign) -> Table:
    """The campaign's echo in the press, read from the store."""
    press = {p.id: p.name for p in config.press}
    return resonance(store.resonance(campaign.id), feed_sources(config, store), press)


def campaign_tables(
    config: Config, store: ExportStore, campaign: Campaign, now: datetime
) -> tuple[Table, Table]:
    """The campaign's items and its participation, read from the store."""
    items = store.items(limit=None, campaign_id=campaign.id)
    sources = feed_sources(config, store)
    return (
        campaign_items(campaign, items, sources, store.campaign_reasons(campaign.id)),
        participation(config, campaign, items, source_health(config, store, now)),
    )
