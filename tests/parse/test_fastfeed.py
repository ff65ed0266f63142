"""The lxml reading of well-formed feeds gives the items feedparser gives, or declines.

feedparser is the reference: every comparison normalises both readings the way a refresh
does and requires equal items. The fixtures must take the fast path where they are in
its subset, so that the comparison cannot pass by declining everything.
"""

from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

import feedparser.urls
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.normalize.entries import normalize_entry
from aggregator.parse import fastfeed, feedrules
from aggregator.parse.feeds import drop_forbidden_references, parse_feed
from tests.paths import TESTS

FEEDS = TESTS / "sites" / "feeds"
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
URL = "https://www.kreis-beispiel.de/presse/rss.xml"
RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}
ATOM_TYPE = {"Content-Type": "application/atom+xml"}


def items(entries, base):
    normalised = [
        normalize_entry(e, source_id="kreis", base_url=base, fetched_from=URL, now=NOW)[0]
        for e in entries
    ]
    return normalised


def both(body: bytes, headers: dict[str, str], monkeypatch):
    """(fast reading or None, feedparser's reading), each as normalised items."""
    fast = fastfeed.read_well_formed(drop_forbidden_references(body), headers, URL)
    with monkeypatch.context() as patched:
        patched.setenv(fastfeed.FEEDPARSER_ONLY, "1")
        reference = parse_feed(body, headers, URL)
    return (items(*fast) if fast else None), items(*reference)


@pytest.mark.parametrize(
    ("name", "content_type", "fast"),
    [
        ("spree-neisse-rss2.xml", "application/rss+xml", True),
        ("hoexter-cp1252.xml", "application/xml", True),
        ("kreis-nodates.xml", "application/rss+xml", True),
        ("stadt-atom.atom", "application/atom+xml", False),  # XHTML content
        ("kreis-rss091.xml", "application/rss+xml", False),  # a DOCTYPE
        ("kreis-rss1.rdf", "application/rdf+xml", False),  # RSS 1.0
        ("kreis-atom03.xml", "application/atom+xml", False),  # Atom 0.3
    ],
)
def test_fixture_feeds_read_alike(name, content_type, fast, monkeypatch):
    body = (FEEDS / name).read_bytes()
    ours, reference = both(body, {"Content-Type": content_type}, monkeypatch)
    assert (ours is not None) == fast
    if fast:
        assert ours == reference and len(reference) >= 2


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Content-Type": "text/html"}, b'<rss version="2.0"><channel></channel></rss>'),
        (RSS_TYPE, b'<rss version="2.0"><channel><item><title>A &nbsp; B</title></item>'),
        (RSS_TYPE, '<rss version="2.0"><channel/></rss>'.encode("utf-16")),
        (
            RSS_TYPE,
            b'<rss version="2.0"><channel><item><media:title xmlns:media='
            b'"http://search.yahoo.com/mrss/">T</media:title></item></channel></rss>',
        ),
        (
            RSS_TYPE,
            b'<rss version="2.0"><channel><item><title>A</title><title>B</title>'
            b"</item></channel></rss>",
        ),
        (
            RSS_TYPE,
            b'<rss version="2.0"><channel><item><pubDate>am Dienstag</pubDate>'
            b"</item></channel></rss>",
        ),
    ],
    ids=["html-type", "not-well-formed", "utf-16", "media-title", "two-titles", "odd-date"],
)
def test_what_only_feedparser_reads_is_declined(headers, body):
    assert fastfeed.declined_because(body, headers, URL)


def test_the_schemes_are_feedparsers():
    assert set(feedparser.urls.ACCEPTABLE_URI_SCHEMES) == feedrules.ACCEPTED_SCHEMES


def test_the_switch_sends_every_feed_to_feedparser(monkeypatch):
    body = (FEEDS / "spree-neisse-rss2.xml").read_bytes()
    calls: list[int] = []
    real = feedparser.parse

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(feedparser, "parse", counted)
    parse_feed(body, RSS_TYPE, URL)
    assert calls == []
    monkeypatch.setenv(fastfeed.FEEDPARSER_ONLY, "1")
    parse_feed(body, RSS_TYPE, URL)
    assert calls == [1]


