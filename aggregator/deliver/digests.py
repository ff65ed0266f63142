"""E-mail digests, exactly once: claim a period in the store, compose each recipient's
message from what arrived since that recipient's last digest, send, and record what
happened. One recipient at a time: the service sends in a thread while the store stays on
its event loop; the command line runs the same steps.

A period claimed by a sender that died before recording the result is 'uncertain': it
is never sent again (the server may have taken it) and health says so. A failed one is
retried with a doubling wait until the next period is due, which then also holds its
items.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from aggregator.config.schema import Campaign, Config, Digest
from aggregator.core.backoff import backoff_delay
from aggregator.core.kinds import DeliveryState
from aggregator.core.model import StoredItem
from aggregator.core.time import BERLIN
from aggregator.publish.digests import (
    DigestView,
    build_message,
    digest_view,
    message_id,
    render_text,
)
from aggregator.publish.feeds import feed_sources
from aggregator.publish.health import source_health
from aggregator.publish.periods import Period, due_period, german_date
from aggregator.store.database import Store
from aggregator.store.digests import Claim, Delivery, claimable

__all__ = ["Delivery", "Outcome", "deliver_period", "due_digests", "interrupted", "preview"]

MAX_WAIT = timedelta(hours=1)  # between two tries of a failed digest
Sender = Callable[[EmailMessage], Awaitable[str | None]]  # None: the server took it


@dataclass(frozen=True)
class Outcome:
    digest_id: str
    period: str
    recipient: str
    state: DeliveryState  # SENT, EMPTY or FAILED
    items: int
    error: str | None = None
    next_attempt: datetime | None = None


def claimant() -> str:
    """Who claims: this host and process, so a survivor can tell a dead sender."""
    return f"{socket.gethostname()}:{os.getpid()}"


def alive(claimed_by: str) -> bool:
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's, or unreadable: not ours to wait for
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _retry_at(claim: Claim, config: Config, now: datetime) -> datetime:
    assert config.mail is not None
    return now + backoff_delay(claim.attempt, config.mail.retry, MAX_WAIT)


def now_period(digest: Digest, config: Config, now: datetime) -> Period:
    """A period of its own for a digest sent by hand: what arrived since the last one."""
    due = due_period(digest, _campaign(digest, config), now)
    local = now.astimezone(BERLIN)  # coordinators read Berlin time, as the mail's Date
    label = f"Stand {german_date(local.date())}, {local:%H:%M} Uhr"
    return Period(f"sofort-{now:%Y%m%dT%H%M%S.%f}", now, due.since if due else None, label)


def _campaign(digest: Digest, config: Config) -> Campaign | None:
    return config.campaign(digest.campaign) if digest.campaign else None


def digest_items(
    store: Store, config: Config, digest: Digest, period: Period, arrived: tuple[int, int]
) -> list[StoredItem]:
    """The items of the digest's feed that arrived in the range; for a summary, all of
    the campaign's."""
    source_ids = (
        tuple(s.id for s in config.sources if s.land == digest.land) if digest.land else None
    )
    return store.items(
        limit=None,
        source_ids=source_ids,
        campaign_id=digest.campaign,
        text=digest.q,
        arrived=None if period.summary else arrived,
    )


def _message(
    store: Store,
    config: Config,
    digest: Digest,
    period: Period,
    claim: Claim,
    base_url: str,
    now: datetime,
) -> tuple[EmailMessage | None, int]:
    assert config.mail is not None
    items = digest_items(store, config, digest, period, (claim.after, claim.upto))
    if not items and not digest.send_empty:
        return None, 0
    view = _view(store, config, digest, period, items, base_url, now)
    return build_message(view, config.mail, claim.recipient, claim.message_id, now), len(items)


def _view(
    store: Store,
    config: Config,
    digest: Digest,
    period: Period,
    items: list[StoredItem],
    base_url: str,
    now: datetime,
) -> DigestView:
    sources, health = feed_sources(config, store), source_health(config, store, now)
    return digest_view(digest, config, period, items, sources, health, base_url)


async def deliver_period(
    store: Store,
    config: Config,
    digest: Digest,
    period: Period,
    base_url: str,
    send: Sender,
    clock: Callable[[], datetime],
) -> list[Outcome]:
    """For each recipient still owed the period: claim, compose, send, record, one
    recipient after the other, so that a sender dying mid-send leaves at most one
    message uncertain. A recipient with nothing new is recorded 'empty' (unless
    `send_empty`)."""
    assert config.mail is not None
    outcomes = []
    for recipient in digest.to:
        now = clock()
        if not claimable(store.digest_delivery(digest.id, period.key, recipient), now):
            continue  # a read first: most looks find the period done, without a write
        wanted = [(recipient, message_id(digest.id, period.key, base_url))]
        claims = store.claim_digest(digest.id, period.key, wanted, claimant(), now, period.since)
        if not claims:
            continue  # sent, empty, uncertain, claimed by another, or waiting to retry
        claim = claims[0]
        try:
            message, count = _message(store, config, digest, period, claim, base_url, now)
        except Exception as exc:  # a bug must not leave the claim behind for ever
            store.fail_digest(
                digest.id, period.key, recipient, f"bug: {exc}", _retry_at(claim, config, now), now
            )
            raise
        if message is None:
            store.finish_digest(digest.id, period.key, recipient, DeliveryState.EMPTY, 0, now)
            outcomes.append(Outcome(digest.id, period.key, recipient, DeliveryState.EMPTY, 0))
            continue
        error = await send(message)
        outcomes.append(_settle(store, config, digest, period, claim, count, error, clock()))
    return outcomes


def _settle(  # noqa: PLR0913 - one recipient's result
    store: Store,
    config: Config,
    digest: Digest,
    period: Period,
    claim: Claim,
    count: int,
    error: str | None,
    now: datetime,
) -> Outcome:
    assert config.mail is not None
    if error is None:
        store.finish_digest(digest.id, period.key, claim.recipient, DeliveryState.SENT, count, now)
        return Outcome(digest.id, period.key, claim.recipient, DeliveryState.SENT, count)
    retry = _retry_at(claim, config, now)
    store.fail_digest(digest.id, period.key, claim.recipient, error, retry, now)
    return Outcome(
        digest.id, period.key, claim.recipient, DeliveryState.FAILED, count, error, retry
    )


def due_digests(store: Store, config: Config, now: datetime) -> list[tuple[Digest, Period]]:
    """Each digest with the period that is due now; a period that came due before the
    digest was first seen is not (a new digest waits for its first slot)."""
    found = []
    for digest in config.digests:
        period = due_period(digest, _campaign(digest, config), now)
        if period is not None and period.due >= store.digest_known_since(digest.id, now):
            found.append((digest, period))
    return found


def interrupted(store: Store, now: datetime) -> list[Delivery]:
    """Deliveries whose sender died mid-send, from now on 'uncertain'."""
    return store.interrupted_digests(alive, now)


def preview(
    store: Store, config: Config, digest: Digest, base_url: str, now: datetime
) -> tuple[Period, str, str, int]:
    """What `digest --send` would send now, without claiming anything: its period,
    subject, text part and number of items (to the first recipient)."""
    period = now_period(digest, config, now)
    after = store.digest_start(digest.id, digest.to[0], period.since)
    items = digest_items(store, config, digest, period, (after, store.last_arrival()))
    view = _view(store, config, digest, period, items, base_url, now)
    return period, view.subject, render_text(view), len(items)
