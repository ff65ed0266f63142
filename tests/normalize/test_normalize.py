from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.core.model import Entry
from aggregator.core.text import _WORD, fold, tokens, words
from aggregator.normalize.entries import (
    atom_id,
    canonical_url,
    clean_text,
    fingerprint,
    item_key,
    normalize_entry,
    sanitize_html,
    text_of_markup,
)

NOW = datetime(2019, 9, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example-LK.de:443/Presse/?utm_source=x#top",
            "https://www.example-lk.de/Presse/",
        ),
        ("http://example.de:80", "http://example.de/"),
        ("http://example.de:8080/a", "http://example.de:8080/a"),
        ("https://e.de/a.php?PHPSESSID=abc&id=7&fbclid=1", "https://e.de/a.php?id=7"),
        ("https://e.de/a;jsessionid=ABC?x=1", "https://e.de/a?x=1"),
        (
            "https://lk.de/Pressemitteilungen/Titel.php?object=tx,2527.10148.1&ModID=7&FID=2527.1.1&NavID=2527.2",
            "https://lk.de/Pressemitteilungen/Titel.php?object=tx,2527.10148.1&ModID=7&FID=2527.1.1&NavID=2527.2",
        ),
        (
            "https://lk.de/news/?tx_news_pi1%5Bnews%5D=12&cHash=ab12",
            "https://lk.de/news/?tx_news_pi1[news]=12&cHash=ab12",
        ),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_relative_links_resolve_against_the_base():
    assert canonical_url("../b.html", "https://e.de/x/y/z.html") == "https://e.de/x/b.html"


def test_clean_text_decodes_entities_and_folds_whitespace():
    assert (
        clean_text("  Gr&ouml;&szlig;e <b>und</b>\n\n  M&auml;rz&nbsp;2019 ")
        == "Größe und März 2019"
    )
    assert clean_text("<p>Erster</p><p>Zweiter</p>") == "Erster Zweiter"
    assert clean_text("<script>alert(1)</script>Text") == "Text"


@settings(max_examples=2000)
@given(st.text(alphabet=st.characters(exclude_characters="<&")))
def test_text_without_markup_is_cleaned_as_the_html_parser_would(text):
    # clean_text skips the parser for text with neither tags nor entities (most titles)
    assert clean_text(text) == text_of_markup(text)


def test_a_leading_byte_order_mark_is_dropped_with_or_without_markup():
    assert (
        clean_text("\ufeffAktionswoche")
        == "Aktionswoche"
        == clean_text("\ufeff<b>Aktionswoche</b>")
    )


def test_markup_with_two_bodies_is_sanitised_not_raised():
    # lxml's fragment parser asserts there is one <body>; a scraped teaser may hold two
    markup = "<html><body></div></body><body><p>Aktionswoche</p> <a href='/x'>mehr</a></body>"
    cleaned = sanitize_html(markup, "https://jobcenter.example/presse/")
    assert "Aktionswoche" in cleaned and "<body" not in cleaned


def test_sanitize_removes_scripts_handlers_and_javascript_links():
    dirty = (
        '<p onclick="x()">Hallo</p><script>alert(1)</script><style>p{}</style>'
        '<iframe src="https://evil"></iframe><img src="a.jpg" onerror="alert(1)">'
        '<a href="javascript:alert(2)">x</a><a href="/presse/1.html">y</a>'
    )
    clean = sanitize_html(dirty, "https://www.example-lk.de/aktuelles/")
    for bad in ("script", "onclick", "onerror", "iframe", "style", "javascript:"):
        assert bad not in clean
    assert '<img src="https://www.example-lk.de/aktuelles/a.jpg">' in clean
    assert 'href="https://www.example-lk.de/presse/1.html"' in clean


def test_identity_prefers_stable_guid_then_link_then_hash():
    link = "https://e.de/presse/1.html"
    assert item_key(Entry("T", link, guid="tag:e.de,2019:1"), link, None) == "guid:tag:e.de,2019:1"
    assert item_key(Entry("T", link, guid="12345"), link, None) == "link:e.de/presse/1.html"
    assert item_key(Entry("T", None, guid="http://e.de/presse/1.html"), None, None) == (
        "link:e.de/presse/1.html"
    )
    hashed = item_key(Entry("T", None), None, None)
    assert hashed.startswith("hash:") and hashed == item_key(Entry("T", None), None, None)


