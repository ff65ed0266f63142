"""Three jobcenters, a joint release and a failing source: what digest and review
tests render."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aggregator.config.loader import parse_config
from aggregator.core.kinds import Health
from aggregator.core.model import Item, StoredItem
from aggregator.publish.health import SourceHealth
from aggregator.publish.periods import Period

CONFIG = parse_config("""\
version: 1
campaigns:
  - id: aktionswoche-2022
    title: "Aktionswoche der kommunalen Jobcenter 2022"
    window: {start: 2022-06-20, end: 2022-06-26}
    match: {any: [Aktionswoche]}
mail: {host: smtp.kreis.example, sender: "Jobcenter-Monitor <monitor@kreis.example>"}
digests:
  - {id: team, to: [presse@landkreistag.example], campaign: aktionswoche-2022}
sources:
  - {id: spree-neisse, name: Jobcenter Spree-Neiße, land: BB, kind: landkreis}
  - {id: goerlitz, name: Jobcenter Görlitz, land: SN, kind: landkreis}
  - {id: bautzen, name: Jobcenter Bautzen, land: SN, kind: landkreis}
""")
SOURCES = {source.id: source for source in CONFIG.sources}
T0 = datetime(2022, 6, 21, 9, 0, tzinfo=UTC)
PERIOD = Period("2022-06-22", T0 + timedelta(days=1), T0, "Mittwoch, 22. Juni 2022")


def stored(
    source_id: str, title: str, group: str | None = None, size: int = 1, hours: int = 0
) -> StoredItem:
    site = f"https://{source_id}.example"
    item = Item(
        source_id,
        f"k:{source_id}:{title}",
        f"{site}/{hours}",
        title,
        "",
        f"Text zu {title} mit Umlauten: Größe, Übergänge.",
        "",
        T0 + timedelta(hours=hours),
        False,
        "f",
        f"{site}/rss",
    )
    return StoredItem(item, item.published, item.published, ("aktionswoche-2022",), group, (), size)


JOINT = "Bundesweite Aktionswoche der kommunalen Jobcenter"
ITEMS = [
    stored("spree-neisse", JOINT, "g-1", 3, hours=1),
    stored("goerlitz", JOINT, "g-1", 3, hours=2),
    stored("goerlitz", "Tag der offenen Tür im Jobcenter Görlitz", hours=3),
    stored("bautzen", 'Bewerbungstraining <script>alert("x")</script> & mehr', hours=4),
]
HEALTH = [
    SourceHealth("bautzen", None, None, Health.ERROR, 3, None, 1, 1, "HTTP 503"),
    SourceHealth("goerlitz", None, None, Health.OK, 0, None, 2, 2, None),
]
