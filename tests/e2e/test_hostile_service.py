"""What a client or the disk does to the running service (issue 29, 3 and 4): health
reads the real database file, and nothing a client sends makes the service unhealthy."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from aggregator.service.protocol import HEADER_TIMEOUT_VARIABLE
from tests.e2e.test_feed_readers import config, releases
from tests.helpers.service import service, wait_for
from tests.siteserver import Route
from tests.websubscriber import websub_subscriber


def _health(base: str) -> tuple[int, str]:
    answer = httpx.get(f"{base}/healthz")
    return answer.status_code, " ".join(answer.json()["reasons"])


@pytest.fixture
def running(site, tmp_path, write_config):
    site.routes["/spree/rss.xml"] = Route(body=releases(2))
    site.routes["/gross/rss.xml"] = Route(body=releases(1))
    db = tmp_path / "health.db"
    with service(write_config(config(site, interval="1h")), db) as (base, _process):
        wait_for(lambda: "Tag 1" in httpx.get(f"{base}/feeds/all.atom").text, 30, "items")
        assert _health(base)[0] == 200
        yield base, db


def test_health_fails_when_the_database_files_are_deleted(running):
    base, db = running
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    status, reasons = _health(base)
    assert status == 503 and "is gone" in reasons and str(db) in reasons


def test_health_fails_when_the_database_header_is_overwritten(running):
    base, db = running
    with db.open("r+b") as file:
        file.write(os.urandom(16 * 1024))
    status, reasons = _health(base)
    assert status == 503 and "corrupt" in reasons


def test_health_fails_when_the_database_file_is_replaced(running):
    base, db = running
    copy = db.with_name("copy.db")
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    shutil.move(copy, db)
    status, reasons = _health(base)
    assert status == 503 and "replaced" in reasons


@pytest.mark.parametrize(
    "lease", ["9" * 26, "-5", "0", "1e9", "600.5", " 600", "١٢٣", "99999999999", "x" * 5000]
)
def test_an_absurd_lease_is_refused_and_health_stays_ok(running, lease):
    base, _db = running
    answer = httpx.post(
        f"{base}/websub",
        data={
            "hub.mode": "subscribe",
            "hub.topic": f"{base}/feeds/all.atom",
            "hub.callback": "http://127.0.0.1:9/cb",
            "hub.lease_seconds": lease,
        },
    )
    assert answer.status_code == 400, answer.text
    assert "lease_seconds" in answer.text
    assert _health(base) == (200, "")


def test_the_hub_never_holds_more_subscriptions_than_its_cap(site, tmp_path, write_config):
    site.routes["/spree/rss.xml"] = Route(body=releases(1))
    site.routes["/gross/rss.xml"] = Route(body=releases(1))
    text = config(site, interval="1h").replace(
        "websub: {allow_private_callbacks: true,",
        "websub: {max_subscriptions: 2, allow_private_callbacks: true,",
    )
    db = tmp_path / "cap.db"
    with websub_subscriber() as reader, service(write_config(text), db) as (base, _):
        topic = f"{base}/feeds/all.atom"
        reader.wanted.add(("subscribe", topic))

        def ask(n: int) -> int:
            return httpx.post(
                f"{base}/websub",
                data={
                    "hub.mode": "subscribe",
                    "hub.topic": topic,
                    "hub.callback": f"{reader.url}/{n}",
                },
            ).status_code

        with ThreadPoolExecutor(6) as pool:  # all at once: each passes the first check
            statuses = list(pool.map(ask, range(6)))
        accepted = statuses.count(202)
        assert accepted >= 3, statuses
        log = db.with_suffix(".log")
        wait_for(
            lambda: log.read_text().count("the hub is full") == accepted - 2,
            20,
            "the refusals",
        )
        metrics = httpx.get(f"{base}/metrics").text
        assert "aggregator_websub_subscriptions 2.0" in metrics


def test_connections_that_send_no_headers_are_closed(site, tmp_path, write_config):
    site.routes["/spree/rss.xml"] = Route(body=releases(1))
    site.routes["/gross/rss.xml"] = Route(body=releases(1))
    env = {HEADER_TIMEOUT_VARIABLE: "1"}
    with service(write_config(config(site, "1h")), tmp_path / "slow.db", env) as (base, _):
        host, port = base.removeprefix("http://").split(":")
        idle = []
        for n in range(40):
            connection = socket.create_connection((host, int(port)))
            if n % 2:  # half say nothing, half start their headers and stall
                connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            idle.append(connection)
        assert httpx.get(f"{base}/healthz").status_code == 200  # others are served
        for connection in idle:
            connection.settimeout(15)
            assert connection.recv(1024) == b""  # closed by the service, not by us
            connection.close()
        with httpx.Client() as client:  # a kept-alive client between requests is fine
            assert client.get(f"{base}/healthz").status_code == 200
            assert client.get(f"{base}/feeds/all.atom").status_code == 200


def test_a_reload_the_store_cannot_write_is_reported_without_a_traceback(
    site, tmp_path, write_config
):
    """The database stays locked by another process (as a full disk refuses writes): the
    reload applies the new file, says that stored items were not judged again, and
    /healthz tells until a reload succeeds."""
    site.routes["/spree/rss.xml"] = Route(body=releases(2))
    site.routes["/gross/rss.xml"] = Route(body=releases(1))
    text = config(site, "1h")
    path = write_config(text)
    db = tmp_path / "hup.db"
    with service(path, db) as (base, process):
        wait_for(lambda: "Tag 1" in httpx.get(f"{base}/feeds/all.atom").text, 30, "items")
        path.write_text(
            text + "campaigns:\n  - {id: woche, title: Woche, window: {start: 2022-06-01, "
            "end: 2022-06-30}, match: {any: [Aktionswoche]}}\n",
            encoding="utf-8",
        )
        locker = sqlite3.connect(db, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            process.send_signal(signal.SIGHUP)
            log = db.with_suffix(".log")
            wait_for(lambda: "not judged again" in log.read_text(), 30, "the refusal")
            status, reasons = _health(base)
            assert status == 503 and "not judged again" in reasons
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        process.send_signal(signal.SIGHUP)
        wait_for(
            lambda: "not judged again" not in _health(base)[1], 30, "health after a good reload"
        )
        assert "Exception in callback" not in log.read_text()  # asyncio's traceback
