"""Which text of an item is its title: link texts that say "read more" instead of what
the item is, and the detail page's headline against a listing's shortened one. Pure
string rules, shared by the listing readers and by the store's choice between two
versions of an item (classify.revise)."""

from __future__ import annotations

import re

# Link texts that say "read more" rather than what the item is.
GENERIC_LINK_TEXTS = frozenset(
    {
        "mehr",
        "mehr…",
        "mehr ...",
        "mehr...",
        "mehr »",
        "» mehr",
        "mehr lesen",
        "weiterlesen",
        "weiter lesen",
        "weiterlesen …",
        "weiterlesen ...",
        "details",
        "zum artikel",
        "zur meldung",
        "read more",
        "more",
        "lesen",
        "artikel lesen",
        "»",
        "›",
        "…",
    }
)
# Link texts and link titles that stand for an action or a file, not for the item:
# "Artikel weiterlesen", "Diesen Artikel lesen", "PDF Dokument öffnen (153 KB)".
_GENERIC = re.compile(
    r"^[»›>…. ]*(((diesen|den|zum|zur|ganzen)\s+)?(artikel|beitrag|meldung|"
    r"pressemitteilung|nachricht|news|text|bericht)\s+)?(weiter\s*lesen|weiterlesen|lesen|"
    r"anzeigen|öffnen|ansehen)[»›>…. ]*$"
    r"|^[»›>…. ]*(mehr|more|details?|read more|zum artikel|zur meldung|zum beitrag|"
    r"mehr (erfahren|lesen|informationen|dazu|zum thema)|weiter)[»›>…. ]*$"
    r"|^(pdf|doc|docx|dokument|datei|download)\b.*(öffnen|herunterladen|download|\d+\s*[km]b\))"
    r"|^(drucksache|drs\.?)\s*\d+/\d+$",
    re.IGNORECASE,
)
# Link texts that name a document by its number or file ("Drucksache 8/300", "PDF (120 KB)",
# "Vorlage 2023/0815"): the row's headline is a plain text beside them.
_REFERENCE = re.compile(
    r"^(drucksache|drs\.?|vorlage|antrag|anfrage|beschluss|dokument|pdf|doc|docx)\b[\s.:-]*"
    r"(\d+\s*/\s*\d+|\(?\d+([.,]\d+)?\s*[km]b\)?|\S*\d\S*)?$",
    re.IGNORECASE,
)


def is_generic(text: str) -> bool:
    stripped = text.strip()
    return (
        not stripped
        or stripped.lower().rstrip(" .") in GENERIC_LINK_TEXTS
        or _GENERIC.search(stripped) is not None
    )


def is_reference(text: str) -> bool:
    """A link text that names a document by its number or file, not by what it is about."""
    return _REFERENCE.match(text.strip()) is not None


def better_title(listed: str, headline: str | None) -> str:
    """The detail page's headline where the listing's is generic or cut short
    ("Wohnheimplätze für Studierende: „Wertvoller ..."); the listing's otherwise."""
    if not headline:
        return listed
    cut = listed.rstrip()
    if not cut or is_generic(cut):
        return headline
    for ellipsis in ("…", "..."):
        if cut.endswith(ellipsis):
            stem = " ".join(cut.removesuffix(ellipsis).split()).rstrip(" –-")
            if " ".join(headline.split()).startswith(stem) and len(headline) > len(stem):
                return headline
    return listed
