"""Stored items -> a JSON Feed 1.1 document (jsonfeed.org/version/1.1), beside every Atom
feed, for the readers that prefer it. The same entries in the same order: id, link, title,
text, dates, the jobcenter as author, Land and campaigns as tags, and the jobcenter's
identity in an extension object (`_jobcenter`). Older pages are linked by `next_url`."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from aggregator.core.model import LAND_CODES, StoredItem
from aggregator.normalize.entries import atom_id
from aggregator.publish.atom import UNTITLED, EntryContext, FeedHead, format_time, log_skipped

VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_TYPE = "application/feed+json"


def _item(stored: StoredItem, context: EntryContext) -> dict[str, Any]:
    item = stored.item
    source = context.sources.get(item.source_id)
    entry: dict[str, Any] = {
        "id": atom_id(item.source_id, item.key),
        "title": item.title.strip() or item.url or UNTITLED,
        "date_published": format_time(item.published),
        "date_modified": format_time(max(stored.updated, item.published)),
        "language": "de",
    }
    if item.url:
        entry["url"] = item.url
    if item.content_html.strip():
        entry["content_html"] = item.content_html
    elif item.summary_html.strip():
        entry["content_html"] = item.summary_html
    else:
        entry["content_text"] = item.summary_text.strip() or item.title
    if item.summary_text.strip():
        entry["summary"] = item.summary_text.strip()
    author: dict[str, str] = {
        "name": (source.publisher or source.name) if source else item.source_id
    }
    if source and source.homepage:
        author["url"] = source.homepage
    entry["authors"] = [author]
    campaigns = [c.title if (c := context.campaigns.get(i)) else i for i in stored.campaigns]
    tags = [source.name, LAND_CODES[source.land]] if source else [item.source_id]
    entry["tags"] = tags + campaigns
    extension: dict[str, Any] = {"source": item.source_id, "campaigns": list(stored.campaigns)}
    if source:
        extension["land"] = source.land
    if context.group_url and stored.group_id and stored.group_size > 1:
        extension["joint_release"] = {
            "feed": context.group_url(stored.group_id),
            "jobcenters": stored.group_size,
        }
    entry["_jobcenter"] = extension
    return entry


def render_json_feed(
    items: Sequence[StoredItem],
    head: FeedHead,
    context: EntryContext,
    on_skipped: Callable[[StoredItem, Exception], None] | None = None,
) -> bytes:
    """The JSON Feed of `items`, in the order given; `head.links` gives the older page
    (`prev-archive`) as `next_url` and the hub as `hubs`."""
    links = dict(head.links)
    document: dict[str, Any] = {
        "version": VERSION,
        "title": head.title,
        "feed_url": head.self_url,
        "description": head.subtitle,
        "language": "de",
        "authors": [{"name": "jobcenter-aggregator"}],
    }
    if head.home_url:
        document["home_page_url"] = head.home_url
    if "prev-archive" in links:
        document["next_url"] = links["prev-archive"]
    if "hub" in links:
        document["hubs"] = [{"type": "WebSub", "url": links["hub"]}]
    entries = []
    for stored in items:
        try:
            entries.append(_item(stored, context))
        except Exception as exc:  # one bad item must not cost the whole document
            (on_skipped or log_skipped)(stored, exc)
    document["items"] = entries
    # a lone surrogate (never stored, but never trusted) must not make invalid UTF-8
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8", "replace")
