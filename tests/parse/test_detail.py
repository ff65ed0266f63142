from datetime import datetime

import pytest

from aggregator.parse.detail import Detail, extract_detail
from tests.paths import TESTS


def _published(detail: Detail) -> datetime:
    assert detail.published is not None, "no date read"
    return detail.published


DETAILS = TESTS / "sites" / "presse" / "typo3-news" / "aktuelles" / "pressemitteilungen"


def test_article_body_and_date_from_a_news_detail_page():
    body = (DETAILS / "details" / "news-pro-arbeit-aktionswoche-2019").read_bytes()
    detail = extract_detail(body, {}, "https://www.kreis-offenbach.example/aktuelles/x")
    assert _published(detail).isoformat() == "2019-08-23T00:00:00+02:00"
    # the lead, kept apart by the CMS, opens the text
    assert (detail.content_html or "").startswith("<p>Unter dem Motto „Kommunale Jobcenter")
    assert "<p>Die Pro Arbeit – Kreis Offenbach (AöR)" in (detail.content_html or "")
    assert "Hilfe aus einer Hand" in (detail.content_html or "")
    assert "Impressum" not in (detail.content_html or "") and "Kreis &amp; Politik" not in (
        detail.content_html or ""
    )


def test_links_in_the_text_become_absolute_against_base_href():
    name = (
        "index.html@tx_news_pi1[action]=detail&tx_news_pi1[controller]=News"
        "&tx_news_pi1[news]=2981&cHash=5e1c0b7d4a3f2e19"
    )
    detail = extract_detail((DETAILS / name).read_bytes(), {}, "http://127.0.0.1:8000/presse/x")
    assert (
        'href="http://127.0.0.1:8000/presse/typo3-news/aktuelles/pressemitteilungen/details/'
        in (detail.content_html or "")
    )


def test_unmarked_page_falls_back_to_the_densest_paragraphs():
    body = """<html><body><div class="menu"><p>Start</p><p>Presse</p></div>
      <div class="x"><p>Am 28.08.2019 lud das Jobcenter zu einem Arbeitgeberfrühstück ein.</p>
      <p>Mehr als dreißig Unternehmen aus dem Landkreis informierten sich über Förderungen.</p>
      <p>Die nächste Veranstaltung ist für den Herbst geplant.</p></div></body></html>""".encode()
    detail = extract_detail(body, {"Content-Type": "text/html; charset=utf-8"}, "https://e.de/")
    assert "Arbeitgeberfrühstück" in (detail.content_html or "") and "Start" not in (
        detail.content_html or ""
    )
    assert _published(detail).isoformat() == "2019-08-28T00:00:00+02:00"


def test_the_publication_date_is_the_datelines_not_the_headlines_or_a_related_release():
    body = """<html><body><div id="inhalt"><p class="krumen">Start › Presse</p>
      <h1>Reparaturcafé am 31. Januar 2020</h1><p>Ort Beispielstadt Datum 28.01.2020</p>
      <p>Das Reparaturcafé öffnet am Freitag, 31. Januar, von 15 bis 18 Uhr im Bürgerhaus.
      Ehrenamtliche reparieren Toaster, Lampen und Fahrräder.</p>
      <p>Siehe auch: Pressemitteilung Nr. 3 vom 15.01.2020</p></div></body></html>""".encode()
    detail = extract_detail(body, {"Content-Type": "text/html; charset=utf-8"}, "https://e.de/")
    assert _published(detail).isoformat() == "2020-01-28T00:00:00+01:00"  # not 2020 from "28.01.20"
    dateline = body.replace(
        b"Ort Beispielstadt Datum 28.01.2020", b"Pressemitteilung vom 27.01.2020"
    )
    assert _published(extract_detail(dateline, {}, "https://e.de/")).day == 27
    structured = body.replace(
        b"<body>",
        b'<body><script type="application/ld+json">{"@context": "https://schema.org", '
        b'"@graph": [{"@type": "NewsArticle", "datePublished": "2020-01-26T09:00:00+01:00"}]}'
        b"</script>",
    )
    assert _published(extract_detail(structured, {}, "https://e.de/")).day == 26


def test_page_without_text_gives_nothing_rather_than_noise():
    detail = extract_detail(
        b"<html><body><nav><a href='/'>Start</a></nav></body></html>", {}, "https://e.de/"
    )
    assert detail.content_html is None and detail.published is None


def test_a_cut_or_generic_listing_title_gives_way_to_the_detail_pages_headline():
    from aggregator.parse.titles import better_title

    headline = "209 neue Wohnheimplätze für Studierende: „Wertvoller Beitrag zum Standort“"
    assert better_title("209 neue Wohnheimplätze für Studierende: „Wertvoller ...", headline) == (
        headline
    )
    assert better_title("Artikel weiterlesen", headline) == headline
    assert better_title("Wohnheimplätze", headline) == "Wohnheimplätze"  # not cut: kept
    assert better_title("Andere Meldung …", headline) == "Andere Meldung …"  # another text
    page = f"<html><body><div id='inhalt'><h1>{headline}</h1><p>{'Text. ' * 40}</p></div>"
    assert extract_detail(page.encode(), {}, "https://e.de/").title == headline


REVISED = """<html><head><meta name="DCTERMS.date" content="2019-09-12">
  <meta property="article:modified_time" content="2019-09-20T10:00:00+02:00"></head>
  <body><div id="inhalt"><h1>Bundesweite Aktionswoche der kommunalen Jobcenter</h1>
  <p>{dateline}</p><p>Das Jobcenter des Landkreises zeigt in einer Ausstellung im Kreishaus,
  was in seinen Projekten entstanden ist, und lädt zur Eröffnung ein.</p></div></body></html>"""


@pytest.mark.parametrize(
    ("dateline", "day", "said"),
    [
        ("Pressemitteilung vom 28.08.2019", "2019-08-28", "the dateline"),
        ("Pressemitteilung Nr. 175/2019, 28.08.2019", "2019-08-28", "the dateline leading"),
        ("Kreishaus, 27. August 2019 – Der Landkreis teilt mit:", "2019-08-27", "dateline"),
        ("Der Landkreis teilt mit:", "2019-09-12", "revision metadata: the page shows no date"),
    ],
)
def test_the_date_the_release_shows_beats_revision_metadata(dateline, day, said):
    page = REVISED.format(dateline=dateline).encode()
    detail = extract_detail(page, {"Content-Type": "text/html; charset=utf-8"}, "https://e.de/")
    assert detail.published is not None and _published(detail).date().isoformat() == day
    assert said in detail.dated_by


def test_a_time_in_the_release_beats_revision_metadata_and_a_later_date_is_no_publication():
    page = REVISED.format(dateline="Der Landkreis teilt mit:").replace(
        '<body><div id="inhalt">',
        '<body><header><time datetime="2019-08-26">26.08.2019</time></header><div id="inhalt">',
    )
    detail = extract_detail(page.encode(), {}, "https://e.de/")
    assert _published(detail).date().isoformat() == "2019-08-26"
    assert detail.dated_by == "the <time> of the release"
    modified = REVISED.format(dateline="Text ohne Datum.").replace(
        "</head>",
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
        '"2019-08-28", "dateModified": "2019-09-30"}</script></head>',
    )
    assert _published(extract_detail(modified.encode(), {}, "https://e.de/")).day == 28
