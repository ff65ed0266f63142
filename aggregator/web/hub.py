"""The service as the WebSub hub of its own feeds (W3C WebSub, 2018).

A reader (FreshRSS, Feedly, Inoreader, NewsBlur …) finds the hub in a feed's
`<link rel="hub">` or its `Link:` header and asks to subscribe a callback URL. The hub
answers 202 at once and then verifies the intent: it asks the callback to echo a random
challenge. A verified subscription is kept in the store with its lease (and secret);
whenever a refresh stores something, each subscribed feed is rendered and, if its
document changed since that subscriber was last sent it, sent to the callback with an
HMAC-SHA256 signature of the body made with the subscriber's secret. A failed delivery
is tried again with a doubling wait; a callback that answers 410 is unsubscribed; an
expired lease ends the subscription.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from aggregator.config.schema import WebSub
from aggregator.core.backoff import backoff_delay
from aggregator.core.logs import event
from aggregator.fetch.addresses import is_internal
from aggregator.store.database import Store
from aggregator.store.websub import Subscription

TIMEOUT = 10.0  # seconds for a callback to answer
MAX_WAIT = timedelta(hours=1)
MIN_LEASE = timedelta(minutes=1)
AT_ONCE = 16  # deliveries in flight
PENDING = 64  # verifications in flight: each request makes the hub call a URL it names


@dataclass(frozen=True)
class Document:
    """A topic's current document: its body, ETag and media type."""

    body: bytes
    etag: str
    media_type: str


class HubRequestError(ValueError):
    """A subscription request the hub refuses at once (400), with the reason."""


class HubBusy(HubRequestError):
    """Too many verifications in flight: try again later (429)."""


@dataclass(frozen=True)
class Request:
    mode: str  # subscribe, unsubscribe
    topic: str
    callback: str
    lease: timedelta
    secret: str | None


