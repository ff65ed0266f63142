"""How long to wait after failures in a row: one policy for fetching, WebSub deliveries
and e-mail digests."""

from __future__ import annotations

from datetime import timedelta


def backoff_delay(
    failures: int, interval: timedelta, cap: timedelta, jitter: float = 1.0
) -> timedelta:
    """interval · 2^(failures-1), jittered, never above `cap`."""
    exponent = min(max(failures - 1, 0), 30)
    backoff: timedelta = interval * (2**exponent) * jitter
    return min(backoff, cap)
