"""Zero-config extraction on the patterns real municipal pages show (issue 14), each
on a page written here after that pattern: undated teaser lists, zebra rows, items
made of several rows or flat siblings, generic link texts, dates inside headlines.
Unit tests read the page with parse_listing; the end-to-end tests run the CLI."""

from __future__ import annotations

import sqlite3

import pytest

from aggregator.cli.app import EXIT_ALL_FAILED
from aggregator.config.schema import PageTarget
from aggregator.parse.pages import parse_listing
from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.checks import present
from tests.helpers.cli import run_cli
from tests.siteserver import Route

BASE = "https://www.gemeinde-beispiel.de/aktuelles.php"

MENU = """<div id="linkeSpalte"><ul>
  <li><a href="/rathaus.php">Rathaus</a></li>
  <li><a href="/buergerservice.php">Bürgerservice</a></li>
  <li><a href="/bauplaetze.php">Bauplätze</a></li><li><a href="/notrufe.php">Notrufe</a></li>
  <li><a href="/vereine.php">Vereine</a></li><li><a href="/kontakt.php">Kontakt</a></li>
</ul></div>"""
FOOTER = """<div class="fusszeile"><ul><li><a href="/impressum.php">Impressum</a></li>
  <li><a href="/datenschutz.php">Datenschutzerklärung der Gemeinde</a></li>
  <li><a href="/barrierefreiheit.php">Erklärung zur Barrierefreiheit</a></li></ul></div>"""
TAGS = """<div class="schlagworte"><a href="/t/kita">Kita</a> <a href="/t/bauen">Bauen</a>
  <a href="/t/wahl">Wahl</a> <a href="/t/abfall">Abfall</a> <a href="/t/sport">Sport</a></div>"""
POST_PAGER = """<form method="post" action="/aktuelles.php"><input type="hidden" name="seite"
  value="2"><button type="submit" name="p" value="1">1</button><button type="submit" name="p"
  value="2">2</button><button type="submit" name="p" value="3">3</button></form>"""

UNDATED = [
    ("Ferienprogramm", "ferien"),  # two words: kept with its group
    ("Neues Adressbuch", "adressbuch"),
    ("Einladung zur Gemeinderatssitzung am Mittwoch, 14. August 2019", "gemeinderat"),
    ("Baugebiet \u201eAm Sonnenhang\u201c wird erweitert", "baugebiet"),
    ("Jobcenter informiert zur Aktionswoche der kommunalen Jobcenter", "aktionswoche"),
    ("Feststellung der Jahresrechnung 2018", "jahresrechnung"),
]