def test_http_and_https_links_are_one_identity():
    a = item_key(Entry("T", None), "http://e.de/a", None)
    b = item_key(Entry("T", None), "https://e.de/a", None)
    assert a == b


def test_entry_without_date_gets_first_seen_and_is_flagged():
    item, notes = normalize_entry(
        Entry("Titel", "/a"), source_id="s", base_url="https://e.de/", fetched_from="u", now=NOW
    )
    assert item is not None and item.published == NOW and item.date_is_guess and not notes
    assert item.url == "https://e.de/a"


def test_dates_far_in_the_future_are_suspect():
    future = NOW + timedelta(days=30)
    item, notes = normalize_entry(
        Entry("T", "/a", published=future),
        source_id="s",
        base_url="https://e.de/",
        fetched_from="u",
        now=NOW,
    )
    assert item is not None and item.published == NOW and item.date_is_guess
    assert "future" in notes[0]


def test_entry_with_neither_title_nor_link_is_skipped():
    item, notes = normalize_entry(
        Entry("", None), source_id="s", base_url="https://e.de/", fetched_from="u", now=NOW
    )
    assert item is None and notes


def test_fingerprint_ignores_punctuation_spacing_and_case():
    assert fingerprint("Titel", "Ein  Text.") == fingerprint("titel", "ein text")


def test_atom_id_is_stable_and_distinct():
    assert atom_id("a", "link:x") == atom_id("a", "link:x")
    assert atom_id("a", "link:x") != atom_id("b", "link:x")
    assert atom_id("a", "link:x").startswith("urn:uuid:")


def test_words_fold_umlauts_accents_and_case_so_spelling_variants_compare_equal():
    assert words("Straße ÄRGER Crème naïve") == ["strasse", "aerger", "creme", "naive"]
    assert words("„Jobcenter-Aktionswoche“ – 28.08.2019") == [
        "jobcenter",
        "aktionswoche",
        "28",
        "08",
        "2019",
    ]
    assert words("Bu\u0308ro") == words("Büro") == ["buero"]  # decomposed input folds alike


_FOLDING_TRAPS = "aäAÄsßẞΣσςΟΔİıﬁ½⁄\u0301\u0308\u0327\u0345\u200d\u00ad \u3000\xa0-"


@settings(max_examples=3000)
@given(
    st.lists(
        st.one_of(st.sampled_from(_FOLDING_TRAPS), st.characters(codec="utf-8")), max_size=30
    ).map("".join)
)
def test_words_folded_piece_by_piece_equal_the_whole_text_folded(text):
    # words() folds between spaces, each piece once: combining marks, final sigma and
    # ligatures must come out as if the whole text had been folded at once
    assert words(text) == _WORD.findall(fold(text))


def test_long_pieces_are_folded_but_not_remembered():
    # a hostile text without spaces must not fill the per-process cache with megabytes
    from aggregator.core import text

    long_piece = "Aktionswoche" * 1000
    assert words(f"Jobcenter {long_piece}") == ["jobcenter", long_piece.lower()]
    assert long_piece not in text._PIECES and "Jobcenter" in text._PIECES


def test_tokens_keep_their_place_in_the_original_text():
    text = "Die Aktionswoche im Landkreis Görlitz"
    found = tokens(text)
    assert [t.folded for t in found][-1] == "goerlitz"
    assert text[found[-1].start : found[-1].end] == "Görlitz"


@pytest.mark.parametrize(
    ("source", "read"),
    [
        ("in der bundesweiten Aktions-\nwoche", "in der bundesweiten Aktionswoche"),
        ("<p>die Aktions-\r\n   woche</p>", "die Aktionswoche"),
        ("die Aktions-\rwoche", "die Aktionswoche"),  # a lone CR ends a line too
        ("Nr. 0-\r0", "Nr. 0-0"),
        ("Kinder-\nund Jugendhilfe", "Kinder- und Jugendhilfe"),  # a word left out
        ("im Land Baden-\nWürttemberg", "im Land Baden-Württemberg"),  # its own hyphen
        ("Aktions- woche", "Aktions- woche"),  # no line break in the source: as written
    ],
)
def test_a_word_broken_at_a_line_end_is_one_word_again(source: str, read: str) -> None:
    assert clean_text(source) == read
