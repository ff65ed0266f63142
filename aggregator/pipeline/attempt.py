"""One polite attempt at one configured URL, with what we remember about it.

Skips a URL that is backing off or gone, follows a recorded permanent move,
sends the stored validators, retries a transient failure once, and turns a
failure into an outcome with the time of the next attempt.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from aggregator.core.kinds import Failure, Status
from aggregator.core.model import FetchOutcome, FetchState
from aggregator.errors import FetchError, HTTPStatusFailed
from aggregator.fetch.client import Fetched, NotModified
from aggregator.pipeline.decide import JITTER, next_attempt, parse_retry_after, skip_reason
from aggregator.pipeline.ports import Refresh


@dataclass(frozen=True)
class Attempt:
    """Either a response, or the outcome that says why there is none."""

    url: str  # as configured
    response: Fetched | NotModified | None
    failure: FetchOutcome | None
    moved_to: str | None  # where the URL lives now, if it moved permanently
    elapsed_ms: int
    state: FetchState | None = None  # what was known of the URL before this attempt

    def outcome(self, status: Status, message: str, items: int = 0) -> FetchOutcome:
        """The outcome of a successful attempt."""
        fetched = self.response if isinstance(self.response, Fetched) else None
        return FetchOutcome(
            self.url,
            status,
            message,
            etag=fetched.etag if fetched else None,
            last_modified=fetched.last_modified if fetched else None,
            moved_to=self.moved_to,
            duration_ms=self.elapsed_ms,
            items_found=items,
        )


async def attempt(url: str, ctx: Refresh) -> Attempt:
    state = ctx.memory.fetch_state(ctx.source.id, url)
    skipped = skip_reason(state, ctx.now, ctx.policy.force)
    if state is not None and skipped is not None:
        skip = FetchOutcome(url, Status.SKIPPED, skipped, gone=state.gone)
        return Attempt(url, None, skip, None if state.gone else state.moved_to, 0)
    moved_to = state.moved_to if state else None
    started = time.monotonic()
    for tries_left in (1, 0):
        try:
            response = await ctx.http.get(
                moved_to or url,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
                timeouts=ctx.policy.timeouts,
            )
        except FetchError as exc:
            if exc.transient and tries_left:
                continue
            elapsed = int((time.monotonic() - started) * 1000)
            outcome = _fetch_failure(url, exc, state, moved_to, ctx, elapsed)
            return Attempt(url, None, outcome, moved_to, elapsed)
        elapsed = int((time.monotonic() - started) * 1000)
        if isinstance(response, Fetched) and response.moved_to:
            moved_to = response.moved_to
        return Attempt(url, response, None, moved_to, elapsed, state)
    raise AssertionError("unreachable")


def failure(
    url: str,
    ctx: Refresh,
    kind: Failure,
    message: str,
    elapsed: int = 0,
    *,
    state: FetchState | None = None,
) -> FetchOutcome:
    """An error outcome with its next attempt: later with every failure in a row."""
    if state is None:
        state = ctx.memory.fetch_state(ctx.source.id, url)
    failures = (state.consecutive_failures if state else 0) + 1  # counted here, only here
    when = _next_attempt(ctx, failures)
    return FetchOutcome(
        url,
        Status.ERROR,
        message,
        kind,
        duration_ms=elapsed,
        next_attempt=when,
        failures=failures,
    )


def _next_attempt(ctx: Refresh, failures: int, retry_after: timedelta | None = None) -> datetime:
    policy = ctx.policy
    return next_attempt(
        policy.now,
        failures,
        policy.interval,
        policy.max_backoff,
        retry_after,
        random.uniform(*JITTER),
    )


def _fetch_failure(
    url: str,
    exc: FetchError,
    state: FetchState | None,
    moved_to: str | None,
    ctx: Refresh,
    elapsed: int,
) -> FetchOutcome:
    """The outcome of a request that failed: a 410 is gone for good, a Retry-After is
    honoured, and a recorded move is kept."""
    outcome = failure(url, ctx, exc.kind, str(exc), elapsed, state=state)
    if not isinstance(exc, HTTPStatusFailed):
        return replace(outcome, moved_to=moved_to)
    if exc.status == 410:
        return replace(outcome, moved_to=moved_to, next_attempt=None, gone=True, http_status=410)
    outcome = replace(outcome, http_status=exc.status)
    retry_after = parse_retry_after(exc.retry_after, ctx.now)
    when = _next_attempt(ctx, outcome.failures, retry_after) if retry_after else None
    return replace(outcome, moved_to=moved_to, next_attempt=when or outcome.next_attempt)
