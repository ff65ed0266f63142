"""Document lists of public bodies (Landtage, gazettes, councils), written here after the
shapes real ones show: one `tbody` per record under a search form and a result count,
records over two rows whose first cell spans both, headlines in plain text beside a link
named by the document's number, a "Vorgang" link in every row."""

from __future__ import annotations

from pathlib import Path

from aggregator.config.schema import PageTarget
from aggregator.parse.pages import parse_listing
from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.siteserver import Route, SiteServer

BASE = "https://www.landtag-beispiel.de/dokumente"
NAV = "<nav><ul><li><a href='/'>Start</a></li><li><a href='/plenum'>Plenum</a></li></ul></nav>"
SEARCH = """<form action="/suche" method="get"><label>Suchbegriff <input name="q"></label>
  <select name="typ"><option>Alle Dokumente</option><option>Drucksachen</option></select>
  <button>Suchen</button></form>
  <p class="treffer">Ihre Suche ergab 132 Treffer (Seite 1 von 17)</p>"""


def tbody_records(count: int = 8) -> str:
    """Per record a tbody: number link and date, the title in plain text, history and file."""
    records = "".join(
        f"""<tbody class="dokument"><tr><td><a href="/dok/16-{200 + n}.pdf">Drucksache
        16/{200 + n}</a></td><td>{10 + n}.05.2023</td></tr><tr><td colspan="2" class="titel">
        Antrag zur Stärkung der kommunalen Jobcenter im Land, Teil {n}</td></tr><tr><td
        colspan="2"><a href="/vorgang/{n}">Vorgang</a> | <a href="/dok/16-{200 + n}.pdf">PDF</a>
        </td></tr></tbody>"""
        for n in range(count)
    )
    return (
        f"<html><body>{NAV}<main><h1>Dokumente</h1>{SEARCH}<table class='ergebnis'><thead>"
        f"<tr><th>Nummer</th><th>Datum</th></tr></thead>{records}</table></main></body></html>"
    )


def spanning_records(count: int = 8) -> str:
    """Per record two rows: the date cell spans both; the headline is bold plain text and
    the only link is named by the document's number."""
    rows = "".join(
        f"""<tr><td rowspan="2">{10 + n}.06.2023</td><td><strong>Kleine Anfrage zur Lage im
        Jobcenter des Kreises, Nummer {n}</strong></td></tr><tr><td><a href="/drs/8-{300 + n}">
        Drucksache 8/{300 + n}</a></td></tr>"""
        for n in range(count)
    )
    header = "<tr><th rowspan='2'>Datum</th><th>Titel</th></tr><tr><th>Dokument</th></tr>"
    table = f"<p>48 Treffer</p><table>{header}{rows}</table>"
    return f"<html><body>{NAV}<main>{table}</main></body></html>"


def _read(html: str):
    return parse_listing(html.encode(), {"content-type": "text/html"}, BASE, PageTarget(url=BASE))


def test_one_record_per_tbody_is_titled_by_its_headline_and_linked_to_its_document() -> None:
    listing = _read(tbody_records())
    titles = [f"Antrag zur Stärkung der kommunalen Jobcenter im Land, Teil {n}" for n in range(8)]
    assert [e.title for e in listing.entries] == titles  # no header, form or count row
    assert [e.link for e in listing.entries] == [
        f"https://www.landtag-beispiel.de/dok/16-{200 + n}.pdf" for n in range(8)
    ]  # the document, not its history ("Vorgang" is in every row)
    assert [e.published.day for e in listing.entries if e.published] == list(range(10, 18))


def test_records_over_two_rows_start_at_the_cell_that_spans_them() -> None:
    listing = _read(spanning_records())
    assert [e.title for e in listing.entries] == [
        f"Kleine Anfrage zur Lage im Jobcenter des Kreises, Nummer {n}" for n in range(8)
    ]
    assert [e.link for e in listing.entries] == [
        f"https://www.landtag-beispiel.de/drs/8-{300 + n}" for n in range(8)
    ]
    assert [e.published.day for e in listing.entries if e.published] == list(range(10, 18))


def test_document_lists_end_to_end_through_fetch_and_feed(site: SiteServer, tmp_path: Path) -> None:
    html = {"Content-Type": "text/html; charset=utf-8"}
    site.routes["/landtag/dokumente"] = Route(body=tbody_records().encode(), headers=html)
    site.routes["/kreistag/anfragen"] = Route(body=spanning_records().encode(), headers=html)
    config = tmp_path / "sources.yaml"
    config.write_text(
        "version: 1\ndefaults: {host_delay: 0s}\nsources:\n"
        "  - {id: landtag, name: Landtag Beispiel, land: BB, kind: landkreis, "
        f"pages: [{{url: '{site.url('landtag/dokumente')}'}}]}}\n"
        "  - {id: kreistag, name: Kreistag Beispiel, land: BB, kind: landkreis, "
        f"pages: [{{url: '{site.url('kreistag/anfragen')}'}}]}}\n",
        encoding="utf-8",
    )
    env = {"AGGREGATOR_DB": str(tmp_path / "docs.db")}
    fetched = run_cli("--config", str(config), "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr.decode()
    feed = run_cli("--config", str(config), "feed", env=env)
    root = assert_valid_atom(feed.stdout)
    titles = {entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")}
    assert len(titles) == 16
    assert "Antrag zur Stärkung der kommunalen Jobcenter im Land, Teil 3" in titles
    assert "Kleine Anfrage zur Lage im Jobcenter des Kreises, Nummer 5" in titles
    assert not any(t.startswith(("Drucksache", "Vorgang", "PDF")) for t in titles if t)
