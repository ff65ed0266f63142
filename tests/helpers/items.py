"""Items as the store keeps them, made up for tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from aggregator.core.model import Item

T0 = datetime(2019, 8, 28, 10, 0, tzinfo=UTC)


def make_item(key: str = "link:e.de/1", **changes) -> Item:
    item = Item(
        source_id="spree-neisse",
        key=key,
        url="https://e.de/1",
        title="Aktionswoche",
        summary_html="<p>Text</p>",
        summary_text="Text",
        content_html="",
        published=datetime(2019, 8, 28, 7, 15, tzinfo=UTC),
        date_is_guess=False,
        fingerprint="f1",
        fetched_from="https://e.de/rss.xml",
    )
    return replace(item, **changes)


# a text long enough to shingle: the joint release of several jobcenters
JOINT = (
    "Vom 26. bis 30. August laden die kommunalen Jobcenter zu einer bundesweiten "
    "Aktionswoche ein und zeigen ihre Angebote für Familien und Betriebe vor Ort"
)
