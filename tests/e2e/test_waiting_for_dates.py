"""An undated listing's item goes out nowhere with an invented date: until its detail page
(where the date is) has been read, it waits; read, it arrives with its own date."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

from bench.campaigns import campaigns_section
from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.paths import ROOT
from tests.siteserver import Route, SiteServer

WAITS = "pm-2019-081.html"  # its detail page answers 503 at first
DATED = "pm-2019-080.html"  # read at once
GONE = "pm-2019-079.html"  # 404: no date will ever come; it goes out flagged as a guess


def _config(site: SiteServer, tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "version: 1\ndefaults: {host_delay: 0s}\nsources:\n  - id: ohnedatum\n"
        "    name: Landkreis Ohnedatum\n    land: ST\n    kind: landkreis\n    pages:\n"
        f"      - {{url: '{site.url('presse/ohne-datum/')}', items: 'ul.pm-liste > li'}}\n"
        + campaigns_section(ROOT / "sources.yaml"),
        encoding="utf-8",
    )
    return path


def _fetch(config: Path, env: dict[str, str]) -> str:
    result = run_cli("--config", str(config), "fetch", env=env)
    assert result.returncode == 0, result.stderr.decode()
    said: str = result.stdout.decode() + result.stderr.decode()
    return said


def _feed_links(config: Path, env: dict[str, str]) -> dict[str, str]:
    """The combined feed's entries: file name of the link -> atom:published."""
    result = run_cli("--config", str(config), "feed", env=env)
    assert result.returncode == 0, result.stderr.decode()
    root = assert_valid_atom(result.stdout)
    entries = {}
    for entry in root.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None
        entries[link.get("href", "").rsplit("/", 1)[-1]] = entry.findtext(f"{ATOM}published", "")
    return entries


def _rows(db: Path) -> dict[str, tuple[int, int, int, str]]:
    """file name -> (waiting, date_is_guess, arrival number, where the date came from)"""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url, waiting, date_is_guess, seq, dated_by FROM items")
        return {url.rsplit("/", 1)[-1]: tuple(rest) for url, *rest in rows}


def test_an_item_waits_for_its_detail_page_and_then_arrives_with_its_date(
    site: SiteServer, tmp_path: Path
) -> None:
    env = {"AGGREGATOR_DB": str(tmp_path / "wait.db")}
    config = _config(site, tmp_path)
    site.routes["/presse/ohne-datum/" + WAITS] = Route(status=503)

    said = _fetch(config, env)
    assert "1 new items wait for their detail page" in said
    rows = _rows(tmp_path / "wait.db")
    assert rows[WAITS][:2] == (1, 1)  # stored, but waiting: its date is only a guess
    assert rows[DATED][:2] == (0, 0)
    assert rows[GONE][:2] == (0, 1)  # given up at once: it goes out, flagged
    first_feed = _feed_links(config, env)
    assert WAITS not in first_feed
    assert set(first_feed) == {DATED, GONE}

    del site.routes["/presse/ohne-datum/" + WAITS]
    _fetch(config, env)
    rows = _rows(tmp_path / "wait.db")
    assert rows[WAITS][:2] == (0, 0)  # read: its own date, let out
    assert rows[WAITS][2] > max(rows[DATED][2], rows[GONE][2])  # arrived now, last
    assert _feed_links(config, env)[WAITS].startswith("2019-08-26T10:30:00+02:00")
    # where each date came from is kept, and said to coordinators and operators
    assert (rows[WAITS][3], rows[DATED][3], rows[GONE][3]) == ("page", "page", "first-seen")
    exported = tmp_path / "kampagne.csv"
    done = run_cli(
        "--config", str(config), "export", "stark-sozial-vor-ort", "--out", str(exported), env=env
    )
    assert done.returncode == 0, done.stderr.decode()
    table = csv.DictReader(io.StringIO(exported.read_text("utf-8-sig")), delimiter=";")
    (row,) = [r for r in table if r["Link"].endswith(WAITS)]
    assert row["Datum aus"] == "Meldung selbst (Datumszeile, Kopf der Seite)"
    assert row["Datum"] == "26.08.2019 10:30"
    tested = run_cli("--config", str(config), "campaigns", "test", "stark-sozial-vor-ort", env=env)
    assert "published date from the date the release shows on its own page" in (
        tested.stdout.decode()
    )
