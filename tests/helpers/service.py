"""The real service (`aggregator run` as a subprocess) for tests, and what they wait for."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx

from aggregator.demo.loopback import free_port
from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.corpus import config_text as corpus_config
from tests.listing_expectations import IKISS_PAGE
from tests.paths import ROOT

BIG = 130  # items in one feed, enough for archive pages


def wait_for(check: Callable[[], bool], timeout: float = 40, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def service(
    config: Path, db: Path, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`aggregator run` on a free port; its log goes to a file beside the database
    (a pipe nobody reads would fill up and stall it)."""
    port = free_port()
    log = db.with_suffix(".log").open("ab")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra_env or {})
    command = [sys.executable, "-m", "aggregator", "--config", str(config), "--db", str(db)]
    process = subprocess.Popen(
        [*command, "run", "--port", str(port), "--log-format", "json"],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 20, "the service")
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(15)
        log.close()


def big_feed(count: int) -> bytes:
    start = datetime(2019, 7, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>Meldung {n:03d} des Landkreises</title>"
        f"<link>https://gross.example/presse/{n}.html</link>"
        f"<pubDate>{format_datetime(start + timedelta(hours=n))}</pubDate>"
        f"<description>{escape(f'Text der Meldung {n}, Aktenzeichen {n * 7}.')}</description>"
        "</item>"
        for n in range(count)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Gross</title>'
        f"<link>https://gross.example/</link><description>x</description>{items}</channel></rss>"
    ).encode()


def config_with_extras(site, interval: str = "2s", extra_sources: str = "") -> str:
    text = corpus_config(site).replace(
        "defaults: {host_delay: 0s}",
        f"defaults: {{host_delay: 0s, interval: {interval}, timeout: 10s, read_timeout: 10s}}",
    )
    text += (
        f"  - {{id: gross, name: Landkreis Gross, land: SL, kind: landkreis, "
        f"feeds: ['{site.url('gross/rss.xml')}']}}\n"
        f"  - {{id: liste, name: Landkreis Liste, land: MV, kind: landkreis, "
        f"pages: [{{url: '{site.url(IKISS_PAGE)}', preset: ikiss}}]}}\n"
        f"  - {{id: kaputt, name: Landkreis Kaputt, land: TH, kind: landkreis, ags: '16076', "
        f"feeds: ['{site.url('kaputt/rss.xml')}']}}\n" + extra_sources
    )
    return text


def walk_archives(base: str, path: str) -> list[str]:
    """Every entry id reachable from the subscription document through prev-archive."""
    ids: list[str] = []
    url: str | None = f"{base}/feeds/{path}"
    seen_urls = set()
    while url:
        assert url not in seen_urls
        seen_urls.add(url)
        root = assert_valid_atom(httpx.get(url).content)
        ids += [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
        previous = root.find(f"{ATOM}link[@rel='prev-archive']")
        url = previous.get("href") if previous is not None else None
    return ids
