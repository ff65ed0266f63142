"""Real pages, second round (issue 36), through `fetch` and `feed`: a document list whose
rows all carry the same link text ("Vorgang") takes each row's own headline as its
title; a row whose headline is a second link keeps that one."""

from __future__ import annotations

from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
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


def _city_homepage() -> bytes:
    lead = (
        "<section class='aufmacher'><article class='top'><h2><a href='/meldung/lead.html'>"
        "Oberbürgermeisterin eröffnet das neue Bürgerbüro am Markt</a></h2><p>Nach einem Jahr "
        "Umbau ist das Bürgerbüro wieder geöffnet, mit längeren Öffnungszeiten.</p>"
        "<img src='/bilder/lead.jpg' alt=''></article></section>"
    )
    grid = "".join(
        f"<div class='kachel'><a href='/meldung/k{n}.html'><img src='/bilder/k{n}.jpg' alt=''>"
        f"<span class='kachel-titel'>Stadtrat beschließt Sanierung der Grundschule Nummer {n}"
        "</span></a><p>Die Arbeiten beginnen im Sommer und dauern ein Jahr.</p></div>"
        for n in range(8)
    )
    further = "".join(
        f"<li><a href='/meldung/w{n}.html'>Neue Sprechzeiten im Jobcenter der Stadt, Teil {n}"
        f"</a> <span class='datum'>0{n + 1}.09.2022</span></li>"
        for n in range(6)
    )
    social = "".join(
        f"<div class='post'><a href='https://www.facebook.com/stadt/posts/{n}'>Heute im "
        f"Rathaus: Besuch aus der Partnerstadt, Nummer {n}</a><span>0{n + 1}.09.2022</span></div>"
        for n in range(5)
    )
    events = "".join(
        f"<li><a href='/termine/{n}.html'>Konzert im Stadtpark mit dem Orchester {n}</a> "
        f"1{n}.09.2022</li>"
        for n in range(4)
    )
    elsewhere = "".join(
        f"<li><a href='https://www.landkreis.example/presse/{n}.html'>Meldung des Landkreises "
        f"zur Abfallentsorgung, Teil {n}</a></li>"
        for n in range(4)
    )
    photos = "".join(
        f"<li><a href='/fotos/{n}.html'><img src='/f{n}.jpg' alt=''><span>Bilder vom "
        f"Stadtfest am Wochenende, Reihe {n}</span></a></li>"
        for n in range(4)
    )
    return (
        "<html><head><title>Stadt Beispiel</title></head><body><nav><ul><li><a href='/rathaus/'>"
        "Rathaus</a></li><li><a href='/kultur/'>Kultur</a></li></ul></nav><main id='inhalt'>"
        f"{lead}<div class='kacheln'>{grid}</div><h2>Weitere Nachrichten aus dem Rathaus</h2>"
        f"<ul class='liste'>{further}</ul><div class='box'><h2>Die Stadt auf Facebook</h2>{social}"
        f"</div><div class='box'><h2>Veranstaltungen</h2><ul>{events}</ul></div>"
        f"<div class='box'><h2>Weitere Meldungen</h2><ul>{elsewhere}</ul></div>"
        f"<div class='box'><h3>Fotos</h3></div><div class='galerie'><ul>{photos}</ul></div>"
        "</main><footer><a href='/impressum/'>Impressum</a></footer></body></html>"
    ).encode()


def test_every_teaser_block_of_a_homepage_is_read(site, tmp_path, write_config):
    """A city homepage is the list (no press section to be found): the lead story, the
    teaser grid and the list of further releases are read; the social-media posts, the
    events, the link list to another site and the photo series are not."""
    site.routes["/stadt/"] = Route(body=_city_homepage())
    config = write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - {id: stadt, name: Stadt Beispiel, land: NW, kind: kreisfreie-stadt, "
        f"homepage: '{site.url('stadt/')}'}}\n"
    )
    env = {"AGGREGATOR_DB": str(tmp_path / "stadt.db")}
    fetched = run_cli("--config", str(config), "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr.decode()
    root = assert_valid_atom(run_cli("--config", str(config), "feed", env=env).stdout)
    titles = {e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")}
    assert "Oberbürgermeisterin eröffnet das neue Bürgerbüro am Markt" in titles
    assert sum(t.startswith("Stadtrat beschließt") for t in titles) == 8
    assert sum(t.startswith("Neue Sprechzeiten") for t in titles) == 6
    assert len(titles) == 15, sorted(titles)
