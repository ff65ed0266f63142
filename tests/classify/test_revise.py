"""Which version of an item seen again is kept (classify.revise), from values alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from aggregator.classify.revise import revise
from aggregator.core.judging import Kept
from aggregator.core.model import Item

DAY = datetime(2019, 8, 28, tzinfo=UTC)
REAL_DAY = datetime(2019, 8, 27, 9, 30, tzinfo=UTC)
FEED = "https://www.lkspn.de/rss.xml"
LISTING = "https://www.lkspn.de/presse/"

KEPT = Kept(
    title="Aktionswoche im Jobcenter Spree-Neiße",
    summary_html="<p>Offene Türen</p>",
    summary_text="Offene Türen",
    content_html="",
    fingerprint="f1",
    url="https://www.lkspn.de/presse/175",
    fetched_from=FEED,
    date_is_guess=False,
    published=DAY,
)


def read(**changes: object) -> Item:
    item = Item(
        source_id="spree-neisse",
        key="link:lkspn.de/presse/175",
        url=KEPT.url,
        title=KEPT.title,
        summary_html=KEPT.summary_html,
        summary_text=KEPT.summary_text,
        content_html="",
        published=DAY,
        date_is_guess=False,
        fingerprint="f1",
        fetched_from=FEED,
    )
    return replace(item, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kept", "item", "title", "content", "changed", "better_date"),
    [
        # the same again: nothing to store
        (KEPT, read(), KEPT.title, "", False, False),
        # the same target with a new title: updated
        (KEPT, read(title="Aktionswoche verlängert"), "Aktionswoche verlängert", "", True, False),
        # full text arrives (a detail page was read): updated
        (KEPT, read(content_html="<p>Lang</p>"), KEPT.title, "<p>Lang</p>", True, False),
        # a listing without full text keeps the stored one
        (
            replace(KEPT, content_html="<p>Lang</p>"),
            read(),
            KEPT.title,
            "<p>Lang</p>",
            False,
            False,
        ),
        # another target may not overwrite the title ...
        (KEPT, read(fetched_from=LISTING, title="Anders"), KEPT.title, "", False, False),
        # ... but may add the full text that is missing
        (
            KEPT,
            read(fetched_from=LISTING, content_html="<p>Lang</p>"),
            KEPT.title,
            "<p>Lang</p>",
            True,
            False,
        ),
        # the detail page's full headline is not cut back to the listing's shortened one
        (
            replace(KEPT, title="Aktionswoche im Jobcenter Spree-Neiße: Bilanz"),
            read(title="Aktionswoche im Jobcenter …"),
            "Aktionswoche im Jobcenter Spree-Neiße: Bilanz",
            "",
            False,
            False,
        ),
        # a real date replaces a guessed one, and that alone is worth storing
        (replace(KEPT, date_is_guess=True), read(published=REAL_DAY), KEPT.title, "", False, True),
        # a guess never replaces a real date
        (KEPT, read(published=REAL_DAY, date_is_guess=True), KEPT.title, "", False, False),
    ],
)
def test_revision(kept, item, title, content, changed, better_date):
    revision = revise(kept, item)
    assert revision.item.title == title
    assert revision.content_html == content
    assert (revision.changed, revision.better_date) == (changed, better_date)
    assert revision.published == (item.published if better_date else kept.published)
