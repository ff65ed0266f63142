"""Real pages, second round (issue 36), through `fetch` and `feed`: a document list whose
rows all carry the same link text ("Vorgang") takes each row's own headline as its
title; a row whose headline is a second link keeps that one."""

from __future__ import annotations

from tests.conftest import ATOM, assert_valid_atom, run_cli
from tests.siteserver import Route


def _document_list(link_first: bool) -> bytes:
    rows = []
    for n in range(1, 21):
        history = f"<td><a href='/parldok/vorgang/{n}'>Vorgang</a></td>"
        title = f"Kleine Anfrage zur Lage der Schulen im Kreis, Teil {n}"
        headline = (
            f"<td><a href='/parldok/drucksache/{n}.pdf'>{title}</a></td>"
            if link_first
            else f"<td>{title}</td>"
        )
        rows.append(f"<tr><td>{n:02d}.03.2015</td>{headline}{history}</tr>")
    return (
        "<html><body><main><h1>Parlamentsdokumentation</h1><p>20 Treffer</p>"
        "<form><input name='suche'><button>Suchen</button></form><table><thead><tr><th>Datum"
        "</th><th>Titel</th><th>Vorgang</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></main></body></html>"
    ).encode()


def _titles(site, tmp_path, write_config, link_first: bool) -> list[str]:
    site.routes["/parldok/liste"] = Route(body=_document_list(link_first))
    config = write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - {id: landtag, name: Landtag Beispiel, land: TH, kind: region, "
        f"pages: [{{url: '{site.url('parldok/liste')}'}}]}}\n"
    )
    env = {"AGGREGATOR_DB": str(tmp_path / "parl.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    written = run_cli("--config", str(config), "feed", env=env)
    root = assert_valid_atom(written.stdout)
    return [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]


def test_a_link_text_every_row_carries_is_no_title(site, tmp_path, write_config):
    titles = _titles(site, tmp_path, write_config, link_first=False)
    assert len(titles) == 20
    assert "Vorgang" not in titles
    assert sorted(titles) == sorted(
        f"Kleine Anfrage zur Lage der Schulen im Kreis, Teil {n}" for n in range(1, 21)
    )


def test_a_headline_that_is_a_link_beats_the_repeated_one(site, tmp_path, write_config):
    titles = _titles(site, tmp_path, write_config, link_first=True)
    assert len(set(titles)) == 20 and all(t.startswith("Kleine Anfrage") for t in titles)
