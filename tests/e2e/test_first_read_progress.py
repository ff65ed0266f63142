"""The first read of a large undated listing says how far it is, and dates every item."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.helpers.cli import run_cli
from tests.siteserver import Route, SiteServer

RELEASES = 60
BERLIN = ZoneInfo("Europe/Berlin")


def _listing() -> bytes:
    rows = "".join(
        f'<li><a href="/presse/gross/pm-{n}.html">Pressemitteilung {n}: Kreistag berät</a></li>'
        for n in range(1, RELEASES + 1)
    )
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Presse</title></head>'
        f'<body><main><h1>Pressemitteilungen</h1><ul class="pm">{rows}</ul></main></body></html>'
    ).encode()


def _release(n: int) -> bytes:
    day = 1 + n % 28
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f'<meta name="dcterms.date" content="2026-11-{day:02d}T12:00:00+01:00">'
        f"<title>Pressemitteilung {n}</title></head><body><main><article>"
        f"<h1>Pressemitteilung {n}: Kreistag berät</h1>"
        f"<p>Pressemitteilung vom {day:02d}.10.2026</p>"
        "<p>Der Kreistag berät über den Haushalt des Jobcenters und die Angebote vor Ort.</p>"
        "</article></main></body></html>"
    ).encode()


def test_a_first_read_says_its_progress_and_dates_every_item(
    site: SiteServer, tmp_path: Path
) -> None:
    html = {"Content-Type": "text/html; charset=utf-8"}
    site.routes["/presse/gross/"] = Route(body=_listing(), headers=html)
    for n in range(1, RELEASES + 1):
        site.routes[f"/presse/gross/pm-{n}.html"] = Route(body=_release(n), headers=html)
    config = tmp_path / "sources.yaml"
    config.write_text(
        "version: 1\ndefaults: {host_delay: 0s}\nsources:\n  - id: gross\n"
        "    name: Landkreis Gross\n    land: ST\n    kind: landkreis\n    pages:\n"
        f"      - {{url: '{site.url('presse/gross/')}', items: 'ul.pm > li'}}\n",
        encoding="utf-8",
    )
    db = tmp_path / "gross.db"
    result = run_cli("--config", str(config), "fetch", env={"AGGREGATOR_DB": str(db)})
    assert result.returncode == 0, result.stderr.decode()
    said = result.stderr.decode()
    assert f"gross: reading {RELEASES} detail pages of" in said
    assert f"gross: 50 of {RELEASES} detail pages read" in said
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT url, published, date_is_guess, waiting, dated_by FROM items"
        ).fetchall()
    assert len(rows) == RELEASES
    for url, published, guess, waiting, dated_by in rows:
        n = int(url.rsplit("-", 1)[-1].removesuffix(".html"))
        assert (guess, waiting, dated_by) == (0, 0, "page")
        # the date the release shows, not the later revision date of its metadata
        shown = datetime.fromisoformat(published).astimezone(BERLIN).date()
        assert shown == date(2026, 10, 1 + n % 28), (url, published)