# Generated feeds: the pieces press offices' feeds are made of, and the odd ones.
TEXTS = st.lists(
    st.sampled_from(
        [
            "Jobcenter",
            " Aktionswoche",
            " Höxter",
            " Straße",
            " & ",
            " a < b ",
            " „Stark“",
            " – ",
            "\n  ",
            " €",
            "\x96",
            "\x85",
            "Ã¼ber",
            " <b>fett</b>",
            "&nbsp;",
            "&amp;",
            "&#8211;",
            " 28.08.2019:",
            "  ",
            "\t",
            " 'zitiert' ",
            ' "zitiert" ',
            "…",
            "<script>alert(1)</script>",
            " &lt;b&gt;",
        ]
    ),
    max_size=6,
).map("".join)
LINKS = st.sampled_from(
    [
        "https://www.kreis-beispiel.de/presse/1.html",
        "/presse/2.html",
        "presse/3.php?id=4&page=2",
        "",
        "  https://www.kreis-beispiel.de/a  ",
        "javascript:alert(1)",
        "../oben.html",
        "https://www.kreis-beispiel.de/a?x=1&amp;y=2",
        "https://www.kreis-beispiel.de/?utm_source=rss",
        "mailto:presse@kreis-beispiel.de",
        "https:///www.kreis-beispiel.de/drei",
        "at://did:plc:abc/app.bsky.feed.post/1",
        "http://[::1",
        "https://x:99999/",
    ]
)
MARKUP = st.lists(
    st.sampled_from(
        [
            "<p>Der Landkreis lädt ein.</p>",
            '<a href="/relativ.html">mehr</a>',
            '<a href="https://www.jobcenter.de/x">absolut</a>',
            '<img src="bild.jpg" alt="Foto">',
            '<a href="javascript:void(0)">E-Mail</a>',
            '<a href="tel:+4930123">Telefon</a>',
            "<br>",
            "<br/>",
            "<script>alert(1)</script>",
            "Text &amp; mehr",
            "<b>offen",
            "&lt;i&gt;",
            "&nbsp;",
            '<a href="">leer</a>',
            "<p style='color:red'>rot</p>",
            '<a href="#oben">oben</a>',
            "<!-- Kommentar -->",
            "a < b",
            "x & y",
            '<iframe src="https://video.example/x"/>',
            '<script src="a.js"/>',
            '<div class="x"/>',
        ]
    ),
    max_size=5,
).map("".join)
DATES = st.sampled_from(
    [
        "Wed, 28 Aug 2019 09:15:00 +0200",
        "2019-08-28T09:15:00+02:00",
        "28.08.2019",
        "",
        "Wed, 28 Aug 2019 09:15:00 GMT",
        "2019-08-28",
        "Mittwoch, 28. August 2019",
        "28 Aug 2019 09:15 +0200",
        "Wed, 28 Aug 2019 09:15:00 MESZ",
    ]
)
PERMALINK = st.sampled_from([None, "true", "false", "True"])


def text_node(value: str, cdata: bool) -> str:
    return f"<![CDATA[{value}]]>" if cdata and "]]>" not in value else escape(value)