def teaser_page(items=UNDATED) -> str:
    """An OpenText RedDot municipal template: picture link + text link, no date."""
    href = "/aktuelles.php?&amp;publish[id]={}&amp;publish[start]=0"
    rows = "".join(
        f"""<li><div class="teaserPicture"><a href="{href.format(n)}">
        <img alt="Diesen Artikel lesen" src="/bilder/teaser{n}.jpg"></a></div>
        <div class="aktuellbereichText"><a href="{href.format(n)}"
        title="Diesen Artikel lesen">{title}</a></div></li>"""
        for n, (title, _) in enumerate(items, 300)
    )
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="windows-1252">
    <title>Aktuelles</title></head><body>{MENU}<div id="contentbereich">
    <div class="aktuellTeaser"><h4>Die Gemeinde informiert</h4><ul>{rows}</ul></div>
    {POST_PAGER}</div>{TAGS}{FOOTER}</body></html>"""


def one_source(write_config, source_id: str, target: str):
    """A sources.yaml with one source reading `target` ("pages: […]" or "homepage: …")."""
    return write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        f"  - {{id: {source_id}, name: Landkreis {source_id.title()}, land: BW, "
        f"kind: landkreis, {target}}}\n"
    )


def fetch(config, db, expect: int = 0) -> str:
    """`aggregator fetch` as an operator runs it; its progress lines."""
    fetched = run_cli("--config", str(config), "--db", str(db), "fetch")
    assert fetched.returncode == expect, fetched.stderr.decode()
    return fetched.stderr.decode()


def read(html: str, url: str = BASE):
    body = html.encode("cp1252", errors="xmlcharrefreplace")
    return parse_listing(body, {"content-type": "text/html"}, url, PageTarget(url=url))


def test_an_undated_teaser_list_is_found_and_menus_footers_tags_and_pagers_are_not():
    listing = read(teaser_page())
    assert [e.title for e in listing.entries] == [title for title, _ in UNDATED]
    assert all(e.published is None for e in listing.entries)  # the headline's date is no date
    assert listing.method.startswith("heuristic: guessed 6 items in div.aktuellTeaser > ul > li")
    links = {e.link for e in listing.entries}
    # the list state (publish[start]) is not part of an item's identity
    assert "https://www.gemeinde-beispiel.de/aktuelles.php?publish[id]=300" in links


def test_zebra_rows_are_one_list_whatever_their_classes():
    divs = "".join(
        f'<div class="zeile_{n % 2} {("odd", "even")[n % 2]} row{n % 2 + 1}">'
        f'<span>{n + 10}.07.2019</span> <a href="/meldung/{n}">Meldung {n} aus dem Rathaus</a>'
        "</div>"
        for n in range(5)
    )
    table = read(zebra_page())
    assert len(table.entries) == 7
    assert table.entries[1].published.day == 2
    listing = read(f"<html><body><main><div class='liste'>{divs}</div></main></body></html>")
    assert [e.title for e in listing.entries] == [f"Meldung {n} aus dem Rathaus" for n in range(5)]


def document_rows(count: int) -> str:
    """A parliament's document list: title row (icon link + text link), meta row with
    number, type and date, a row with a button, a spacer row; header rows first."""
    head = (
        "<tr><td colspan=4><hr></td></tr><tr><th rowspan=2>Dokument</th><th colspan=3>Titel"
        "</th></tr><tr><th>Nummer</th><th>Typ</th><th>Datum</th></tr>"
    )
    rows = "".join(
        f"""<tr><td class="doc" rowspan="2"><table><tr><td><a href="/dok/{n}.pdf"
        title="PDF Dokument öffnen (1{n}3 KB)"><img alt="PDF Dokument öffnen" src="/i/pdf.gif">
        </a></td></tr></table></td><td class="title" colspan="3"><a href="/dok/{n}.pdf"
        title="PDF Dokument öffnen (1{n}3 KB)">Anfrage {n} zur Lage der Jobcenter im Kreis</a>
        </td></tr><tr><td>7/{500 + n}</td><td>Kleine Anfrage</td><td>{10 + n}.03.2020</td></tr>
        <tr><td><button onclick="location.href='/vorgang/{n}'">Vorgang</button></td>
        <td colspan="3">Abgeordnete Beispiel</td></tr><tr><td></td><td colspan="3"></td></tr>"""
        for n in range(count)
    )
    table = f"<table id='result'>{head}{rows}</table>"
    return f"<html><body><div class='ergebnis'>{table}</div></body></html>"


def test_items_spanning_several_table_rows_are_found_as_one_run():
    listing = read(document_rows(6))
    assert [e.title for e in listing.entries] == [
        f"Anfrage {n} zur Lage der Jobcenter im Kreis" for n in range(6)
    ]
    assert [e.published.day for e in listing.entries] == [10, 11, 12, 13, 14, 15]
    assert listing.entries[0].link == "https://www.gemeinde-beispiel.de/dok/0.pdf"
    assert "run:" in listing.method


def test_items_made_of_flat_siblings_are_found():
    listing = read(flat_page())
    assert len(listing.entries) == 5
    assert listing.entries[2].title == "Neue Sprechzeiten im Bürgerbüro ab Woche 2"
    assert listing.entries[2].published.day == 3


@pytest.mark.parametrize(
    "more", ["Artikel weiterlesen", "Diesen Artikel lesen", "Meldung lesen", "mehr …", "Details"]
)
def test_the_headline_wins_over_generic_link_texts(more):
    items = "".join(
        f"""<li><div class="newsText"><div class="headline"><a href="/pm?publish[id]={n}"
        title="Diesen Artikel lesen">Fundbüro</a></div> Teaser {n} der Meldung aus dem Rathaus
        <div class="date02">Artikel vom 2{n}.07.2019</div><div class="weiter"><a
        href="/pm?publish[id]={n}">{more}</a></div></div></li>"""
        for n in range(4)
    )
    listing = read(f"<html><body><div id='content'><ul>{items}</ul></div></body></html>")
    assert [e.title for e in listing.entries] == ["Fundbüro"] * 4
    assert [e.published.day for e in listing.entries] == [20, 21, 22, 23]


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


def homepage() -> str:
    """A Land portal's homepage: menus, a photo carousel, dated social-media posts, and
    the undated press ticker under the heading "Pressemitteilungen"."""
    ticker = "".join(
        f'<li><a href="/{slug}/" title="{title}">{title}</a></li>'
        for slug, title in (
            ("minister-ehrt-bergretter", "Minister ehrt verdiente Bergretter"),
            ("barrierefreie-bahnhoefe", "Ausbau weiterer barrierefreier Bahnhöfe im Land"),
            ("wohnheimplaetze", "209 neue Wohnheimplätze für Studierende: „Wertvoller ..."),
            ("jobcenter-aktionswoche", "Kommunale Jobcenter laden zur Aktionswoche ein"),
            ("schuelergerichte", "Justizministerin eröffnet neuntes Schülergericht ..."),
        )
    )
    photos = "".join(
        f'<li><div class="fotoreihe"><a href="/fotoreihen/?frid={n}" title="Fotoreihe"><img '
        f'src="/f/{n}.jpg" alt="Foto"></a><div class="overlay"><a href="/fotoreihen/?frid={n}">'
        f"Besuch der Ministerin in der Gemeinde Nummer {n}</a></div></div></li>"
        for n in range(6)
    )
    posts = "".join(
        f'<li><div class="fbitem"><h4><a href="https://www.facebook.com/Land/">Unser Land</a>'
        f'</h4><span class="fbdatum">0{n + 1}.10.2017 11:15</span><p>Herbstzeit! Wie mögt ihr '
        f"den Kürbis am liebsten? Tipps gibt es hier.</p></div></li>"
        for n in range(5)
    )
    menu = "".join(
        f'<li><a href="/{w.lower()}/">{w}</a></li>' for w in ("Land", "Service", "Politik")
    )
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Land</title>
    </head><body><div id="kopf"><ul class="hauptmenue">{menu}</ul></div><div id="content">
    <div id="ticker"><h3><a href="/presse/">Pressemitteilungen</a></h3><div class="wrap">
    <div class="pressecarousel"><ul>{ticker}</ul></div></div></div>
    <div class="block"><div class="fotocarousel"><ul>{photos}</ul></div></div>
    <div class="social"><ul>{posts}</ul></div></div></body></html>"""


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


