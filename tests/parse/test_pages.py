"""Listing pages read by preset, by explicit selectors and by the zero-config heuristic."""

import pytest
import soupsieve
from bs4 import Tag

from aggregator.config.presets import PRESETS
from aggregator.config.schema import PageTarget
from aggregator.normalize.entries import canonical_url
from aggregator.parse.listings import listing_identity
from aggregator.parse.pages import parse_listing, without_listing_state
from tests.helpers.sites import fixture_bytes
from tests.listing_expectations import (
    ARCHIVE_PAGE,
    EXPECTED,
    PRESET_OF,
    RELAUNCH_PAGE,
    SPREE_NEISSE_PAGE,
    TYPO3_PAGE,
)
from tests.paths import TESTS

SITES = TESTS / "sites"
HOST = "http://127.0.0.1:8000"
UTF8 = {"Content-Type": "text/html; charset=utf-8"}


def read(page: str, preset: str | None = None, headers=UTF8, **selectors):
    url = f"{HOST}/{page}"
    target = PageTarget(url=url, preset=preset, **selectors)
    return parse_listing(fixture_bytes(page), headers, url, target)


def triples(listing):
    return [
        (e.title, canonical_url(e.link).removeprefix(HOST), e.published.isoformat())
        for e in listing.entries
    ]


@pytest.mark.parametrize("page", sorted(PRESET_OF))
def test_preset_finds_exactly_the_items(page):
    listing = read(page, PRESET_OF[page])
    assert listing.method == f"preset {PRESET_OF[page]}"
    assert triples(listing) == EXPECTED[page]


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_heuristic_finds_the_same_items_without_configuration(page):
    listing = read(page)
    assert listing.guessed
    assert listing.method.startswith(f"heuristic: guessed {len(EXPECTED[page])} items in ")
    assert triples(listing) == EXPECTED[page]


def test_teasers_are_kept_without_read_more_links():
    [first, *_] = read("presse/ikiss/Pressemitteilungen.php", "ikiss").entries
    assert first.summary_html.startswith("Rund 400 Besucherinnen")
    assert first.summary_html.endswith("…")
    typo3 = read(TYPO3_PAGE, "typo3-news").entries[0]
    assert "Stark. Sozial. Vor Ort." in typo3.summary_html
    assert "Weiterlesen" not in typo3.summary_html


def test_heuristic_ignores_menus_event_lists_and_link_lists():
    titles = [e.title for e in read(TYPO3_PAGE).entries]
    assert "Sitzung des Kreistags" not in titles  # the 'Termine' list carries dates too
    archive = [e.title for e in read(ARCHIVE_PAGE).entries]
    assert "Pressemitteilungen abonnieren" not in archive  # 'Weitere Meldungen'
    assert "Impressum" not in archive


def test_explicit_selectors_override_the_preset():
    listing = read(TYPO3_PAGE, "typo3-news", title="a.more")
    assert listing.method == "preset typo3-news"
    assert listing.entries[0].title == "Weiterlesen"
    custom = read(TYPO3_PAGE, items="div.termine li", date=".termin-datum")
    assert custom.method == "selectors"
    assert [e.title for e in custom.entries] == ["Sitzung des Kreistags", "Sozialausschuss"]
    assert custom.entries[0].published.isoformat() == "2019-09-05T00:00:00+02:00"


