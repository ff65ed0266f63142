from datetime import UTC, datetime

import pytest

from aggregator.core.time import BERLIN
from aggregator.errors import ParseError
from aggregator.parse.feeds import looks_like_feed, parse_feed
from tests.paths import TESTS

FEEDS = TESTS / "sites" / "feeds"


def parse(name: str, content_type: str = "application/xml"):
    body = (FEEDS / name).read_bytes()
    return parse_feed(body, {"Content-Type": content_type}, f"http://127.0.0.1/feeds/{name}")


def test_rss2_utf8_with_umlauts_and_offsets():
    entries, base = parse("spree-neisse-rss2.xml", "application/rss+xml")
    assert base == "https://www.example-lk.de/aktuelles/pressearchiv/"
    assert [e.title for e in entries][
        2
    ] == "Straßensperrung in Döbern: Brückenprüfung an der K 7115"
    assert entries[0].published == datetime(2019, 8, 28, 9, 15, tzinfo=BERLIN)
    assert entries[2].published == datetime(2019, 8, 19, 11, 0, tzinfo=UTC)


def test_windows_1252_declared_only_in_the_xml_declaration():
    entries, _ = parse("hoexter-cp1252.xml")
    assert (
        entries[0].title == "Jobcenter Kreis Höxter öffnet seine Türen – „Stark. Sozial. Vor Ort“"
    )
    assert "äußerten" in entries[0].summary_html


def test_atom_1_with_xml_base_resolves_relative_links():
    entries, _ = parse("stadt-atom.atom", "application/atom+xml")
    assert entries[0].link == (
        "https://www.stadt-beispiel.de/rathaus/presse/meldungen/2019/08/mainarbeit-aktionswoche.html"
    )
    assert entries[1].updated == datetime(2019, 8, 21, 7, 30, tzinfo=UTC)
    assert "Abfallkalender" in entries[1].summary_html


@pytest.mark.parametrize(
    ("name", "title", "published"),
    [
        (
            "kreis-rss1.rdf",
            "Gesundheitsamt warnt vor Blaualgen im Badesee",
            datetime(2019, 8, 15, tzinfo=BERLIN),
        ),
        (
            "kreis-atom03.xml",
            "Jobcenter der Stadt beteiligt sich an bundesweiter Aktion",
            datetime(2019, 8, 27, 9, tzinfo=BERLIN),
        ),
        ("kreis-rss091.xml", "Sozialausschuss tagt im Kreishaus", None),
    ],
)
def test_older_dialects(name, title, published):
    entries, _ = parse(name)
    assert entries[-1].title == title
    assert (entries[-1].published or entries[-1].updated) == published


def test_entity_declarations_are_refused():
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss version="2.0"><channel><title>&b;</title></channel></rss>"""
    with pytest.raises(ParseError, match="entities"):
        parse_feed(bomb, {}, "http://127.0.0.1/x")


def test_html_and_empty_bodies_are_not_feeds():
    with pytest.raises(ParseError, match="empty"):
        parse_feed(b"  ", {}, "http://127.0.0.1/x")
    with pytest.raises(ParseError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body><p>Hallo</p></body></html>", {}, "http://127.0.0.1/x")
    assert not looks_like_feed(b"<html><body>")
    assert looks_like_feed(b'\xef\xbb\xbf<?xml version="1.0"?><rss version="2.0">')