def test_a_single_item_page_is_read_by_the_preset_its_markup_reveals():
    item = """<li class="listEntry listEntryObject-news"><div class="listEntryInner">
      <div class="listEntryText"><h4 class="listEntryTitle"><a href="/de/news/tonne.php"
      title="Öffnet die Seite">Leerung der grauen Tonne verzögert sich</a></h4>
      <div class="listEntryDate">18.07.2025</div><div class="listEntryDescription">In allen
      Ortsteilen kommt es zu Verzögerungen bei der Leerung.</div><div class="listEntryLink">
      <a href="/de/news/tonne.php">Meldung lesen</a></div></div></div></li>"""
    listing = read(f"<html><body><main><ul class='list'>{item}</ul></main></body></html>")
    assert listing.method.startswith("preset weblication (recognised from its markup)")
    [entry] = listing.entries
    assert entry.title == "Leerung der grauen Tonne verzögert sich"
    assert entry.published.date().isoformat() == "2025-07-18"
    empty = read("<html><body><main><p>Keine Meldungen.</p></main></body></html>")
    assert empty.entries == [] and empty.method.startswith("heuristic")


def test_discovery_knows_municipal_labels_and_ignores_tabs_filters_clubs_and_events():
    from bs4 import BeautifulSoup

    from aggregator.parse.discover import press_links

    page = "https://www.gemeinde.example/start/"
    html = """<a href="/start/?activeTab=2">Aktuelles</a><a href="/vereine/news/">Vereins News</a>
      <a href="/termine/">Veranstaltungen aktuell</a><a href="/rathaus/aktuell/">Rathaus Aktuell</a>
      <a href="/stellen/">Stellenangebote aktuell</a><a href="/presse/?sort=asc">Presse</a>
      <a href="/kreis/">Aktuelles aus dem Landkreis</a>"""
    links = press_links(BeautifulSoup(html, "lxml"), page, limit=5)
    assert links == [
        "https://www.gemeinde.example/rathaus/aktuell/",
        "https://www.gemeinde.example/kreis/",
    ]


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


def release_page() -> str:
    """A release's own page: its text, and lists of related and earlier releases."""
    related = "".join(
        f'<li><a href="/presse/pm-{n}.html">Pressemitteilung Nr. {n} vom 0{n}.11.2021 zur '
        "Lage an der Grenze</a></li>"
        for n in range(1, 8)
    )
    more = "".join(
        f'<li><a href="/presse/weitere-{n}.html">Weitere Meldung {n} aus dem Amt für '
        "Migration</a></li>"
        for n in range(6)
    )
    text = "Die Bundespolizei stellte im November mehr unerlaubte Einreisen fest. " * 12
    return f"""<html><head><meta property="og:type" content="article"></head><body>
    <div id="content"><div class="column"><h1>Illegale Migration: Feststellungen im Jahr</h1>
    <p>10.11.2021</p><p>{text}</p><p>Siehe dazu auch die Pressemitteilungen:</p>
    <ul>{related}</ul></div><div class="related"><h2>Weitere Meldungen</h2><ul>{more}</ul>
    </div></div></body></html>"""


