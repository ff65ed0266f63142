"""HTML to PDF with WeasyPrint, for the press review. WeasyPrint is imported when a PDF is
asked for: it takes a second to load and needs Pango, which nothing else does."""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (styles inline, pictures as inline SVG)."""
    from weasyprint import HTML

    document: bytes = HTML(string=html).write_pdf()
    return document
