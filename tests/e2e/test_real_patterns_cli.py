"""The patterns real municipal pages show (issue 14) through the CLI: dates from detail
pages, homepage tickers, first runs, cut headlines, remembered shapes, and every pattern
through fetch and feed."""

from __future__ import annotations

import sqlite3

from aggregator.cli.app import EXIT_ALL_FAILED
from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.helpers.municipal_pages import (
    FOUR,
    MENU,
    ONE_LEFT,
    UNDATED,
    document_rows,
    fetch,
    flat_page,
    gsb_page,
    homepage,
    one_source,
    read,
    release_page,
    small_office,
    teaser_page,
    zebra_page,
)
from tests.siteserver import Route


def test_an_undated_listing_gets_its_dates_from_the_detail_pages(site, tmp_path, write_config):
    site.routes["/gemeinde/aktuelles.php"] = Route(body=teaser_page().encode("cp1252"))
    for n, (title, _) in enumerate(UNDATED, 300):
        detail = (
            f"<html><body><div id='contentbereich'><p class='breadcrumb'>Start › Aktuelles</p>"
            f"<h1>{title}</h1><p>Pressemitteilung vom {n - 290}.08.2019</p><p>Der Text der "
            f"Meldung {n} steht hier, lang genug für einen Absatz über die Gemeinde.</p>"
            "</div></body></html>"
        )
        site.routes[f"/aktuelles.php?publish[id]={n}"] = Route(body=detail.encode())
    page = site.url("gemeinde/aktuelles.php")
    config = one_source(write_config, "gemeinde", f"pages: [{{url: '{page}'}}]")
    db = tmp_path / "undated.db"
    assert "heuristic: guessed 6 items" in fetch(config, db)  # the progress lines
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT title, published, date_is_guess FROM items").fetchall()
    assert len(rows) == 6
    dated = {title: (published[:10], guess) for title, published, guess in rows}
    assert dated["Einladung zur Gemeinderatssitzung am Mittwoch, 14. August 2019"] == (
        "2019-08-11",
        0,
    )  # from "Pressemitteilung vom 12.08.2019" (Berlin midnight is the 11th in UTC)


def test_a_homepage_without_a_readable_press_section_yields_its_press_ticker(
    site, tmp_path, write_config
):
    site.routes["/land/"] = Route(body=homepage().encode())
    # its "Pressemitteilungen" link leads nowhere readable (here: 404), so the homepage
    # itself is the list
    config = one_source(write_config, "land", f"homepage: '{site.url('land/')}'")
    db = tmp_path / "home.db"
    fetch(config, db)
    with sqlite3.connect(db) as conn:
        titles = {row[0] for row in conn.execute("SELECT title FROM items")}
    assert "Kommunale Jobcenter laden zur Aktionswoche ein" in titles
    assert len(titles) == 5  # neither photo series nor Facebook posts
    pinned = run_cli("--config", str(config), "--db", str(db), "sources", "discover", "land")
    assert f"url: {site.url('land/')}" in pinned.stdout.decode()


