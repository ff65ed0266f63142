"""Property-based tests of the pure path: bytes of a feed or a listing page -> items ->
Atom. Whatever the text, the encoding or the markup, the result is well-formed,
RELAX NG-valid Atom with no script and no control character, and nothing raises but
the ParseError that says "not a document we can read".

The suite runs the `ci` profile (a few seconds); `HYPOTHESIS_PROFILE=long pytest
tests/test_fuzz.py` searches much longer, by hand.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.config.schema import PageTarget, Source
from aggregator.core.model import StoredItem
from aggregator.errors import ParseError
from aggregator.pipeline.refresh import merge_duplicates
from aggregator.publish.atom import EntryContext, FeedHead, render_feed
from aggregator.worker.tasks import Origin, read_feed_document, read_listing_page
from tests.helpers.atom import assert_valid_atom

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

NOW = datetime(2019, 9, 1, tzinfo=UTC)
ORIGIN = Origin("kreis", "https://kreis.example/presse/", NOW)
SOURCE = Source(id="kreis", name="Landkreis Kreis", land="BB", kind="landkreis")

# Any character but lone surrogates (which no byte encoding carries), with the nasty
# ones made likely: controls, C1, BOM, non-characters, markup and entity fragments.
NASTY = st.sampled_from(
    [
        "\x00",
        "\x08",
        "\x1b",
        "\x0c",
        "\x7f",
        "\x85",
        "\x93",
        "\x94",
        "\x96",
        "\ufeff",
        "\ufffe",
        "\uffff",
        "&#x1b;",
        "&#0;",
        "&#xD800;",
        "&amp;#x08;",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "]]>",
        "<![CDATA[",
        "&",
        "<",
        "\u2028",
        "ä",
        "ß",
        "🙂",
        "\r\n",
        "\t",
    ]
)
TEXT = st.lists(st.one_of(st.text(st.characters(exclude_categories=["Cs"])), NASTY), max_size=8)
ENCODINGS = st.sampled_from(["utf-8", "windows-1252", "iso-8859-1", "utf-16"])


def text_of(parts: list[str]) -> str:
    return "".join(parts)


def render(items) -> bytes:
    """As the pipeline does: one item per identity, then the feed."""
    stored = [StoredItem(item, NOW, NOW) for item in merge_duplicates(list(items))]
    head = FeedHead("fuzz", "Fuzz", "Fuzz", "https://agg.example/feeds/fuzz.atom", NOW)
    context = EntryContext(
        {"kreis": SOURCE}, group_url=lambda g: f"https://agg.example/feeds/groups/{g}.atom"
    )
    return render_feed(stored, head, context)


def assert_clean(document: bytes) -> None:
    root = assert_valid_atom(document)
    text = document.decode("utf-8")
    assert not any((ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0 for c in text)
    assert "<script" not in text.lower()  # escaped markup only: "&lt;script" is text
    assert root is not None


@st.composite
def rss_documents(draw) -> bytes:
    encoding = draw(ENCODINGS)
    raw = draw(st.booleans())  # unescaped text: a broken feed, as CMSs write them
    items = []
    for _ in range(draw(st.integers(0, 4))):
        title, description = text_of(draw(TEXT)), text_of(draw(TEXT))
        link = draw(
            st.sampled_from(
                [
                    "/presse/1.html",
                    "https://kreis.example/p?id=2",
                    "javascript:alert(1)",
                    "",
                    " \x1b/x",
                ]
            )
        )
        date = draw(st.sampled_from(["Wed, 28 Aug 2019 10:00:00 +0200", "28.08.2019", "", "x"]))
        if not raw:
            title, description, link = escape(title), escape(description), escape(link)
        items.append(
            f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>"
            f"<description>{description}</description></item>"
        )
    document = (
        f"<?xml version='1.0' encoding='{encoding}'?><rss version='2.0'><channel>"
        f"<title>K</title><link>https://kreis.example/</link>{''.join(items)}</channel></rss>"
    )
    return document.encode(encoding, errors="replace")


@st.composite
def listing_pages(draw) -> bytes:
    encoding = draw(ENCODINGS)
    tag = draw(st.sampled_from(["li", "div", "article", "tr"]))
    rows = []
    for n in range(draw(st.integers(0, 6))):
        title = text_of(draw(TEXT)) if draw(st.booleans()) else escape(text_of(draw(TEXT)))
        teaser = text_of(draw(TEXT))
        day = draw(st.sampled_from(["28.08.2019", "28. August 2019", "", "31.02.2019"]))
        href = quoteattr(draw(st.sampled_from([f"/presse/{n}.html", "javascript:x()", "#"])))
        cell = "td" if tag == "tr" else "span"
        rows.append(
            f"<{tag} class='teaser'><{cell} class='date'>{day}</{cell}>"
            f"<{cell}><a href={href}>{title}</a><p>{teaser}</p></{cell}></{tag}>"
        )
    wrapper = "table" if tag == "tr" else "div"
    page = (
        f"<html><head><meta charset='{encoding}'><title>Presse</title></head><body><main>"
        f"<{wrapper} class='list'>{''.join(rows)}</{wrapper}></main></body></html>"
    )
    return page.encode(encoding, errors="replace")


@given(rss_documents())
def test_any_feed_becomes_clean_valid_atom(body: bytes):
    try:
        reading = read_feed_document(
            body, {"content-type": "application/rss+xml"}, "https://kreis.example/rss.xml", ORIGIN
        )
    except ParseError:
        return
    assert_clean(render(reading.items))


@given(listing_pages(), st.booleans())
def test_any_listing_page_becomes_clean_valid_atom(body: bytes, with_selectors: bool):
    target = PageTarget(url="https://kreis.example/presse/")
    if with_selectors:
        target = PageTarget(
            url="https://kreis.example/presse/",
            items=".teaser",
            title="a",
            date=".date",
            summary="p",
        )
    try:
        headers = {"content-type": "text/html"}
        url = "https://kreis.example/presse/"
        reading = read_listing_page(body, headers, url, target, None, ORIGIN)
    except ParseError:
        return
    assert_clean(render([item for _, item in reading.found]))


@settings(max_examples=25)
@given(st.binary(max_size=2000), st.sampled_from(["text/html", "application/rss+xml", ""]))
def test_arbitrary_bytes_raise_nothing_but_parse_errors(body: bytes, content_type: str):
    headers = {"content-type": content_type} if content_type else {}
    target = PageTarget(url="https://kreis.example/presse/")
    for read in (
        lambda: render(read_feed_document(body, headers, "https://k.example/f", ORIGIN).items),
        lambda: render(
            [
                i
                for _, i in read_listing_page(
                    body, headers, "https://k.example/", target, None, ORIGIN
                ).found
            ]
        ),
    ):
        with contextlib.suppress(ParseError):
            assert_clean(read())
