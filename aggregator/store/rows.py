"""Between rows and values: timestamps, the common filters, stored items."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from aggregator.core.kinds import DatedBy
from aggregator.core.model import Item, StoredItem

_SHORT_YEAR = re.compile(r"^(\d{1,3})-")
NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)  # what a stored time no reader can parse reads as
PUBLISHED = "coalesce(published_fixed, published)"  # an editor's date before the source's


def to_text(value: datetime) -> str:
    """Aware datetime -> sortable UTC text (the year always four digits: strftime's %Y
    writes year 1 as '1', which neither sorts nor parses)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def stored_time(value: str) -> datetime:
    """Stored text -> aware datetime, never raising: a row written by an older version
    with a short year is read with it padded, anything else unreadable as NO_TIME, so
    that one odd row never takes a page or a feed down."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        pass
    try:
        return datetime.fromisoformat(_SHORT_YEAR.sub(lambda m: m.group(1).zfill(4) + "-", value))
    except (TypeError, ValueError):
        return NO_TIME


def from_text(value: str | None) -> datetime | None:
    return stored_time(value) if value else None


# The campaign filter of every read (rows.item_filters): the rules' members the editors
# did not take out, and those they took in.
IN_CAMPAIGN = (
    "((EXISTS (SELECT 1 FROM item_campaigns c WHERE c.source_id = items.source_id "
    "AND c.key = items.key AND c.campaign_id = ?) AND NOT EXISTS (SELECT 1 FROM "
    "campaign_overrides o WHERE o.campaign_id = ? AND o.source_id = items.source_id "
    "AND o.key = items.key AND o.member = 0)) OR EXISTS (SELECT 1 FROM campaign_overrides o "
    "WHERE o.campaign_id = ? AND o.source_id = items.source_id AND o.key = items.key "
    "AND o.member = 1))"
)


# A campaign's coverage in the press: articles about the campaign, or echoing one of its
# releases (store.echoes).
COVERAGE = (
    f"({IN_CAMPAIGN} OR EXISTS (SELECT 1 FROM echoes e JOIN items r ON "
    "r.source_id = e.release_source AND r.key = e.release_key WHERE "
    "e.article_source = items.source_id AND e.article_key = items.key AND "
    f"{IN_CAMPAIGN.replace('items.', 'r.')}))"
)


def item_filters(  # noqa: PLR0913 - the common filters, each optional
    source_ids: Iterable[str] | None,
    campaign_id: str | None,
    published_between: tuple[datetime, datetime] | None,
    text: str | None,
    group_id: str | None = None,
    arrived: tuple[int, int] | None = None,
    without_held: bool = False,
    with_waiting: bool = False,
    press: bool | None = False,
) -> tuple[str, list[object]]:
    """A WHERE clause (or nothing) and its arguments for the common item filters.
    `without_held`: items held back as a source's flood are left out, unless one source
    is asked for (what the feeds of many sources and the dashboard's lists show). Items
    waiting for the detail page that dates them are left out unless `with_waiting`: no
    output shows an invented date (schema migration 19). Press articles are read only
    with `press` (coverage), and then only they (migration 24)."""
    where: list[str] = [] if with_waiting else ["waiting = 0"]
    if press is not None:  # coverage, or the jobcenters' items (None: both)
        where.append("press = 1" if press else "press = 0")
    args: list[object] = []
    ids = list(source_ids) if source_ids is not None else None
    if without_held and (ids is None or len(ids) > 1):  # a flood: in its source's feed only
        where.append("held = 0")
    if ids is not None:
        where.append(f"source_id IN ({','.join('?' * len(ids))})")
        args.extend(ids)
    if campaign_id is not None:
        where.append(COVERAGE if press else IN_CAMPAIGN)
        args.extend([campaign_id] * (6 if press else 3))
    if group_id is not None:
        where.append("group_id = ?")
        args.append(group_id)
    if arrived is not None:  # arrival numbers: after the first, up to the second
        where.append("seq > ? AND seq <= ?")
        args.extend(arrived)
    if published_between is not None:
        where.append(f"{PUBLISHED} BETWEEN ? AND ?")
        args.extend(to_text(t) for t in published_between)
    if text:
        for word in text.split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("(title LIKE ? ESCAPE '\\' OR summary_text LIKE ? ESCAPE '\\')")
            args.extend([f"%{escaped}%"] * 2)
    return (" WHERE " + " AND ".join(where) if where else ""), args


E = TypeVar("E", bound=StrEnum)


def as_enum(kind: type[E], value: str | None) -> E | None:
    """A stored string as its enum (None: none stored, or a value this version does not
    know, as a newer version may write): converted once, here at the store's edge."""
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


def _dated_by(value: str) -> DatedBy:
    return as_enum(DatedBy, value) or DatedBy.UNKNOWN


def stored_item(
    row: sqlite3.Row,
    campaigns: tuple[str, ...] = (),
    related: tuple[str, ...] = (),
    group_size: int = 1,
) -> StoredItem:
    fixed_date = row["published_fixed"]  # an editor's corrections come first
    item = Item(
        source_id=row["source_id"],
        key=row["key"],
        url=row["url"],
        title=row["title_fixed"] or row["title"],
        summary_html=row["summary_html"],
        summary_text=row["summary_text"],
        content_html=row["content_html"],
        published=stored_time(fixed_date or row["published"]),
        date_is_guess=bool(row["date_is_guess"]) and not fixed_date,
        fingerprint=row["fingerprint"],
        fetched_from=row["fetched_from"],
        guid=row["guid"],
        dated_by=DatedBy.EDITOR if fixed_date else _dated_by(row["dated_by"]),
    )
    return StoredItem(
        item=item,
        first_seen=stored_time(row["first_seen"]),
        updated=stored_time(row["updated"]),
        campaigns=campaigns,
        group_id=row["group_id"],
        related=related,
        group_size=group_size,
    )
