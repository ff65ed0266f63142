"""An item seen again: which of its two versions is kept, field by field. Pure.

The store finds the stored row that is this item (by key, link, or same text on the
same day) and applies what this decides; the rules live here so that they are read
and tested without a database.
"""

from __future__ import annotations

from dataclasses import replace

from aggregator.core.judging import Kept, Revision
from aggregator.core.model import Item
from aggregator.parse.titles import better_title


def revise(kept: Kept, item: Item) -> Revision:
    """The stored version updated by what was read now.

    Seen through another target than the one that stored it (feed vs. listing page),
    the item may add what is missing but not overwrite, or the two would take turns
    forever. A listing without full text keeps the stored one; a detail page's full
    headline is not replaced by a listing's shortened one; a real date replaces a guess.
    """
    content = kept.content_html
    new_content = item.content_html or content
    if kept.fetched_from != item.fetched_from:
        item = replace(
            item,
            title=kept.title,
            summary_html=kept.summary_html,
            summary_text=kept.summary_text,
            fingerprint=kept.fingerprint,
            url=kept.url,
        )
        new_content = content or item.content_html or ""
    if item.title and better_title(item.title, kept.title) == kept.title != item.title:
        item = replace(item, title=kept.title)
    changed = (
        kept.title != item.title or kept.summary_html != item.summary_html or content != new_content
    )
    better_date = kept.date_is_guess and not item.date_is_guess
    published = item.published if better_date else kept.published
    return Revision(item, new_content, changed, better_date, published)
