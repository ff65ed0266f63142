from pathlib import Path

from aggregator.parse.detail import extract_detail

DETAILS = (
    Path(__file__).parent / "sites" / "presse" / "typo3-news" / "aktuelles" / "pressemitteilungen"
)


def test_article_body_and_date_from_a_news_detail_page():
    body = (DETAILS / "details" / "news-pro-arbeit-aktionswoche-2019").read_bytes()
    detail = extract_detail(body, {}, "https://www.kreis-offenbach.example/aktuelles/x")
    assert detail.published.isoformat() == "2019-08-23T00:00:00+02:00"
    assert detail.content_html.startswith("<p>Die Pro Arbeit – Kreis Offenbach (AöR)")
    assert "Hilfe aus einer Hand" in detail.content_html
    assert (
        "Impressum" not in detail.content_html and "Kreis &amp; Politik" not in detail.content_html
    )


def test_links_in_the_text_become_absolute_against_base_href():
    name = (
        "index.html@tx_news_pi1[action]=detail&tx_news_pi1[controller]=News"
        "&tx_news_pi1[news]=2981&cHash=5e1c0b7d4a3f2e19"
    )
    detail = extract_detail((DETAILS / name).read_bytes(), {}, "http://127.0.0.1:8000/presse/x")
    assert (
        'href="http://127.0.0.1:8000/presse/typo3-news/aktuelles/pressemitteilungen/details/'
        in (detail.content_html)
    )


def test_unmarked_page_falls_back_to_the_densest_paragraphs():
    body = """<html><body><div class="menu"><p>Start</p><p>Presse</p></div>
      <div class="x"><p>Am 28.08.2019 lud das Jobcenter zu einem Arbeitgeberfrühstück ein.</p>
      <p>Mehr als dreißig Unternehmen aus dem Landkreis informierten sich über Förderungen.</p>
      <p>Die nächste Veranstaltung ist für den Herbst geplant.</p></div></body></html>""".encode()
    detail = extract_detail(body, {"Content-Type": "text/html; charset=utf-8"}, "https://e.de/")
    assert "Arbeitgeberfrühstück" in detail.content_html and "Start" not in detail.content_html
    assert detail.published.isoformat() == "2019-08-28T00:00:00+02:00"


def test_page_without_text_gives_nothing_rather_than_noise():
    detail = extract_detail(
        b"<html><body><nav><a href='/'>Start</a></nav></body></html>", {}, "https://e.de/"
    )
    assert detail.content_html is None and detail.published is None