def test_a_detail_page_is_never_read_as_a_listing(site, tmp_path, write_config):
    listing = read(release_page())
    assert listing.entries == []
    assert "single release, not a listing" in listing.method
    site.routes["/presse/pm-9.html"] = Route(body=release_page().encode())
    config = one_source(write_config, "amt", f"pages: [{{url: '{site.url('presse/pm-9.html')}'}}]")
    fetched = run_cli("--config", str(config), "--db", str(tmp_path / "d.db"), "fetch")
    assert "single release, not a listing" in fetched.stdout.decode()
    assert "configure the press listing" in fetched.stdout.decode()


def test_the_report_says_how_sure_the_guess_is():
    sure = read(document_rows(6))
    assert sure.method.endswith("(sure)")
    likely = read(teaser_page())
    assert likely.method.endswith("(likely)")  # undated
    weak = read(homepage().replace('<h3><a href="/presse/">Pressemitteilungen</a></h3>', ""))
    assert "(weak: " in weak.method and "pin selectors" in weak.method


def test_structured_data_comes_before_any_guess():
    items = ",".join(
        f'{{"@type": "ListItem", "position": {n}, "item": {{"@type": "NewsArticle", '
        f'"headline": "Meldung {n} des Kreises", "url": "/presse/{n}.html", '
        f'"datePublished": "2019-08-2{n}T10:00:00+02:00"}}}}'
        for n in range(1, 4)
    )
    script = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        f'"@type": "ItemList", "itemListElement": [{items}]}}</script>'
    )
    # the visible markup would make the heuristic pick the menu-like list below
    page = f"<html><head>{script}</head><body>{MENU}</body></html>"
    listing = read(page)
    assert listing.method == "structured data (JSON-LD ItemList): 3 items"
    assert [e.title for e in listing.entries] == [f"Meldung {n} des Kreises" for n in (1, 2, 3)]
    assert listing.entries[1].link == "https://www.gemeinde-beispiel.de/presse/2.html"
    assert listing.entries[2].published.day == 23

    cards = "".join(
        f'<article itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline">'
        f'<a href="/n/{n}">Sprechtag {n} im Jobcenter</a></h2><time itemprop="datePublished" '
        f'datetime="2019-08-1{n}">1{n}. August</time></article>'
        for n in range(3)
    )
    micro = read(f"<html><body><main>{cards}</main></body></html>")
    assert micro.method == "structured data (microdata): 3 items"
    assert micro.entries[0].link == "https://www.gemeinde-beispiel.de/n/0"
    # one article stated on a page is a detail page, not a listing
    single = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Eine '
        'Meldung", "url": "/presse/1.html"}</script>'
    )
    alone = read(f"<html><head>{single}</head><body>{MENU}</body></html>")
    assert not alone.method.startswith("structured")


def test_numbered_pagers_lead_to_the_next_page_and_post_pagers_are_reported():
    pager = (
        '<ul class="seitenwahl"><li><a href="?seite=1">1</a></li><li><span class="current">2'
        '</span></li><li><a href="?seite=3">3</a></li><li><a href="?seite=4">4</a></li></ul>'
    )
    page = teaser_page().replace(POST_PAGER, pager)
    listing = read(page)
    assert listing.next_url == "https://www.gemeinde-beispiel.de/aktuelles.php?seite=3"
    assert all(not e.title.isdigit() for e in listing.entries)  # page numbers are no items
    posted = read(teaser_page())
    assert posted.next_url is None
    assert any("POST form, which is not followed" in note for note in posted.notes)


def test_an_older_ikiss_list_with_small_dates_is_read_by_its_preset():
    rows = "".join(
        f'<li><small class="date">0{n + 1}.09.2019</small><h4><a href="/Presse/Meldung-{n}.php'
        f'?object=tx,2527.{n}.1&ModID=7&FID=2527.{n}.1">Landrat besucht Betrieb {n}</a></h4>'
        "</li>"
        for n in range(4)
    )
    page = f"<html><body><main><ul class='list'>{rows}</ul></main></body></html>"
    configured = parse_listing(
        page.encode(), {"content-type": "text/html"}, BASE, PageTarget(url=BASE, preset="ikiss")
    )
    assert [present(e.published).day for e in configured.entries] == [1, 2, 3, 4]
    assert configured.entries[0].title == "Landrat besucht Betrieb 0"
    single = read(
        f"<html><body><main><ul class='list'>{rows[: rows.index('</li>') + 5]}</ul>"
        "</main></body></html>"
    )
    assert single.method.startswith("preset ikiss (recognised from its markup)")


