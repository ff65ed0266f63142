"""The web app against hostile clients and a failing database, in process (the real
Starlette app, a real SQLite store): bounded caches, 400s, health that tells the truth,
security headers, entries left out instead of failed documents."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from aggregator.classify.judge import CLASSIFIER
from aggregator.config.loader import parse_config
from aggregator.core.model import StoredItem
from aggregator.observe.metrics import Metrics
from aggregator.publish.atom import EntryContext, FeedHead, render_feed
from aggregator.store.database import Store
from aggregator.web.app import create_app
from aggregator.web.state import AppState
from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.items import T0, make_item

CONFIG = parse_config(
    "version: 1\ncampaigns:\n"
    "  - {id: aw, title: Aktionswoche, window: {start: 2019-08-19, end: 2019-09-06}, "
    "match: {any: [Aktionswoche]}}\n"
    "sources:\n  - {id: spree-neisse, name: Landkreis Spree-Neiße, land: BB, kind: landkreis, "
    "feeds: ['https://e.de/rss.xml']}\n"
)


@contextmanager
def served(app: Starlette) -> Iterator[httpx.Client]:
    """The app behind a real uvicorn on a free loopback port, in a thread."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def app(tmp_path: Path):
    store = Store(tmp_path / "web.db", CLASSIFIER)
    items = [
        make_item(
            key=f"link:e.de/{n}",
            url=f"https://e.de/{n}",
            title=f"Aktionswoche {n}",
            published=T0 - timedelta(hours=n),
        )
        for n in range(60)
    ]
    store.save_refresh("spree-neisse", items, [], T0)
    state = AppState(config=lambda: CONFIG, store=store, base_url="http://t", metrics=Metrics())
    with served(create_app(state)) as client:
        yield client, state, tmp_path / "web.db"
    store.close()


def test_query_documents_stay_within_their_bound(app):
    client, state, _ = app
    for n in range(600):  # case variants and other words: each its own document
        word = "".join(c.upper() if n >> i & 1 else c for i, c in enumerate("aktionswoche"))
        assert client.get("/feeds/all.atom", params={"q": word}).status_code == 200
    assert len(state.query_cache) <= state.query_cache.max_entries == 200
    assert state.query_cache.bytes <= state.query_cache.max_bytes
    assert len(state.cache) == 0  # searches never evict (or count against) the feeds
    assert client.get("/feeds/all.atom").status_code == 200
    assert len(state.cache) == 1


@pytest.mark.parametrize("query", ["a\x00b", "Aktion\x1bswoche", "\x7f", "x\x85"])
def test_control_characters_in_a_query_answer_400(app, query):
    client, _, _ = app
    answer = client.get("/feeds/all.atom", params={"q": query})
    assert answer.status_code == 400
    assert "Steuerzeichen" in answer.text and "Traceback" not in answer.text
    assert client.get("/healthz").json()["status"] == "ok"


def test_a_render_failure_turns_health_red_until_the_feed_renders_again(app):
    client, _, db = app
    assert client.get("/healthz").status_code == 200
    with sqlite3.connect(db) as other:  # the campaign table goes missing under us
        other.execute("ALTER TABLE item_campaigns RENAME TO gone")
    failed = client.get("/feeds/campaigns/aw.atom")
    assert failed.status_code == 500 and "Traceback" not in failed.text
    health = client.get("/healthz")
    assert health.status_code == 503
    [reason] = health.json()["reasons"]
    assert "/feeds/campaigns/aw.atom" in reason and "item_campaigns" in reason
    metrics = client.get("/metrics").text
    assert 'aggregator_serve_failures_total{endpoint="feed"} 1.0' in metrics

    with sqlite3.connect(db) as other:
        other.execute("ALTER TABLE gone RENAME TO item_campaigns")
    assert client.get("/feeds/campaigns/aw.atom").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok", "reasons": []}


def test_a_dashboard_failure_turns_health_red(app):
    client, _, db = app
    with sqlite3.connect(db) as other:
        other.execute("ALTER TABLE fetch_state RENAME TO gone")
    assert client.get("/").status_code == 500
    health = client.get("/healthz").json()
    assert health["status"] == "fail" and "dashboard" in health["reasons"][0]


def test_security_headers_on_pages_feeds_and_errors(app):
    client, _, _ = app
    for path in ("/", "/feeds/all.atom", "/sources.opml", "/feeds/nichts.atom", "/healthz"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src" not in policy and "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_an_entry_that_cannot_render_is_left_out_logged_once_and_counted(app, caplog):
    client, state, _ = app
    good = StoredItem(make_item(), T0, T0)
    broken = StoredItem(make_item(key="link:e.de/x", title=None), T0, T0)  # type: ignore[arg-type]
    sources = {s.id: s for s in CONFIG.sources}

    def render() -> bytes:
        head = FeedHead("t", "T", "S", "http://t/feeds/t.atom", T0)
        return render_feed([broken, good, broken], head, EntryContext(sources), state.skipped)

    with caplog.at_level("ERROR", logger="aggregator"):
        document = render()
        render()
    root = assert_valid_atom(document)
    assert [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")] == ["Aktionswoche"]
    left_out = [r for r in caplog.records if r.getMessage() == "entry left out of a feed"]
    assert len(left_out) == 1 and left_out[0].fields["key"] == "link:e.de/x"
    assert "aggregator_feed_entries_skipped_total 4.0" in client.get("/metrics").text


def test_health_names_a_stopped_scheduler(tmp_path):
    store = Store(tmp_path / "s.db", CLASSIFIER)
    state = AppState(
        config=lambda: CONFIG, store=store, base_url="http://t", scheduler_running=lambda: False
    )
    with served(create_app(state)) as client:
        answer = client.get("/healthz")
    store.close()
    assert answer.status_code == 503 and answer.json()["reasons"] == ["scheduler: not running"]


def test_a_database_corrupted_mid_file_turns_health_red(tmp_path):
    path = tmp_path / "corrupt.db"
    store = Store(path, CLASSIFIER)
    many = [
        make_item(
            key=f"link:e.de/{n}",
            url=f"https://e.de/{n}",
            title=f"Meldung {n}",
            summary_text="Text " * 200,
            published=T0 - timedelta(minutes=n),
            fingerprint=f"f{n}",
        )  # four hundred items, not one seen again
        for n in range(400)
    ]
    store.save_refresh("spree-neisse", many, [], T0)
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    size = path.stat().st_size
    with path.open("r+b") as handle:  # garbage over the middle of the file, header intact
        handle.seek(size // 3)
        handle.write(b"\xa5" * (size // 3))
    reader = Store(path, CLASSIFIER)
    state = AppState(config=lambda: CONFIG, store=reader, base_url="http://t", metrics=Metrics())
    with served(create_app(state)) as client:
        failed = client.get("/feeds/all.atom")
        assert failed.status_code == 500 and "Traceback" not in failed.text
        health = client.get("/healthz")
    reader.close()
    assert health.status_code == 503
    assert any(r.startswith("database") for r in health.json()["reasons"]), health.json()
