"""The bytes the loopback sites serve for a page URL, read straight from tests/sites."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from tests.paths import SITES


def fixture_bytes(page: str) -> bytes:
    parts = urlsplit(page)
    path = SITES / unquote(parts.path)
    if path.is_dir() or page.endswith("/"):
        path = path / "index.html"
    if parts.query:
        path = path.with_name(f"{path.name}@{unquote(parts.query)}")
    return path.read_bytes()
