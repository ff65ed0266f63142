import pytest

from aggregator.parse.html import decode_html

TEXT = "Größe „Stark. Sozial. Vor Ort“ – Jobcenter Spree-Neiße"


@pytest.mark.parametrize(
    ("body", "headers", "encoding"),
    [
        (TEXT.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}, "utf-8"),
        (TEXT.encode("cp1252"), {"Content-Type": "text/html; charset=windows-1252"}, "cp1252"),
        # ISO-8859-1 is read as windows-1252, so typographic quotes survive
        (TEXT.encode("cp1252"), {"Content-Type": "text/html; charset=ISO-8859-1"}, "windows-1252"),
        # the header lies: it says UTF-8, the bytes are windows-1252, the meta tag is right
        (
            b'<meta charset="windows-1252">' + TEXT.encode("cp1252"),
            {"Content-Type": "text/html; charset=utf-8"},
            "cp1252",
        ),
        # the header lies the other way: it says Latin-1, the bytes are UTF-8
        (TEXT.encode("utf-8"), {"Content-Type": "text/html; charset=iso-8859-1"}, "utf-8"),
        # only http-equiv says it
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
            + TEXT.encode("cp1252"),
            {"Content-Type": "text/html"},
            "windows-1252",
        ),
        # nothing says it and it is not UTF-8
        (TEXT.encode("cp1252"), {}, "windows-1252"),
        (
            b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
            {"Content-Type": "text/html; charset=cp1252"},
            "utf-8-sig",
        ),
    ],
)
def test_umlauts_come_out_right(body, headers, encoding):
    text, used = decode_html(body, headers)
    assert TEXT in text
    assert used == encoding
