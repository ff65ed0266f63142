"""The way to a listing's next page, found without configuration: a link marked
rel=next, a link labelled as one ("weiter", "ältere Meldungen"), or in a row of page
numbers the number after the current one; and a pager of POST buttons, which cannot be
followed (the report says so)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from aggregator.parse.blocks import first, linked, tags_in, text_of

_NEXT_TEXTS = {
    "weiter",
    "weiter »",
    "weiter ›",
    "nächste",
    "nächste seite",
    "nächste »",
    "»",
    "›",
    "vor",
    "next",
    "ältere meldungen",
    "ältere beiträge",
    "ältere einträge",
    "ältere nachrichten",
}


def _marked_next(soup: BeautifulSoup) -> Tag | None:
    """The first `a` or `link` with an href and the rel token "next" (in any case, as the
    selector a[rel~=next] reads it): a walk, as soupsieve took 3 ms a page for it."""
    for element in tags_in(soup):
        if element.name in ("a", "link") and element.attrs.get("href") is not None:
            rel = element.attrs.get("rel")
            tokens = rel if isinstance(rel, list) else str(rel or "").split()
            if any(token.lower() == "next" for token in tokens):
                return element
    return None


def find_next_link(soup: BeautifulSoup) -> str | None:
    """The href of a 'next page' link: rel=next, else a link labelled as one, else in a
    row of page numbers the link to the number after the current (unlinked) one."""
    marked = _marked_next(soup)
    if marked is not None:
        return str(marked["href"])
    for link in linked(soup):
        text = text_of(link).lower()
        title = str(link.get("title") or "").lower()
        if text in _NEXT_TEXTS or "nächste seite" in title or "next page" in title:
            return str(link["href"])
    return _numbered_next(soup)


_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")


def _numbered_next(soup: BeautifulSoup) -> str | None:
    """1 2 [3] 4 5: the current page is the number that is not a link (or is marked
    current); the next page is the link with the number after it."""
    numbered = (
        link for link in linked(soup) if link.string is not None and _NUMBER.match(link.string)
    )
    for link in numbered:
        holder = link.parent
        if holder is not None and holder.name == "li":
            holder = holder.parent
        if not isinstance(holder, Tag):
            continue
        numbers: dict[int, Tag | None] = {}
        for element in tags_in(holder):
            text = text_of(element)
            if not re.fullmatch(r"\d{1,3}", text) or (
                element.name != "a" and first(element, "a") is not None
            ):
                continue  # not a number, or only the holder of a linked one
            anchor = element if element.name == "a" and element.get("href") else None
            current = "current" in " ".join(element.get("class") or []) or element.get(
                "aria-current"
            )
            if anchor is None or current:
                numbers.setdefault(int(text), None)
            elif element.name == "a":
                numbers.setdefault(int(text), anchor)
        unlinked = [n for n, anchor in numbers.items() if anchor is None]
        if len(unlinked) == 1 and isinstance(after := numbers.get(unlinked[0] + 1), Tag):
            return str(after["href"])
    return None


def post_pager(soup: BeautifulSoup) -> bool:
    """A pager made of POST form buttons ("1 2 3", "weiter"): it cannot be followed."""
    for form in soup.find_all("form"):
        if str(form.get("method") or "get").lower() != "post":
            continue
        labels = [
            (text_of(b) or str(b.get("value") or "")).strip().lower()
            for b in form.find_all(["button", "input"])
            if b.name == "button" or str(b.get("type") or "") == "submit"
        ]
        if sum(label.isdigit() or label in _NEXT_TEXTS for label in labels) >= 2:
            return True
    return False
