"""The decisions of a refresh, made from values only (no network, no store, no clock
that is not passed in), so that they are tested table-driven: whether to fetch a URL
now, when to try again after a failure, whether a new item's own page is read, and
whether to go on to a listing's next page.

Consecutive failures back off exponentially from the source's interval (30 min,
1 h, 2 h, …) up to a cap, with jitter so that sources that failed together do
not come back together; a Retry-After from the server wins when it asks for more.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from aggregator.core.backoff import backoff_delay
from aggregator.core.model import FetchState
from aggregator.core.time import BERLIN

JITTER = (0.8, 1.2)


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date -> how long to wait (None if absent or bad)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


def next_attempt(
    now: datetime,
    failures: int,
    interval: timedelta,
    cap: timedelta,
    retry_after: timedelta | None = None,
    jitter: float = 1.0,
) -> datetime:
    delay = backoff_delay(failures, interval, cap, jitter)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return now + delay


def skip_reason(state: FetchState | None, now: datetime, force: bool) -> str | None:
    """Why a URL is not fetched now (gone, or backing off); None: fetch it. `force`
    overrides a backoff, never a 410."""
    if state is None:
        return None
    if state.gone:
        return "gone (HTTP 410): no longer polled; remove or replace it in sources.yaml"
    if state.next_attempt and now < state.next_attempt and not force:
        when = state.next_attempt.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
        return f"backing off after {state.consecutive_failures} failures; next attempt {when}"
    return None


def needs_detail(
    has_link: bool, follow: bool, date_is_guess: bool, stored: str | None, fingerprint: str
) -> bool:
    """Read an item's own page when the listing asks for full texts (`follow`) or lacks
    its date, and only for an item that is new or changed (`stored`: its stored
    fingerprint, None if new)."""
    new_or_changed = stored is None or stored != fingerprint
    return has_link and (follow or date_is_guess) and new_or_changed


def keep_paging(known: Sequence[bool], next_url: str | None) -> bool:
    """Go on to the next page while every item of this one was new: one already stored
    means we caught up; an empty page or no next link ends the listing."""
    return bool(known) and not any(known) and next_url is not None
