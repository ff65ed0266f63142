"""UTF-8 with a few flaws is read as UTF-8 (flaws as U+FFFD); windows-1252 is not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aggregator.parse.encodings import flawed_utf8
from aggregator.parse.html import decode_html

GERMAN = "Die Aktionswoche im Jobcenter Spree-Neiße: Gespräche über Förderung und Qualifizierung."


def test_an_encoded_lone_surrogate_and_a_stray_byte_become_replacement_characters():
    body = GERMAN.encode() + b" \xed\xa0\x80 \xff"
    assert flawed_utf8(body) == GERMAN + " \ufffd \ufffd"


def test_windows_1252_with_umlauts_is_not_taken_for_utf8():
    assert flawed_utf8(GERMAN.encode("cp1252")) is None
    text, encoding = decode_html(GERMAN.encode("cp1252"), {"Content-Type": "text/html"})
    assert (text, encoding) == (GERMAN, "windows-1252")


def test_a_page_declared_utf8_with_one_flaw_keeps_its_umlauts():
    body = f"<html><head><meta charset='utf-8'></head><body>{GERMAN}".encode() + b"\xed\xa0\x80"
    text, encoding = decode_html(body, {})
    assert encoding == "utf-8" and GERMAN in text and text.endswith("\ufffd")


@given(st.text(alphabet="abcäöüßÄÖÜ €„“–", min_size=1, max_size=80), st.binary(max_size=3))
def test_valid_text_with_a_flaw_keeps_every_character_it_had(text, flaw):
    body = text.encode() + flaw
    decoded = flawed_utf8(body)
    if decoded is not None:
        assert decoded.startswith(text[: len(text) - 1])
