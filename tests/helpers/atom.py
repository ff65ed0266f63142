"""Atom as RFC 4287 and the feed validator want it, checked on every feed a test reads."""

from __future__ import annotations

import re

from lxml import etree

from tests.paths import TESTS

ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(TESTS / "atom.rng")))
ATOM = "{http://www.w3.org/2005/Atom}"


def assert_valid_atom(document: bytes) -> etree._Element:
    """Valid per the RELAX NG grammar of RFC 4287, plus the rules it states in prose and
    those of the W3C feed validator that apply to our feeds (it is not on the package
    registries): unique ids, absolute links, no empty text constructs, a complete
    atom:source, nothing dangerous in HTML content."""
    root = etree.fromstring(document)
    if not ATOM_SCHEMA.validate(root):
        raise AssertionError(f"invalid Atom: {ATOM_SCHEMA.error_log}")
    feed_has_author = root.find(f"{ATOM}author") is not None
    ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    assert root.find(f"{ATOM}link[@rel='self']") is not None, "a feed names itself"
    for link in root.iter(f"{ATOM}link"):
        href = link.get("href", "")
        assert href.startswith(("http://", "https://")), f"relative or odd link {href!r}"
    for entry in root.iter(f"{ATOM}entry"):
        assert feed_has_author or entry.find(f"{ATOM}author") is not None
        assert (entry.findtext(f"{ATOM}title") or "").strip(), "an entry needs a title"
        has_alternate = any(
            link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{ATOM}link")
        )
        assert has_alternate or entry.find(f"{ATOM}content") is not None, "RFC 4287 4.1.1"
        summary = entry.find(f"{ATOM}summary")
        assert summary is None or (summary.text or "").strip(), "empty summary"
        source = entry.find(f"{ATOM}source")
        if source is not None:
            for name in ("id", "title", "updated"):
                assert source.find(f"{ATOM}{name}") is not None, f"atom:source without {name}"
        for construct in (summary, entry.find(f"{ATOM}content")):
            if construct is not None and construct.get("type") == "html":
                markup = (construct.text or "").lower()
                assert "<script" not in markup
                assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", markup)
                assert not re.search(r"<[^>]+\son\w+\s*=", markup), "event handler in HTML"
    return root