def signature(secret: str, body: bytes) -> str:
    """The X-Hub-Signature header's value for a body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


MAX_ASKED_LEASE = 10 * 365 * 86400  # a longer lease asked for is no lease but an attack


def _lease(asked: str, default: timedelta, longest: timedelta) -> timedelta:
    """hub.lease_seconds as the hub grants it: what was asked, within our bounds."""
    if not asked:
        return default
    if not (asked.isascii() and asked.isdigit()) or len(asked) > 10:
        raise HubRequestError("hub.lease_seconds must be a whole number of seconds")
    seconds = int(asked)
    if not 0 < seconds <= MAX_ASKED_LEASE:
        raise HubRequestError(f"hub.lease_seconds must be between 1 and {MAX_ASKED_LEASE}")
    return max(MIN_LEASE, min(longest, timedelta(seconds=seconds)))


class Hub:
    def __init__(
        self,
        settings: Callable[[], WebSub],
        store: Store,
        hub_url: str,
        document: Callable[[str], Document | None],
        on_delivery: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.hub_url = hub_url
        self.document = document  # the current document of a topic URL; None: no such feed
        self.on_delivery = on_delivery or (lambda outcome: None)
        self._client = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
        self._tasks: set[asyncio.Task[None]] = set()
        self._publishing = asyncio.Lock()
        self._again = False

    # -- subscription requests -------------------------------------------------------

    async def parse(self, form: dict[str, str]) -> Request:
        """Check a request as it arrives: a known topic, an acceptable callback."""
        settings = self.settings()
        if len(self._tasks) >= PENDING:
            raise HubBusy("too many subscription requests at once; try again in a minute")
        mode = form.get("hub.mode", "")
        if mode not in ("subscribe", "unsubscribe"):
            raise HubRequestError("hub.mode must be subscribe or unsubscribe")
        topic, callback = form.get("hub.topic", ""), form.get("hub.callback", "")
        if self.document(topic) is None:
            raise HubRequestError(f"hub.topic is not a feed of this hub: {topic[:200]!r}")
        parts = urlsplit(callback)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(callback) > 2000:
            raise HubRequestError("hub.callback must be an http(s) URL")
        if not settings.allow_private_callbacks and await self._resolves_privately(parts.hostname):
            raise HubRequestError("hub.callback points into a private network")
        secret = form.get("hub.secret") or None
        if secret is not None and len(secret.encode("utf-8")) >= 200:
            raise HubRequestError("hub.secret must be shorter than 200 bytes")
        lease = _lease(form.get("hub.lease_seconds", ""), settings.lease, settings.max_lease)
        if mode == "subscribe" and self.store.websub_count() >= settings.max_subscriptions:
            raise HubRequestError("this hub has as many subscriptions as it takes")
        return Request(mode, topic, callback, lease, secret)

    async def _resolves_privately(self, host: str) -> bool:
        try:
            found = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
        except OSError:
            return False  # verification will fail on its own
        return any(is_internal(str(info[4][0])) for info in found)

    def accept(self, request: Request) -> None:
        """Verify the intent in the background (the request was answered 202)."""
        task = asyncio.create_task(self._verify(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _verify(self, request: Request) -> None:
        challenge = secrets.token_urlsafe(24)
        params = {"hub.mode": request.mode, "hub.topic": request.topic, "hub.challenge": challenge}
        if request.mode == "subscribe":
            params["hub.lease_seconds"] = str(int(request.lease.total_seconds()))
        try:
            answer = await self._client.get(request.callback, params=params)
            confirmed = answer.is_success and answer.text.strip() == challenge
        except httpx.HTTPError as exc:
            event(
                "websub verification failed",
                logging.WARNING,
                callback=request.callback,
                error=f"{type(exc).__name__}: {exc}",
            )
            return
        if not confirmed:
            event(
                "websub intent not confirmed",
                logging.WARNING,
                callback=request.callback,
                status=answer.status_code,
            )
            return
        if request.mode == "unsubscribe":
            self.store.websub_unsubscribe(request.topic, request.callback)
            event("websub unsubscribed", topic=request.topic, callback=request.callback)
            return
        current = self.document(request.topic)
        now = datetime.now(UTC)
        limit = self.settings().max_subscriptions
        if not self.store.websub_subscribe(
            request.topic,
            request.callback,
            request.secret,
            now + request.lease,
            current.etag if current else None,
            now,
            limit,
        ):
            event(
                "websub subscription refused: the hub is full",
                logging.WARNING,
                callback=request.callback,
                limit=limit,
            )
            return
        event(
            "websub subscribed",
            topic=request.topic,
            callback=request.callback,
            lease_s=int(request.lease.total_seconds()),
        )

    # -- content distribution ----------------------------------------------------------

    async def publish(self) -> None:
        """Send each subscriber its topic's document if it changed since the last one
        (and no failed delivery is waiting). Called after refreshes that stored
        something, and now and then for the retries; runs once at a time, and once more
        if called meanwhile."""
        if self._publishing.locked():
            self._again = True
            return
        async with self._publishing:
            while True:
                self._again = False
                await self._publish_once()
                if not self._again:
                    return

    async def _publish_once(self) -> None:
        now = datetime.now(UTC)
        due = []
        documents: dict[str, Document | None] = {}
        for subscription in self.store.websub_active(now):
            if subscription.next_attempt and subscription.next_attempt > now:
                continue
            if subscription.topic not in documents:
                documents[subscription.topic] = self.document(subscription.topic)
            document = documents[subscription.topic]
            if document is not None and document.etag != subscription.delivered_etag:
                due.append((subscription, document))
        turn = asyncio.Semaphore(AT_ONCE)

        async def one(subscription: Subscription, document: Document) -> None:
            async with turn:
                await self._deliver(subscription, document)

        await asyncio.gather(*(one(s, d) for s, d in due))

    async def _deliver(self, subscription: Subscription, document: Document) -> None:
        headers = {
            "Content-Type": document.media_type,
            "Link": f'<{self.hub_url}>; rel="hub", <{subscription.topic}>; rel="self"',
        }
        if subscription.secret:
            headers["X-Hub-Signature"] = signature(subscription.secret, document.body)
        topic, callback = subscription.topic, subscription.callback
        try:
            answer = await self._client.post(callback, content=document.body, headers=headers)
            status, error = (
                answer.status_code,
                (None if answer.is_success else f"HTTP {answer.status_code}"),
            )
        except httpx.HTTPError as exc:
            status, error = 0, f"{type(exc).__name__}: {exc}"[:300]
        if status == 410:  # the subscriber says it is gone
            self.store.websub_unsubscribe(topic, callback)
            self.on_delivery("gone")
        elif error is None:
            self.store.websub_delivered(topic, callback, document.etag)
            self.on_delivery("delivered")
        else:
            wait = backoff_delay(subscription.failures + 1, self.settings().retry, MAX_WAIT)
            self.store.websub_failed(topic, callback, error, datetime.now(UTC) + wait)
            self.on_delivery("failed")
            event(
                "websub delivery failed",
                logging.WARNING,
                callback=callback,
                error=error,
                retry_s=int(wait.total_seconds()),
            )

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self._client.aclose()
