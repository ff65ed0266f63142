"""What has gone wrong lately, for /healthz: pure bookkeeping, the clock comes in.

A failure is recorded under a name (the feed that failed to render, "database",
"scheduler"); it stays active until something under the same name succeeds again
or, for failures that nothing retries, until it is older than `keep`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

KEEP = timedelta(minutes=15)
RELOAD_REFUSED = "reload refused"  # a bad sources.yaml: sticky until a good reload
RELOAD_UNJUDGED = "reload"  # a reload that could not re-judge stored items: sticky too


@dataclass(frozen=True)
class Alarm:
    name: str
    reason: str
    since: datetime
    last: datetime
    count: int
    sticky: bool = False  # stays until the same name succeeds, however old


class Alarms:
    def __init__(self, keep: timedelta = KEEP, limit: int = 100) -> None:
        self.keep = keep
        self.limit = limit  # distinct names remembered; a flood of bad queries stays small
        self._alarms: dict[str, Alarm] = {}
        self._lock = threading.Lock()

    def fail(self, name: str, reason: str, now: datetime, sticky: bool = False) -> None:
        """`sticky`: nothing retries it by itself (a refused sources.yaml), so it stays until
        `ok(name)` instead of ageing out after `keep`."""
        with self._lock:
            old = self._alarms.get(name)
            since, count = (old.since, old.count + 1) if old else (now, 1)
            self._alarms[name] = Alarm(name, reason, since, now, count, sticky)
            while len(self._alarms) > self.limit:
                oldest = min(self._alarms.values(), key=lambda a: a.last)
                del self._alarms[oldest.name]

    def ok(self, name: str) -> None:
        with self._lock:
            self._alarms.pop(name, None)

    def active(self, now: datetime) -> list[Alarm]:
        with self._lock:
            for name in [
                n for n, a in self._alarms.items() if not a.sticky and now - a.last > self.keep
            ]:
                del self._alarms[name]
            return sorted(self._alarms.values(), key=lambda a: a.name)