def test_a_first_run_dates_every_item_and_later_refreshes_stay_polite(site, tmp_path, write_config):
    """150 undated releases behind one listing: the first refresh reads every detail page
    (each item has its date and text after one fetch); 70 releases that appear later are
    read 30 per refresh (the listing unchanged in between answers 304); no page twice."""
    first_count, later = 150, 70

    def publish(count: int) -> None:
        items = [
            (f"Pressemitteilung {n} des Landratsamts zur Lage", f"pm{n}") for n in range(count)
        ]
        site.routes["/kreis/aktuelles.php"] = Route(body=teaser_page(items).encode("cp1252"))
        for n in range(count):
            detail = (
                f"<html><head><meta name='dcterms.date' content='2019-09-30'></head><body>"
                f"<div id='inhalt'><h1>Pressemitteilung {n}</h1><p>Pressemitteilung "
                f"vom {n % 28 + 1:02d}.08.2019</p><p>Der Landkreis teilt mit: Text der "
                f"Meldung {n}, lang genug für einen ganzen Absatz über die Arbeit im Kreis.</p>"
                "</div></body></html>"
            )
            site.routes[f"/aktuelles.php?publish[id]={300 + n}"] = Route(body=detail.encode())

    publish(first_count)
    config = one_source(
        write_config,
        "kreis",
        f"pages: [{{url: '{site.url('kreis/aktuelles.php')}', max_pages: 1}}]",
    )
    db = tmp_path / "queue.db"

    def dated() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "SELECT count(*) FROM items WHERE date_is_guess = 0 AND content_html != ''"
            ).fetchone()[0]

    first = run_cli("--config", str(config), "--db", str(db), "fetch")
    assert first.returncode == 0 and "queued for the next" not in first.stderr.decode()
    assert dated() == first_count  # one fetch: every date
    with sqlite3.connect(db) as conn:
        day = conn.execute(
            "SELECT published FROM items WHERE title LIKE 'Pressemitteilung 45 %'"
        ).fetchone()[0]
    assert day.startswith("2019-08-17T22:00")  # "vom 18.08.2019", not the revision's 30.09.

    publish(first_count + later)
    again = run_cli("--config", str(config), "--db", str(db), "fetch")
    assert "queued for the next" in again.stderr.decode()
    assert dated() == first_count + 30
    for _ in range(2):
        assert run_cli("--config", str(config), "--db", str(db), "fetch").returncode == 0
    assert dated() == first_count + later
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM detail_queue").fetchone()[0] == 0
    details = [r for r in site.requests if "publish[id]=" in r.path]
    assert len(details) == len({r.path for r in details}) == first_count + later


def test_a_cut_headline_is_completed_from_the_detail_page_once(site, tmp_path, write_config):
    cut = [("Neue Wohnheimplätze für Studierende: „Wertvoller ...", "wohnheim"), *UNDATED[1:4]]
    site.routes["/stadt/aktuelles.php"] = Route(body=teaser_page(cut).encode("cp1252"))
    full = "Neue Wohnheimplätze für Studierende: „Wertvoller Beitrag zum Hochschulstandort“"
    detail = (
        f"<html><body><div id='inhalt'><h1>{full}</h1><p>Pressemitteilung vom 02.10.2017</p>"
        f"<p>{'Die Stadt baut Wohnheime für Studierende. ' * 5}</p></div></body></html>"
    )
    site.routes["/aktuelles.php?publish[id]=300"] = Route(body=detail.encode())
    config = one_source(
        write_config, "stadt", f"pages: [{{url: '{site.url('stadt/aktuelles.php')}'}}]"
    )
    db = tmp_path / "cut.db"
    for _ in range(2):  # the second refresh sees the cut title again, unchanged listing
        site.routes["/stadt/aktuelles.php"] = Route(
            body=teaser_page(cut).encode("cp1252"), conditional=False
        )
        assert run_cli("--config", str(config), "--db", str(db), "fetch").returncode == 0
    with sqlite3.connect(db) as conn:
        titles = {row[0] for row in conn.execute("SELECT title FROM items")}
        [(updated, first_seen)] = conn.execute(
            "SELECT updated, first_seen FROM items WHERE url LIKE '%publish[id]=300'"
        ).fetchall()
    assert full in titles
    assert len([r for r in site.requests if r.path.endswith("publish[id]=300")]) == 1
    assert updated <= first_seen  # not "changed" again by the listing's cut title


def test_a_detail_page_is_never_read_as_a_listing(site, tmp_path, write_config):
    listing = read(release_page())
    assert listing.entries == []
    assert "single release, not a listing" in listing.method
    site.routes["/presse/pm-9.html"] = Route(body=release_page().encode())
    config = one_source(write_config, "amt", f"pages: [{{url: '{site.url('presse/pm-9.html')}'}}]")
    fetched = run_cli("--config", str(config), "--db", str(tmp_path / "d.db"), "fetch")
    assert "single release, not a listing" in fetched.stdout.decode()
    assert "configure the press listing" in fetched.stdout.decode()