def zebra_page() -> str:
    rows = "".join(
        f"<tr{' class=hg' if n % 2 else ''}><td>{n + 1:02d}.08.2019</td>"
        f'<td><a href="/zebra/pm-{n}.html">Kreis fördert Projekt {n} im Jobcenter</a></td></tr>'
        for n in range(7)
    )
    return f"<html><body><main><table>{rows}</table></main></body></html>"


def flat_page() -> str:
    runs = "".join(
        f'<a href="/flach/{n}.html">Neue Sprechzeiten im Bürgerbüro ab Woche {n}</a>'
        f"<ul class='meta'><li>Veröffentlicht am 0{n + 1}.09.2019</li></ul><hr>"
        for n in range(5)
    )
    return f"<html><body><div id='inhalt'>{runs}</div></body></html>"


def gsb_page() -> str:
    """A result list of a Government Site Builder site: links carry the navigation node
    (?nn=), pages are reached by gtp=<node>_list%3D<n>."""
    rows = "".join(
        f"""<div class="teaser"><p class="date">2{n}.08.2019</p><h2><a
        href="SharedDocs/Pressemitteilungen/DE/2019/08/pm-{n}.html?nn=520690">Meldung {n} des
        Landesamts</a></h2><p>Kurzfassung der Meldung {n}.</p></div>"""
        for n in range(4)
    )
    pager = "SiteGlobals/Forms/Suche/Pressesuche_Formular.html?gtp=520690_list%253D2&amp;nn=520690"
    return f"""<html><body><div id="navPrimary">{MENU}</div><div id="content">
    <h1>Pressemitteilungen</h1>{rows}<div class="navIndex"><ul><li><strong>1</strong></li>
    <li><a href="{pager}">2</a></li><li class="forward"><a href="{pager}"
    title="Zur nächsten Seite">weiter</a></li></ul></div></div>{FOOTER}</body></html>"""


def test_gsb_item_links_lose_their_navigation_node_and_the_pager_is_followed():
    url = "https://www.landesamt.example/Presse/pressemitteilungen_node.html"
    listing = read(gsb_page(), url)
    assert [e.link for e in listing.entries] == [
        f"https://www.landesamt.example/Presse/SharedDocs/Pressemitteilungen/DE/2019/08/pm-{n}.html"
        for n in range(4)
    ]
    assert listing.next_url == (
        "https://www.landesamt.example/Presse/SiteGlobals/Forms/Suche/Pressesuche_Formular.html"
        "?gtp=520690_list%253D2&nn=520690"
    )


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


def small_office(items: list[tuple[str, str]]) -> str:
    """A small office's press list in a template of its own (no known product)."""
    rows = "".join(
        f"""<div class="meldung-kachel"><span class="stand">{day}.2019</span>
        <h3 class="kachel-titel"><a href="/presse/{day}-{len(title)}.html">{title}</a></h3>
        <p>Eine Meldung der Kreisverwaltung.</p></div>"""
        for title, day in items
    )
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Presse</title>
    </head><body>{MENU}<main><h1>Pressemeldungen</h1><section class="kacheln">{rows}</section>
    </main>{FOOTER}</body></html>"""


FOUR = [
    ("Neue Sprechzeiten", "02.09"),
    ("Aktionswoche im Jobcenter", "28.08"),
    ("Kreistag tagt", "20.08"),
    ("Ferienende", "12.08"),
]
ONE_LEFT = [("Jobcenter zieht Bilanz der Aktionswoche", "06.09")]


def test_a_page_with_one_item_is_read_by_the_shape_it_had_before():
    before = read(small_office(FOUR))
    assert len(before.entries) == 4 and before.confidence in ("sure", "likely")
    alone = read(small_office(ONE_LEFT))
    assert alone.entries == []  # one block alone is no list to a fresh guess
    body = small_office(ONE_LEFT).encode()
    again = parse_listing(
        body, {"content-type": "text/html"}, BASE, PageTarget(url=BASE), known_shape=before.shape
    )
    assert [e.title for e in again.entries] == ["Jobcenter zieht Bilanz der Aktionswoche"]
    assert again.method.endswith("the shape this page had before")


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
