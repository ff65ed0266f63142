"""What robots.txt said, remembered beyond one process.

A cron `aggregator fetch` is a new process every time; without memory it asks every host
for robots.txt again, which doubles the requests of a cycle in which nothing changed.
RFC 9309 lets a crawler keep robots.txt for up to a day. The fetcher reads and writes
this cache (fetch.client), the store keeps it between processes; it lives in core
because both do.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Remembered:
    """robots.txt of one origin: its text (None: none, or 4xx, so everything is
    allowed), whether it answered 5xx (try later), and until when (Unix time) it holds."""

    text: str | None
    server_error: bool
    expires: float


@dataclass
class RobotsCache:
    """robots.txt by origin; `changed` holds what was learnt since loading, to store."""

    known: dict[str, Remembered] = field(default_factory=dict)
    changed: dict[str, Remembered] = field(default_factory=dict)

    def recall(self, origin: str, now: float) -> Remembered | None:
        remembered = self.known.get(origin)
        return remembered if remembered is not None and remembered.expires > now else None

    def remember(self, origin: str, remembered: Remembered) -> None:
        self.known[origin] = self.changed[origin] = remembered