def test_every_pattern_end_to_end_through_fetch_and_feed(site, tmp_path, write_config):
    """The real-markup patterns as five sources with nothing but a URL, through the CLI
    into the feed: zebra rows, several rows per item, flat siblings, generic link texts,
    structured data."""
    generic = "".join(
        f'<li><div class="newsText"><div class="headline"><a href="/gen/{n}">Fundbüro {n}</a>'
        f'</div><div class="date02">Artikel vom 2{n}.07.2019</div><div><a href="/gen/{n}">'
        "Artikel weiterlesen</a></div></div></li>"
        for n in range(4)
    )
    ld = ",".join(
        f'{{"@type": "ListItem", "item": {{"@type": "NewsArticle", "headline": "JSON {n}", '
        f'"url": "/ld/{n}.html", "datePublished": "2019-08-2{n}"}}}}'
        for n in range(3)
    )
    pages = {
        "gsb": (gsb_page(), 4),
        "zebra": (zebra_page(), 7),
        "zeilen": (document_rows(6), 6),
        "flach": (flat_page(), 5),
        "generisch": (f"<html><body><div id='content'><ul>{generic}</ul></div></body></html>", 4),
        "daten": (
            '<html><head><script type="application/ld+json">{"@type": "ItemList", '
            f'"itemListElement": [{ld}]}}</script></head><body>{MENU}</body></html>',
            3,
        ),
    }
    lines = ["version: 1", "defaults: {host_delay: 0s, workers: 0}", "sources:"]
    for name, (html, _) in pages.items():
        site.routes[f"/{name}/liste.html"] = Route(body=html.encode())
        lines.append(
            f"  - {{id: {name}, name: Kreis {name.title()}, land: BW, kind: landkreis, "
            f"pages: [{{url: '{site.url(f'{name}/liste.html')}'}}]}}"
        )
    config = write_config("\n".join(lines) + "\n")
    db = tmp_path / "patterns.db"
    fetch(config, db)
    written = run_cli("--config", str(config), "--db", str(db), "feed")
    root = assert_valid_atom(written.stdout)
    entries = root.findall(f"{ATOM}entry")
    by_source: dict[str, list[str]] = {}
    for entry in entries:
        source = entry.find(f"{ATOM}category[@scheme='urn:jobcenter-aggregator:source']")
        by_source.setdefault(source.get("term"), []).append(entry.findtext(f"{ATOM}title"))
    assert {name: len(titles) for name, titles in by_source.items()} == {
        name: count for name, (_, count) in pages.items()
    }
    assert sorted(by_source["generisch"]) == [f"Fundbüro {n}" for n in range(4)]
    assert "Artikel weiterlesen" not in written.stdout.decode()


def test_the_shape_of_a_listing_is_remembered_across_refreshes(site, tmp_path, write_config):
    site.routes["/klein/presse.html"] = Route(body=small_office(FOUR).encode())
    config = one_source(
        write_config, "klein", f"pages: [{{url: '{site.url('klein/presse.html')}'}}]"
    )
    db = tmp_path / "klein.db"
    fetch(config, db)
    # the office archives its releases: one new item is left on the page
    site.routes["/klein/presse.html"] = Route(body=small_office(ONE_LEFT).encode())
    fetch(config, db)
    with sqlite3.connect(db) as conn:
        titles = {row[0] for row in conn.execute("SELECT title FROM items")}
        [(status, message)] = conn.execute(
            "SELECT last_status, last_message FROM fetch_state WHERE source_id = 'klein'"
        ).fetchall()
    assert "Jobcenter zieht Bilanz der Aktionswoche" in titles and len(titles) == 5
    assert status == "ok" and "the shape this page had before" in message
    # a store that never saw the page with four items cannot know the shape
    fresh = tmp_path / "fresh.db"
    fetch(config, fresh, expect=EXIT_ALL_FAILED)  # its only source: nothing found
    with sqlite3.connect(fresh) as conn:
        [(status,)] = conn.execute("SELECT last_status FROM fetch_state").fetchall()
    assert status == "error"
