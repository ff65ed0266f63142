"""Zero-config extraction on the patterns real municipal pages show (issue 14), each
on a page written after that pattern (tests/helpers/municipal_pages.py), read with
parse_listing; tests/e2e/test_real_patterns_cli.py runs the same patterns through the CLI."""

from __future__ import annotations

import pytest

from aggregator.config.schema import PageTarget
from aggregator.parse.pages import parse_listing
from tests.helpers.checks import present
from tests.helpers.municipal_pages import (
    BASE,
    FOUR,
    MENU,
    ONE_LEFT,
    POST_PAGER,
    UNDATED,
    document_rows,
    flat_page,
    gsb_page,
    homepage,
    read,
    small_office,
    teaser_page,
    zebra_page,
)


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