def test_windows_1252_page_whose_header_claims_utf8():
    listing = read(SPREE_NEISSE_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    assert listing.entries[0].title.endswith("im Jobcenter Spree-Neiße")
    assert "„Kommunale Jobcenter – Stark. Sozial. Vor Ort“" in listing.entries[0].summary_html


def test_next_links_resolve_and_accumulating_parameters_fold():
    listing = read(
        "presse/weblication/de/aktuelles/pressemitteilungen.php?wlist=presse&wListPage=2"
    )
    assert listing.next_url == (
        f"{HOST}/presse/weblication/de/aktuelles/pressemitteilungen.php"
        "?wlist=presse&wListPage=2&wlist=presse&wListPage=3"
    )
    assert listing_identity(listing.next_url) == listing_identity(
        f"{HOST}/presse/weblication/de/aktuelles/pressemitteilungen.php?wListPage=3&wlist=presse"
    )
    archive = read(ARCHIVE_PAGE, "archive-by-month")
    assert archive.next_url == f"{HOST}/presse/archiv/pressemitteilungen/2019/juli/index.php"


def test_base_href_is_honoured():
    listing = read(TYPO3_PAGE, "typo3-news")
    assert listing.base == f"{HOST}/presse/typo3-news/"


def test_a_preset_that_matches_nothing_falls_back_to_the_heuristic_and_says_so():
    listing = read(RELAUNCH_PAGE, "typo3-news")
    assert [(e.title, e.published.date().isoformat()) for e in listing.entries] == [
        ("Der Kreis Offenbach hat eine neue Website", "2019-09-02"),
        ("Herbstmarkt im Kreishaus", "2019-08-30"),
    ]
    assert listing.method.endswith("(preset typo3-news matched nothing)")
    assert listing.notes == (
        f"{HOST}/{RELAUNCH_PAGE}: preset typo3-news matches nothing on this page; read "
        "without it. Check the preset in sources.yaml",
    )


def test_explicit_selectors_that_match_nothing_read_nothing():
    """Selectors written for one page are the operator's word: no guessing behind them."""
    listing = read(RELAUNCH_PAGE, "typo3-news", items="div.news-list-item")
    assert listing.entries == [] and listing.notes == ()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://e.de/a.php?id=5&page=2", "https://e.de/a.php?id=5"),
        (
            "https://e.de/a.php?page=pressemitteilung-12",
            "https://e.de/a.php?page=pressemitteilung-12",
        ),
        (
            "https://e.de/?tx_news_pi1[currentPage]=3&tx_news_pi1[news]=9",
            "https://e.de/?tx_news_pi1[news]=9",
        ),
        (
            "https://e.de/x.php?object=tx,1.2.1&max=20&jahr=2019",
            "https://e.de/x.php?object=tx,1.2.1",
        ),
        # Government Site Builder: navigation node and result-list pager
        (
            "https://e.de/SharedDocs/PM/DE/2019/pm.html?nn=520690",
            "https://e.de/SharedDocs/PM/DE/2019/pm.html",
        ),
        (
            "https://e.de/Suche_Formular.html?gtp=520690_list%253D2&nn=520690",
            "https://e.de/Suche_Formular.html",
        ),
        ("https://e.de/Suche_Formular.html?gtp=mehr", "https://e.de/Suche_Formular.html?gtp=mehr"),
    ],
)
def test_listing_state_is_not_identity(url, expected):
    assert without_listing_state(url) == expected


def test_every_preset_compiles_and_is_documented():
    for preset in PRESETS.values():
        for selector in (
            preset.items,
            preset.title,
            preset.link,
            preset.date,
            preset.summary,
            preset.next,
            preset.signature,
        ):
            if selector:
                soupsieve.compile(selector)
        assert preset.description
    assert len(PRESETS) >= 6


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<p><a rel="Next" href="/2">x</a><a rel="nofollow next" href="/3">y</a></p>', "/2"),
        ('<head><link rel="next"></head><p><a rel="prev next" href="/3">weiter</a></p>', "/3"),
        ('<link rel="NEXT" href="/h"><a rel=next href=/x>2</a>', "/h"),
        ('<p><a rel="nextpage" href="/1">a</a><a href="/2" rel="">Nächste Seite</a></p>', "/2"),
    ],
)
def test_the_next_page_is_marked_by_the_rel_token_in_any_case(markup, expected):
    from bs4 import BeautifulSoup

    from aggregator.parse.pager import find_next_link

    assert find_next_link(BeautifulSoup(markup, "lxml")) == expected


def test_texts_remembered_while_a_page_is_read_are_the_texts():
    from bs4 import BeautifulSoup, Tag

    from aggregator.parse.blocks import page_memory, text_of

    page = b"".join(path.read_bytes() for path in sorted((TESTS / "sites").rglob("*.html"))[:20])
    soup = BeautifulSoup(page, "lxml")
    elements = [e for e in soup.descendants if isinstance(e, Tag)]
    plain = [text_of(e) for e in elements]
    with page_memory():
        twice = [text_of(e) for e in elements] + [text_of(e) for e in elements]
        copies = [text_of(BeautifulSoup(f"<p>{n}</p>", "lxml").p) for n in range(200)]
    assert twice == plain + plain
    assert copies == [str(n) for n in range(200)]  # short-lived elements: no id mixed up


def test_a_teaser_loses_its_more_links_and_the_page_keeps_them():
    """A teaser loses its "mehr" links; they leave the page's tree only while
    the teaser is written, so the block reads the same a second time."""
    from bs4 import BeautifulSoup

    from aggregator.parse.blocks import entry_from_block

    soup = BeautifulSoup(
        "<li><h3><a href='/p/1'>Aktionswoche im Jobcenter Görlitz</a></h3><p>Vom 26. bis "
        "30. August <a href='/p/1'>mehr</a> zeigen wir <a href='/x'>Weiterlesen</a> "
        "<span>unsere <a href='/p/1'>mehr</a>Angebote</span>.</p></li>",
        "lxml",
    )
    block = soup.find("li")
    assert isinstance(block, Tag)
    before = str(block)
    first = entry_from_block(block, None)
    assert first is not None and first.summary_html is not None
    assert "mehr" not in first.summary_html and "Weiterlesen" not in first.summary_html
    assert "<span>unsere Angebote</span>" in first.summary_html
    assert str(block) == before
    assert entry_from_block(block, None) == first