@st.composite
def rss_item(draw) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(f"<title>{text_node(draw(TEXTS), draw(st.booleans()))}</title>")
    if draw(st.booleans()):
        link = draw(LINKS)
        if draw(st.booleans()):
            parts.append(f"<link>{escape(link)}</link>")
        else:
            parts.append(f"<link href={quoteattr(link)}/>")
    if draw(st.booleans()):
        permalink = draw(PERMALINK)
        attribute = f" isPermaLink={quoteattr(permalink)}" if permalink else ""
        guid = draw(st.sampled_from([draw(LINKS), "urn:uuid:1234", "12345", "tag:kreis,2019:7"]))
        parts.append(f"<guid{attribute}>{escape(guid)}</guid>")
    if draw(st.booleans()):
        parts.append(f"<description>{text_node(draw(MARKUP), draw(st.booleans()))}</description>")
    if draw(st.booleans()):
        parts.append(f"<content:encoded>{text_node(draw(MARKUP), True)}</content:encoded>")
    if draw(st.booleans()):
        parts.append(f"<pubDate>{escape(draw(DATES))}</pubDate>")
    if draw(st.booleans()):
        parts.append(f"<dc:date>{escape(draw(DATES))}</dc:date>")
    extras = [
        "<category>Soziales</category>",
        "<dc:creator>Pressestelle</dc:creator>",
        '<enclosure url="/a.pdf" type="application/pdf" length="1"/>',
        '<media:thumbnail url="/t.jpg"/>',
        "<author>presse@kreis.de</author>",
        "<comments>/k</comments>",
        "<!-- x -->",
    ]
    parts += draw(st.lists(st.sampled_from(extras), max_size=2))
    return "<item>" + "".join(draw(st.permutations(parts))) + "</item>"


@st.composite
def rss_feed(draw) -> bytes:
    base = draw(st.sampled_from(["", ' xml:base="https://www.kreis-beispiel.de/archiv/"']))
    link = draw(
        st.sampled_from(
            ["", "<link>https://www.kreis-beispiel.de/</link>", "<link>/presse/</link>"]
        )
    )
    entries = "".join(draw(st.lists(rss_item(), min_size=1, max_size=4)))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' xmlns:media="http://search.yahoo.com/mrss/"{base}><channel><title>Kreis</title>'
        f"{link}{entries}</channel></rss>"
    ).encode()


@st.composite
def atom_entry(draw) -> str:
    parts = []
    kind = draw(st.sampled_from(["", ' type="text"', ' type="html"']))
    if draw(st.booleans()):
        parts.append(f"<title{kind}>{text_node(draw(TEXTS), draw(st.booleans()))}</title>")
    for _ in range(draw(st.integers(0, 2))):
        relation = draw(
            st.sampled_from(["", ' rel="alternate"', ' rel="ALTERNATE"', ' rel="enclosure"'])
        )
        media = draw(st.sampled_from(["", ' type="text/html"', ' type="application/pdf"']))
        parts.append(f"<link{relation}{media} href={quoteattr(draw(LINKS))}/>")
    if draw(st.booleans()):
        parts.append(f"<id>{escape(draw(LINKS) or 'urn:uuid:42')}</id>")
    for name in ("published", "updated"):
        if draw(st.booleans()):
            parts.append(f"<{name}>{escape(draw(DATES))}</{name}>")
    for name in ("summary", "content"):
        if draw(st.booleans()):
            kind = draw(st.sampled_from(["", ' type="text"', ' type="html"']))
            parts.append(f"<{name}{kind}>{text_node(draw(MARKUP), draw(st.booleans()))}</{name}>")
    if draw(st.booleans()):
        parts.append("<author><name>Pressestelle</name></author>")
    name = draw(st.sampled_from(["entry", "entry", "item"]))  # some write RSS's name
    return f"<{name}>" + "".join(draw(st.permutations(parts))) + f"</{name}>"


@st.composite
def atom_feed(draw) -> bytes:
    base = draw(st.sampled_from(["", ' xml:base="https://www.kreis-beispiel.de/archiv/"']))
    entries = "".join(draw(st.lists(atom_entry(), min_size=1, max_size=4)))
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"{base}>'
        '<title>Kreis</title><link href="https://www.kreis-beispiel.de/"/>'
        f"<id>urn:kreis</id><updated>2019-08-28T09:15:00Z</updated>{entries}</feed>"
    ).encode()


GENERATED = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize(
    ("feeds", "headers"), [(rss_feed(), RSS_TYPE), (atom_feed(), ATOM_TYPE)], ids=["rss", "atom"]
)
@GENERATED
@given(data=st.data())
def test_generated_feeds_read_alike(feeds, headers, data, monkeypatch):
    ours, reference = both(data.draw(feeds), headers, monkeypatch)
    if ours is not None:
        assert ours == reference
