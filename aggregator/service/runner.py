"""The long-running service: the scheduler and the web server in one event loop.

One APScheduler job per source (its interval, jitter, one instance at a time,
missed runs coalesced); the first refresh of every source starts right after
start-up while the web server already answers. SIGHUP reloads sources.yaml.
SIGTERM/SIGINT stop the web server and the scheduler, give running refreshes a
moment, then cancel them; a refresh stores in one transaction, so cancelling
one leaves its source untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import socket
import time
import traceback
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from aggregator.classify.judge import CLASSIFIER
from aggregator.config.loader import load_config
from aggregator.config.schema import Config, Digest, Source
from aggregator.core.kinds import DeliveryState, Status
from aggregator.core.logs import event
from aggregator.deliver import digests as deliver
from aggregator.deliver.smtp import Session
from aggregator.errors import CannotStart, ConfigError, StorageError
from aggregator.fetch.client import Fetcher
from aggregator.observe.alarms import RELOAD_REFUSED, RELOAD_UNJUDGED, Alarms
from aggregator.observe.metrics import Metrics
from aggregator.pipeline.gate import held_from_first_request
from aggregator.pipeline.press import link_articles
from aggregator.pipeline.refresh import (
    RefreshResult,
    refresh_source,
    source_slots,
    sync_campaigns,
)
from aggregator.publish.periods import Period
from aggregator.service.process import InstanceLock, QuietServer, bind
from aggregator.service.protocol import HeaderDeadlineProtocol
from aggregator.store.database import Store, is_storage_failure
from aggregator.web.app import create_app
from aggregator.web.feeds import topic_document
from aggregator.web.hub import Hub
from aggregator.web.state import AppState
from aggregator.worker.pool import offload_for

GRACE_SECONDS = 3.0  # for running refreshes to finish before they are cancelled
FIRST_RUN_SPREAD = 5.0  # seconds over which the first refreshes are spread
DIGEST_EVERY = 30.0  # seconds between two looks at whether a digest is due
WEBSUB_EVERY = 15.0  # seconds between two looks for WebSub deliveries to try again
# A digest waits for every source's first refresh after start-up (a restart at eight
# must not send the morning's digest without the morning's items), at most this long:
FIRST_CYCLE_WAIT = timedelta(minutes=10)


class Service:
    def __init__(
        self,
        config_path: str,
        db_path: str,
        host: str,
        port: int,
        base_url: str,
        pid_file: str | None = None,
    ) -> None:
        self.config_path = config_path
        self.db_path = db_path
        self.host = host
        self.port = port
        self.base_url = base_url.rstrip("/")
        self.pid_file = Path(pid_file) if pid_file else None
        self.config: Config = load_config(config_path)
        self.metrics = Metrics()
        self.alarms = Alarms()
        self._running: set[asyncio.Task[object]] = set()
        self._server: QuietServer | None = None
        self._refreshed: set[str] = set()  # sources refreshed since start-up
        self._pushing: set[asyncio.Task[None]] = set()
        self.hub: Hub | None = None
        self._started = datetime.now(UTC)

    # -- jobs --------------------------------------------------------------------

    def _schedule(self, source: Source, first_run: datetime | None) -> None:
        interval = self.config.interval(source)
        self.scheduler.add_job(
            self._refresh,
            "interval",
            args=[source.id],
            id=source.id,
            name=source.id,
            seconds=interval.total_seconds(),
            jitter=max(1, int(interval.total_seconds() * 0.1)),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(interval.total_seconds()),
            replace_existing=True,
            next_run_time=first_run,
        )

    async def _refresh(self, source_id: str) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        started = time.monotonic()
        try:
            source = next(s for s in self.config.refreshed if s.id == source_id)
        except StopIteration:
            return  # removed by a reload while queued
        try:
            async with held_from_first_request(self.fetcher, self.slots) as http:
                event("refresh started", source=source_id)
                result = await refresh_source(
                    source,
                    self.config,
                    http,
                    self.writer,
                    offload=self.offload,
                    say=lambda text: event(text, source=source_id),
                )
        except asyncio.CancelledError:
            event("refresh cancelled", logging.WARNING, source=source_id)
            raise
        except Exception as exc:  # a bug, or the database, must not stop the scheduler
            kind, name = (
                ("database", "database: refreshes")
                if is_storage_failure(exc)
                else ("bug", f"refresh: {source_id}")
            )
            reason = f"{type(exc).__name__}: {exc}"[:300]
            self.alarms.fail(name, reason, datetime.now(UTC))
            self.metrics.refresh_crashes.labels(kind).inc()
            event(
                "refresh crashed",
                logging.ERROR,
                source=source_id,
                kind=kind,
                error=reason,
                traceback=traceback.format_exc(limit=8),
            )
            return
        finally:
            self._running.discard(task)
            self._first_refresh_done(source_id)
        if self.config.is_press(source_id) and result.status != Status.ERROR:
            try:
                linked = link_articles(self.config, self.writer, source_id)
            except Exception as exc:  # a bug, or the database, must not stop the scheduler
                self._crashed(f"echo links: {source_id}", exc)
            else:
                result.notes.append(f"{linked} links from its articles to jobcenter releases")
        self.alarms.ok("database: refreshes")
        self.alarms.ok(f"refresh: {source_id}")
        self._log(result, time.monotonic() - started)
        if result.changed and self.hub is not None:
            self._publish()
        # every row, which SQLite counts from an index: a filtered count reads the table
        self.metrics.observe(result, self.writer.count_items(), time.time())

    def _log(self, result: RefreshResult, seconds: float) -> None:
        level = logging.WARNING if result.status in (Status.ERROR, Status.PARTIAL) else logging.INFO
        event(
            "refresh finished",
            level,
            source=result.source_id,
            status=result.status,
            new=result.new,
            updated=result.updated,
            errors=len(result.errors),
            duration_ms=int(seconds * 1000),
            problems=result.errors[:3],
        )

    def _publish(self) -> None:
        """Push what changed to the WebSub subscribers, beside the refreshes."""
        task = asyncio.create_task(self._push())
        self._pushing.add(task)
        task.add_done_callback(self._pushing.discard)

    async def _push(self) -> None:
        if self.hub is None or not self.config.websub.enabled:
            return
        try:
            await self.hub.publish()
        except Exception as exc:  # a bug, or the database, must not stop the service
            self._crashed("websub", exc)
        else:
            self.alarms.ok("websub")

    def _crashed(self, what: str, exc: Exception) -> None:
        """A job of ours failed: unhealthy under `what` until it works again, and logged."""
        reason = f"{type(exc).__name__}: {exc}"[:300]
        self.alarms.fail(what, reason, datetime.now(UTC))
        event(
            f"{what} crashed", logging.ERROR, error=reason, traceback=traceback.format_exc(limit=8)
        )

    def _first_refresh_done(self, source_id: str) -> None:
        if source_id in self._refreshed:
            return
        self._refreshed.add(source_id)
        if self.config.digests and self.scheduler.running and self._first_cycle_done():
            self.scheduler.modify_job("digests", next_run_time=datetime.now(UTC))

    def _first_cycle_done(self) -> bool:
        enabled = {s.id for s in self.config.sources if s.enabled}
        waited = datetime.now(UTC) - self._started >= FIRST_CYCLE_WAIT
        return waited or enabled <= self._refreshed

    async def _digests(self) -> None:
        """Send every digest that is due and not yet sent (or due again after a failure)."""
        if not self.config.digests or not self._first_cycle_done():
            return
        config, now = self.config, datetime.now(UTC)
        try:
            for row in deliver.interrupted(self.writer, now):
                reason = (
                    f"interrupted while sending {row.period} to {row.recipient}: may not "
                    "have arrived, not sent again"
                )
                self.alarms.fail(f"digest: {row.digest_id}: {row.period}", reason, now)
                event(
                    "digest uncertain",
                    logging.ERROR,
                    digest=row.digest_id,
                    period=row.period,
                    recipient=row.recipient,
                )
            for digest, period in deliver.due_digests(self.writer, config, now):
                await self._send_digest(config, digest, period, now)
        except Exception as exc:  # a bug, or the database, must not stop the scheduler
            self._crashed("digests", exc)
        finally:
            self.metrics.digest_checks.inc()

    async def _send_digest(
        self, config: Config, digest: Digest, period: Period, now: datetime
    ) -> None:
        assert config.mail is not None
        session = Session(config.mail)

        async def send(message: EmailMessage) -> str | None:
            return await asyncio.to_thread(session.send, message)

        try:
            outcomes = await deliver.deliver_period(
                self.writer, config, digest, period, self.base_url, send, lambda: datetime.now(UTC)
            )
        finally:
            await asyncio.to_thread(session.close)
        for outcome in outcomes:
            self.metrics.observe_digest(outcome, time.time())
            event(
                "digest " + outcome.state,
                logging.WARNING if outcome.error else logging.INFO,
                digest=outcome.digest_id,
                period=outcome.period,
                recipient=outcome.recipient,
                items=outcome.items,
                error=outcome.error,
            )
        failed = [o for o in outcomes if o.state == DeliveryState.FAILED]
        if failed:
            retry = min(o.next_attempt for o in failed if o.next_attempt)
            reason = f"{failed[0].recipient}: {failed[0].error}; next try {retry:%H:%M:%S} UTC"
            self.alarms.fail(f"digest: {digest.id}", reason, now)
            self.scheduler.add_job(
                self._digests,
                "date",
                run_date=retry + timedelta(seconds=1),
                id=f"digest-retry:{digest.id}",
                replace_existing=True,
            )
        elif outcomes:
            self.alarms.ok(f"digest: {digest.id}")

    # -- reload and stop ---------------------------------------------------------

    def reload(self) -> None:
        """Read sources.yaml again; add, remove and re-time jobs. A bad file changes nothing."""
        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            for problem in exc.problems:
                event("reload refused", logging.ERROR, problem=str(problem))
            first = str(exc.problems[0]) if exc.problems else str(exc)
            more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            reason = f"sources.yaml not taken, the service runs on the one before: {first}{more}"
            self.alarms.fail(RELOAD_REFUSED, reason, datetime.now(UTC), sticky=True)
            return
        self.alarms.ok(RELOAD_REFUSED)
        old = {s.id: s for s in self.config.refreshed if s.enabled}
        self.config = config
        new = {s.id: s for s in config.refreshed if s.enabled}
        for source_id in old.keys() - new.keys():
            self.scheduler.remove_job(source_id)
        soon = datetime.now(UTC) + timedelta(seconds=1)
        for source_id, source in new.items():
            if source_id not in old:
                self._schedule(source, soon)
            elif self.config.interval(source) != self.config.interval(old[source_id]):
                self._schedule(source, None)
        try:
            sync_campaigns(config, self.writer)
        except StorageError as exc:  # a full disk: the new rules apply to new items
            event("reload: stored items not judged again", logging.ERROR, error=str(exc))
            reason = f"stored items not judged again: {exc}"
            self.alarms.fail(RELOAD_UNJUDGED, reason, datetime.now(UTC), sticky=True)
        else:
            self.alarms.ok(RELOAD_UNJUDGED)
        added, removed = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
        event("reloaded", sources=len(new), added=added, removed=removed)

    def stop(self) -> None:
        event("stopping")
        if self._server is not None:
            self._server.should_exit = True

    async def _finish_refreshes(self) -> None:
        if not self._running:
            return
        _, pending = await asyncio.wait(set(self._running), timeout=GRACE_SECONDS)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=GRACE_SECONDS)

    # -- run ---------------------------------------------------------------------

    async def run(self) -> None:
        lock = InstanceLock(self.pid_file) if self.pid_file else None
        if lock:
            lock.acquire()
        try:
            listening = bind(self.host, self.port)
        except CannotStart:
            if lock:
                lock.release()
            raise
        try:
            await self._run(listening)
        finally:
            listening.close()
            if lock:
                lock.release()

    async def _run(self, listening: socket.socket) -> None:
        self.writer = Store(self.db_path, CLASSIFIER)
        reader = Store(self.db_path, CLASSIFIER)
        self.fetcher = Fetcher(self.config.defaults, robots=self.writer.robots_cache())
        self.offload = offload_for(self.config.defaults)
        self.slots = source_slots(self.config)
        sync_campaigns(self.config, self.writer)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.metrics.scheduler_running.set_function(lambda: float(self.scheduler.running))
        now = datetime.now(UTC)
        for source in self.config.refreshed:
            if source.enabled:
                self._schedule(source, now + timedelta(seconds=random.uniform(0, FIRST_RUN_SPREAD)))
        state = AppState(
            config=lambda: self.config,
            store=reader,
            base_url=self.base_url,
            scheduler_running=lambda: self.scheduler.running,
            metrics=self.metrics,
            alarms=self.alarms,
            changed=self._publish,
            getter=self.fetcher,
        )
        self.hub = state.hub = Hub(
            lambda: self.config.websub,
            self.writer,
            f"{self.base_url}/websub",
            lambda topic: topic_document(state, topic),
            self.metrics.websub_deliveries_of,
        )
        self.metrics.websub_subscriptions.set_function(lambda: float(self.writer.websub_count()))
        config = uvicorn.Config(
            create_app(state),
            host=self.host,
            port=self.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            log_config=None,
            http=HeaderDeadlineProtocol,
        )
        self._server = QuietServer(config)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        self.scheduler.add_job(
            self._digests,
            "interval",
            seconds=DIGEST_EVERY,
            id="digests",
            max_instances=1,
            coalesce=True,
            next_run_time=now + timedelta(seconds=1),
        )
        self.scheduler.add_job(  # WebSub deliveries that failed are tried again
            self._push,
            "interval",
            seconds=WEBSUB_EVERY,
            id="websub",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.start()
        enabled = sum(s.enabled for s in self.config.sources)
        event("started", url=self.base_url, listen=f"{self.host}:{self.port}", sources=enabled)
        try:
            await self._server.serve(sockets=[listening])
        finally:
            self.scheduler.shutdown(wait=False)
            await self._finish_refreshes()
            await self.hub.aclose()
            await self.fetcher.aclose()
            with contextlib.suppress(StorageError):  # a cache: losing it costs requests only
                self.writer.save_robots(self.fetcher.robots)
            self.offload.close()
            self.writer.close()
            reader.close()
            event("stopped")
