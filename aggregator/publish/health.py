"""How sick a source is, from the fetch state of its URLs (pure), and that row for
every configured source as the dashboard, `sources status` and the exports show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from aggregator.config.schema import Config
from aggregator.core.kinds import GUESSED, Failure, Health
from aggregator.core.model import FetchState

UNKNOWN_REASON = "Technischer Fehler beim Abrufen."
REASONS: dict[Failure, str] = {
    Failure.TIMEOUT: "Die Website antwortet nicht rechtzeitig.",
    Failure.CONNECT: "Die Website ist nicht erreichbar.",
    Failure.DNS: "Die Adresse der Website gibt es nicht (mehr).",
    Failure.TLS: "Das Sicherheitszertifikat der Website ist ungültig.",
    Failure.TOO_LARGE: "Die Seite ist zu groß, um sie zu lesen.",
    Failure.REDIRECT: "Die Seite leitet ins Leere weiter.",
    Failure.ROBOTS_DISALLOWED: "Die Website verbietet das automatische Abrufen (robots.txt).",
    Failure.ROBOTS_UNAVAILABLE: "Die Abrufregeln der Website (robots.txt) sind nicht lesbar.",
    Failure.HTTP_STATUS: "Die Website meldet einen Fehler.",
    Failure.GONE: "Die Seite wurde entfernt.",
    Failure.PARSE: "Die Seite lässt sich nicht lesen.",
    Failure.NOT_A_FEED: "Unter der Feed-Adresse steht eine gewöhnliche Webseite.",
    Failure.NO_ITEMS: "Auf der Seite wurden keine Meldungen erkannt.",
    Failure.NOTHING_FOUND: "Auf der Website wurden keine Pressemitteilungen gefunden.",
}


@dataclass(frozen=True)
class SourceHealth:
    """One row of `aggregator sources status`."""

    source_id: str
    last_success: datetime | None
    last_attempt: datetime | None
    last_status: Health
    failures: int
    next_attempt: datetime | None
    items_total: int
    items_recent: int
    problem: str | None
    notes: tuple[str, ...] = ()
    guessed: bool = False  # items found by the heuristic, not by selectors
    problem_kind: Failure | None = None  # why the worst URL failed

    @property
    def reason(self) -> str | None:
        """The problem in a coordinator's words (the technical one is `problem`)."""
        if self.problem is None and self.last_status != Health.GONE:
            return None
        if self.problem and self.problem_kind == Failure.HTTP_STATUS and "404" in self.problem:
            return "Die Seite wurde nicht gefunden – vielleicht verschoben."
        return (
            REASONS.get(self.problem_kind, UNKNOWN_REASON) if self.problem_kind else UNKNOWN_REASON
        )

    @property
    def sick(self) -> bool:
        return self.failures > 0 or self.last_status != Health.OK


def summarize(
    source_id: str, states: list[FetchState], items_total: int, items_recent: int
) -> SourceHealth:
    """Fold the fetch states of a source's URLs into one health row; the worst URL counts."""
    if not states:
        return SourceHealth(
            source_id, None, None, Health.NEVER, 0, None, items_total, items_recent, None
        )
    failing = [s for s in states if s.consecutive_failures or s.gone]
    worst = max(states, key=lambda s: (s.gone, s.consecutive_failures))
    if any(s.gone for s in states):
        status = Health.GONE
    elif failing:
        status = Health.ERROR
    else:
        status = Health.OK
    successes = [s.last_success for s in states if s.last_success]
    attempts = [s.last_attempt for s in states if s.last_attempt]
    waits = [s.next_attempt for s in states if s.next_attempt]
    notes = tuple(
        [f"moved: {s.url} → {s.moved_to}" for s in states if s.moved_to]
        + [f"gone (HTTP 410): {s.url}" for s in states if s.gone]
    )
    guessed = any(s.found_by in GUESSED for s in states)
    return SourceHealth(
        source_id=source_id,
        last_success=max(successes) if successes else None,
        last_attempt=max(attempts) if attempts else None,
        last_status=status,
        failures=worst.consecutive_failures,
        next_attempt=min(waits) if waits else None,
        items_total=items_total,
        items_recent=items_recent,
        problem=worst.last_error if failing else None,
        notes=notes,
        guessed=guessed,
        problem_kind=worst.last_error_kind if failing else None,
    )


RECENT = timedelta(days=30)  # "items recently": published within this time


class HealthStore(Protocol):
    """What health rows read from the store (store.database.Store has it)."""

    def fetch_states(self, source_id: str | None = None) -> list[FetchState]: ...

    def item_counts(self, since: datetime) -> dict[str, tuple[int, int]]: ...


def source_health(config: Config, store: HealthStore, now: datetime) -> list[SourceHealth]:
    """One health row per configured source, in the config's order."""
    counts = store.item_counts(since=now - RECENT)
    return [
        summarize(s.id, store.fetch_states(s.id), *counts.get(s.id, (0, 0))) for s in config.sources
    ]
