"""Prometheus metrics of the service: refreshes, request durations, items, failing sources."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from aggregator.core.kinds import DeliveryState, Status
from aggregator.deliver.digests import Outcome
from aggregator.pipeline.refresh import RefreshResult


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.refreshes = Counter(
            "aggregator_refreshes",
            "Source refreshes by outcome",
            ["status"],
            registry=self.registry,
        )
        self.fetch_seconds = Histogram(
            "aggregator_fetch_duration_seconds",
            "Duration of one request to a source",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60),
            registry=self.registry,
        )
        self.new_items = Counter(
            "aggregator_items_new", "Items stored for the first time", registry=self.registry
        )
        self.items_stored = Gauge(
            "aggregator_items_stored", "Items in the database", registry=self.registry
        )
        self.sources_failing = Gauge(
            "aggregator_sources_failing",
            "Sources whose last refresh had errors",
            registry=self.registry,
        )
        self.last_success = Gauge(
            "aggregator_last_successful_refresh_timestamp_seconds",
            "When a refresh last succeeded (Unix time)",
            registry=self.registry,
        )
        self.entries_skipped = Counter(
            "aggregator_feed_entries_skipped",
            "Entries left out of a feed: they could not be rendered",
            registry=self.registry,
        )
        self.serve_failures = Counter(
            "aggregator_serve_failures",
            "Pages and feeds that answered 500, by endpoint",
            ["endpoint"],
            registry=self.registry,
        )
        self.refresh_crashes = Counter(
            "aggregator_refresh_crashes",
            "Refreshes that failed on our side (a bug, or the database), by kind",
            ["kind"],
            registry=self.registry,
        )
        self.scheduler_running = Gauge(
            "aggregator_scheduler_running",
            "1 while the scheduler runs refreshes",
            registry=self.registry,
        )
        self.digests = Counter(
            "aggregator_digests",
            "Digest deliveries by digest and outcome (sent, empty, failed)",
            ["digest", "outcome"],
            registry=self.registry,
        )
        self.digest_checks = Counter(
            "aggregator_digest_checks",
            "Looks for due digests (after the first refresh "
            "cycle): how often the service asked whether one is due",
            registry=self.registry,
        )
        self.digest_last_sent = Gauge(
            "aggregator_digest_last_sent_timestamp_seconds",
            "When a digest last went out (Unix time)",
            ["digest"],
            registry=self.registry,
        )
        self.websub_deliveries = Counter(
            "aggregator_websub_deliveries",
            "WebSub deliveries to subscribers by outcome (delivered, failed, gone)",
            ["outcome"],
            registry=self.registry,
        )
        self.websub_subscriptions = Gauge(
            "aggregator_websub_subscriptions",
            "Verified WebSub subscriptions",
            registry=self.registry,
        )
        self._failing: set[str] = set()

    def observe(self, result: RefreshResult, items_stored: int, at: float) -> None:
        self.refreshes.labels(result.status).inc()
        for outcome in result.outcomes:
            if outcome.status != Status.SKIPPED:
                self.fetch_seconds.observe(outcome.duration_ms / 1000)
        self.new_items.inc(result.new)
        self.items_stored.set(items_stored)
        if result.status in (Status.ERROR, Status.PARTIAL):
            self._failing.add(result.source_id)
        else:
            self._failing.discard(result.source_id)
        self.sources_failing.set(len(self._failing))
        if result.status in (Status.OK, Status.NOT_MODIFIED):
            self.last_success.set(at)

    def observe_digest(self, outcome: Outcome, at: float) -> None:
        self.digests.labels(outcome.digest_id, outcome.state).inc()
        if outcome.state == DeliveryState.SENT:
            self.digest_last_sent.labels(outcome.digest_id).set(at)

    def websub_deliveries_of(self, outcome: str) -> None:
        self.websub_deliveries.labels(outcome).inc()
