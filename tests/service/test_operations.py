"""What an operator meets: a full disk, a read-only or foreign database, a second
instance, a taken port, a broken sources.yaml at reload, a killed service, logs read
by machines. Every one of them is one clear line and an exit code, never a traceback,
and never costs what was stored before.

Full and read-only disks are real: a small tmpfs and a read-only bind mount (the test
command runs as root, as CI does).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from aggregator.demo.loopback import free_port
from aggregator.store.schema import MIGRATIONS
from tests.helpers.cli import run_cli
from tests.helpers.service import service, wait_for
from tests.paths import ROOT
from tests.siteserver import Route

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a disk needs root")


def feed(count: int, prefix: str = "Meldung") -> bytes:
    items = "".join(
        f"<item><title>{prefix} {n} des Kreises</title>"
        f"<link>https://kreis.example/presse/{prefix.lower()}-{n}.html</link>"
        f"<pubDate>Wed, 28 Aug 2019 {n % 24:02d}:00:00 +0200</pubDate>"
        f"<description>{'Text der Meldung, lang genug um Platz zu brauchen. ' * 40}"
        f"</description></item>"
        for n in range(count)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>K</title>"
        f"<link>https://kreis.example/</link><description>x</description>{items}</channel></rss>"
    ).encode()


def one_source(site, write_config, interval: str = "1h", workers: int = 0) -> Path:
    site.routes["/kreis/rss.xml"] = Route(body=feed(5))
    return write_config(
        f"version: 1\ndefaults: {{host_delay: 0s, interval: {interval}, workers: {workers}}}\n"
        "sources:\n  - {id: kreis, name: Landkreis Kreis, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('kreis/rss.xml')}']}}\n"
    )


@contextmanager
def mounted(*args: str, target: Path) -> Iterator[Path]:
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", *args, str(target)], check=True, capture_output=True)
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@contextmanager
def small_disk(tmp_path: Path, size: str = "8m") -> Iterator[Path]:
    with mounted("-t", "tmpfs", "-o", f"size={size}", "tmpfs", target=tmp_path / "disk") as disk:
        yield disk


def fill(disk: Path) -> Path:
    """Fill the disk to the last byte (closing the filler may find it full too)."""
    filler = disk / "filler"
    try:
        with filler.open("wb") as handle:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
    except OSError:
        pass
    return filler


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    text = result.stderr.decode()
    assert "Traceback" not in text, text
    for word in words:
        assert word in text, text
    return text


def count_items(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM items").fetchone()[0]


# -- the database ----------------------------------------------------------------------


@pytest.mark.parametrize("version", ["99", "-1"])
def test_a_schema_this_version_did_not_write_is_refused(site, tmp_path, write_config, version):
    config = one_source(site, write_config)
    db = tmp_path / "other.db"
    assert run_cli("--config", str(config), "--db", str(db), "fetch").returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {version}")
    for command in (["fetch"], ["feed"], ["sources", "status"]):
        result = run_cli("--config", str(config), "--db", str(db), *command)
        assert result.returncode == 2, command
        text = one_line_error(result, f"database schema {version}", str(db), "--db")
    if version == "99":
        latest = len(MIGRATIONS)
        assert f"is newer than this version ({latest}): upgrade the aggregator" in text
    with sqlite3.connect(db) as conn:  # nothing was migrated or touched
        assert conn.execute("PRAGMA user_version").fetchone()[0] == int(version)


def test_a_file_that_is_not_a_database_stops_fetch_with_exit_3(site, tmp_path, write_config):
    config = one_source(site, write_config)
    db = tmp_path / "notes.db"
    db.write_text("Das ist keine Datenbank, sondern eine Notiz.\n" * 200)
    result = run_cli("--config", str(config), "--db", str(db), "fetch")
    assert result.returncode == 3
    one_line_error(result, str(db), "not a database")


@needs_root
def test_fetch_on_a_full_disk_exits_3_and_keeps_what_was_stored(site, tmp_path, write_config):
    config = one_source(site, write_config)
    with small_disk(tmp_path) as disk:
        db = disk / "agg.db"
        assert run_cli("--config", str(config), "--db", str(db), "fetch").returncode == 0
        stored = count_items(db)
        assert stored == 5
        fill(disk)
        site.routes["/kreis/rss.xml"] = Route(body=feed(200, "Neu"))
        result = run_cli("--config", str(config), "--db", str(db), "fetch")
        assert result.returncode == 3
        one_line_error(result, str(db), "disk full")
        assert "internal error" not in result.stdout.decode()
        assert count_items(db) == stored
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@needs_root
def test_run_on_a_full_disk_fails_with_one_line(site, tmp_path, write_config):
    config = one_source(site, write_config)
    with small_disk(tmp_path, "1m") as disk:
        fill(disk)
        result = run_cli(
            "--config",
            str(config),
            "--db",
            str(disk / "new.db"),
            "run",
            "--port",
            str(free_port()),
            timeout=30,
        )
        assert result.returncode == 3
        text = one_line_error(result, "new.db")
        assert "disk full" in text or "cannot be opened" in text
        assert len(text.strip().splitlines()) == 1


@needs_root
def test_read_only_commands_work_on_a_read_only_database(site, tmp_path, write_config):
    config = one_source(site, write_config)
    data = tmp_path / "data"
    data.mkdir()
    assert run_cli("--config", str(config), "--db", str(data / "agg.db"), "fetch").returncode == 0
    with mounted("--bind", "-o", "ro", str(data), target=tmp_path / "ro") as ro:
        db = str(ro / "agg.db")
        written = run_cli("--config", str(config), "--db", db, "feed")
        assert written.returncode == 0, written.stderr.decode()
        assert written.stdout.count(b"<entry>") == 5
        status = run_cli("--config", str(config), "--db", db, "sources", "status")
        assert status.returncode == 0 and "kreis" in status.stdout.decode()
        listed = run_cli("--config", str(config), "--db", db, "campaigns", "list")
        assert listed.returncode == 0
        fetched = run_cli("--config", str(config), "--db", db, "fetch")
        assert fetched.returncode == 3
        one_line_error(fetched, db)


@needs_root
def test_the_service_turns_unhealthy_on_a_full_disk_and_recovers(site, tmp_path, write_config):
    config = one_source(site, write_config, interval="1s")
    with small_disk(tmp_path, "8m") as disk:
        db = disk / "svc.db"
        with service(config, db) as (base, _):
            wait_for(lambda: b"Meldung 4" in httpx.get(f"{base}/feeds/all.atom").content, 20, "")
            filler = fill(disk)
            site.routes["/kreis/rss.xml"] = Route(body=feed(300, "Neu"))

            def unhealthy() -> bool:
                answer = httpx.get(f"{base}/healthz")
                return answer.status_code == 503 and "disk full" in answer.text

            wait_for(unhealthy, 20, "health to notice the full disk")
            reasons = httpx.get(f"{base}/healthz").json()["reasons"]
            assert any(r.startswith("database: refreshes") for r in reasons), reasons
            metrics = httpx.get(f"{base}/metrics").text
            assert 'aggregator_refresh_crashes_total{kind="database"}' in metrics
            assert httpx.get(f"{base}/feeds/all.atom").status_code == 200  # still serving

            filler.unlink()
            wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 20, "recovery")
            wait_for(lambda: b"Neu 299" in httpx.get(f"{base}/feeds/all.atom").content, 20, "")
        log = db.with_suffix(".log").read_text()
    for line in log.splitlines():  # --log-format json: every line one object
        json.loads(line)
    assert '"kind": "database"' in log


# -- the service process ---------------------------------------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found |= {int(c) for c in children}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _one_listing(site, write_config) -> Path:
    """A source with an HTML press page, which a parsing worker reads (small feeds are
    read in the service's own process)."""
    rows = "".join(
        f"<li><h3><a href='/kreis/presse/{n}.html'>Meldung {n} des Jobcenters im Kreis</a>"
        f"</h3><p>{n + 1}.08.2019</p></li>"
        for n in range(5)
    )
    page = f"<html><body><main><ul>{rows}</ul></main></body></html>".encode()
    site.routes["/kreis/presse/"] = Route(body=page, headers={"Content-Type": "text/html"})
    return write_config(
        "version: 1\ndefaults: {host_delay: 0s, interval: 1h, workers: 1}\n"
        "sources:\n  - {id: kreis, name: Landkreis Kreis, land: BB, kind: landkreis, "
        f"pages: [{{url: '{site.url('kreis/presse/')}'}}]}}\n"
    )


def test_workers_exit_when_the_service_is_killed(site, tmp_path, write_config):
    config = _one_listing(site, write_config)
    with service(config, tmp_path / "kill.db") as (base, process):
        wait_for(lambda: b"Meldung 4" in httpx.get(f"{base}/feeds/all.atom").content, 30, "")
        children = _children(process.pid)
        assert len(children) >= 2  # the parsing worker and multiprocessing's resource tracker
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [c for c in children if _alive(c)], "workers outlived their parent"


def test_small_feeds_are_read_without_starting_a_worker(site, tmp_path, write_config):
    """A source list of small feeds costs no parsing worker (its start is a third of a
    second of CPU); HTML pages still go to one (the test above)."""
    config = one_source(site, write_config, workers=1)
    with service(config, tmp_path / "feeds.db") as (base, process):
        wait_for(lambda: b"Meldung 4" in httpx.get(f"{base}/feeds/all.atom").content, 30, "")
        commands = [Path(f"/proc/{c}/cmdline").read_bytes() for c in _children(process.pid)]
        workers = [c for c in commands if b"multiprocessing.resource_tracker" not in c]
        assert workers == []  # the pool's queue starts multiprocessing's tracker, no more


def test_a_second_instance_on_the_same_database_refuses(site, tmp_path, write_config):
    config = one_source(site, write_config)
    db = tmp_path / "one.db"
    with service(config, db) as (base, process):
        second = run_cli(
            "--config", str(config), "--db", str(db), "run", "--port", str(free_port()), timeout=30
        )
        assert second.returncode == 4
        one_line_error(second, f"pid {process.pid}", "another aggregator", "--db")
        assert (tmp_path / "one.db.pid").read_text() == str(process.pid)
        assert httpx.get(f"{base}/healthz").status_code == 200
        reload = run_cli("--config", str(config), "--db", str(db), "reload")
        assert reload.returncode == 0, reload.stderr.decode()
    assert not (tmp_path / "one.db.pid").exists()
    stale = run_cli("--config", str(config), "--db", str(db), "reload")
    assert stale.returncode == 1


def test_ports_are_validated_and_a_taken_port_is_one_line(site, tmp_path, write_config):
    config = one_source(site, write_config)
    args = ("--config", str(config), "--db", str(tmp_path / "port.db"), "run")
    invalid = run_cli(*args, "--port", "99999", timeout=30)
    assert invalid.returncode == 2
    one_line_error(invalid, "99999")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_cli(*args, "--port", str(port), timeout=30)
    assert busy.returncode == 4
    text = one_line_error(busy, f"cannot listen on 127.0.0.1:{port}")
    assert "started" not in text and len(text.strip().splitlines()) == 1


def test_reload_checks_the_file_before_it_signals(site, tmp_path, write_config):
    config = one_source(site, write_config)
    db = tmp_path / "reload.db"
    with service(config, db) as (base, _):
        good = config.read_text()
        config.write_text(good.replace("land: BB", "land: XX"))
        refused = run_cli("--config", str(config), "--db", str(db), "reload")
        assert refused.returncode == 2
        one_line_error(refused, f"{config}:4:", "XX", "nothing was run")
        config.write_text(good)
        assert run_cli("--config", str(config), "--db", str(db), "reload").returncode == 0
        wait_for(lambda: '"event": "reloaded"' in db.with_suffix(".log").read_text(), 10, "")
        assert httpx.get(f"{base}/healthz").status_code == 200
    log = db.with_suffix(".log").read_text()
    assert "reload refused" not in log  # the broken file never reached the service


def test_json_logs_carry_tracebacks_of_any_logger_in_one_line():
    code = (
        "import logging\n"
        "from aggregator.core.logs import setup\n"
        "setup('json')\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    logging.getLogger('apscheduler.executors.default').exception('Job failed')\n"
        "logging.getLogger('uvicorn.error').error('ASGI failed', exc_info=(ValueError, "
        "ValueError('x'), None))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=30,
    )
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 2, lines
    first, second = (json.loads(line) for line in lines)
    assert first["event"] == "Job failed" and "ZeroDivisionError" in first["traceback"]
    assert first["logger"] == "apscheduler.executors.default"
    assert second["level"] == "error" and "ValueError" in second["traceback"]


# -- sources.yaml ----------------------------------------------------------------------


def _bomb() -> str:
    lines = ["version: 1", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 9):
        refs = ", ".join([f"*a{n - 1}"] * 8)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_quickly(write_config):
    config = write_config(_bomb())
    started = time.monotonic()
    result = run_cli("--config", str(config), "sources", "validate", timeout=60)
    assert time.monotonic() - started < 20
    assert result.returncode == 2
    one_line_error(result, "aliases are expanded", "nothing was run")


def test_a_huge_file_is_refused_without_reading_it(write_config, tmp_path):
    config = write_config("version: 1\n# " + "x" * (3 * 2**20) + "\n")
    result = run_cli("--config", str(config), "sources", "validate")
    assert result.returncode == 2
    one_line_error(result, f"{config}:1", "larger than 2 MiB")


def test_an_encoding_error_names_its_line(write_config, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(
        "version: 1\nsources:\n  - id: muenster\n    name: Kreis Münster\n".encode("latin-1")
    )
    result = run_cli("--config", str(path), "sources", "validate")
    assert result.returncode == 2
    one_line_error(result, f"{path}:4:", "not UTF-8 at column 18", "UTF-8")
