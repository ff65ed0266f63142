"""What the coordinators' dashboard shows, computed from config, items and health. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aggregator.config.schema import Campaign, Config, Source
from aggregator.core.model import LAND_CODES, StoredItem
from aggregator.publish.health import SourceHealth

LATEST = 30


@dataclass(frozen=True)
class Card:
    """An item, or a joint release shown once with all jobcenters that published it."""

    first: StoredItem
    members: tuple[StoredItem, ...]

    @property
    def joint(self) -> bool:
        return self.size > 1

    @property
    def size(self) -> int:
        """Jobcenters that published it: all of the group, not only those on this page."""
        return max(len(self.members), self.first.group_size)


@dataclass(frozen=True)
class LandRow:
    code: str
    name: str
    participating: tuple[Source, ...]
    waiting: tuple[Source, ...]  # tracked and readable, nothing published yet
    untracked: tuple[Source, ...]  # disabled: no page known yet
    disturbed: tuple[Source, ...] = ()  # tracked, nothing found, and its site cannot be read

    @property
    def total(self) -> int:
        return (
            len(self.participating) + len(self.waiting) + len(self.untracked) + len(self.disturbed)
        )

    @property
    def tracked(self) -> int:
        return self.total - len(self.untracked)


@dataclass(frozen=True)
class CampaignView:
    campaign: Campaign
    lands: tuple[LandRow, ...]
    cards: tuple[Card, ...]
    items: int
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def participating(self) -> int:
        return sum(len(land.participating) for land in self.lands)

    @property
    def registered(self) -> int:
        return sum(land.total for land in self.lands)

    @property
    def tracked(self) -> int:
        """Sources we follow; only these can show whether they published."""
        return sum(land.tracked for land in self.lands)

    @property
    def untracked(self) -> int:
        return sum(len(land.untracked) for land in self.lands)

    @property
    def disturbed(self) -> int:
        return sum(len(land.disturbed) for land in self.lands)


def cards(items: Sequence[StoredItem], limit: int = LATEST) -> tuple[Card, ...]:
    """Newest first; the members of a near-duplicate group collapse into one card."""
    groups: dict[str, list[StoredItem]] = {}
    order: list[str] = []
    for stored in items:
        key = stored.group_id or f"{stored.item.source_id}\n{stored.item.key}"
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(stored)
    return tuple(Card(groups[k][0], tuple(groups[k])) for k in order[:limit])


def campaign_view(
    config: Config,
    campaign: Campaign,
    items: Sequence[StoredItem],
    health: Sequence[SourceHealth] = (),
) -> CampaignView:
    """Participation per Land. A tracked source without items is "waiting" only while
    its site can be read: one that fails is "disturbed" ("Quelle gestört"), since then
    nobody knows whether it published."""
    failing = {row.source_id for row in health if row.sick}
    counts: dict[str, int] = {}
    for stored in items:
        counts[stored.item.source_id] = counts.get(stored.item.source_id, 0) + 1
    lands = []
    for code, name in LAND_CODES.items():
        members = [s for s in config.sources if s.land == code]
        if not members:
            continue
        lands.append(
            LandRow(
                code,
                name,
                participating=tuple(s for s in members if counts.get(s.id)),
                waiting=tuple(
                    s for s in members if s.enabled and not counts.get(s.id) and s.id not in failing
                ),
                untracked=tuple(s for s in members if not s.enabled and not counts.get(s.id)),
                disturbed=tuple(
                    s for s in members if s.enabled and not counts.get(s.id) and s.id in failing
                ),
            )
        )
    return CampaignView(campaign, tuple(lands), cards(items), len(items), counts)


@dataclass(frozen=True)
class Dashboard:
    campaigns: tuple[CampaignView, ...]
    latest: tuple[Card, ...]
    health: tuple[SourceHealth, ...]
    sources: Mapping[str, Source]

    @property
    def sick(self) -> int:
        return sum(1 for row in self.health if row.sick and self.sources[row.source_id].enabled)
