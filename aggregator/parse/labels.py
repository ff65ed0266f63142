"""How municipal sites label their press sections ("Pressemitteilungen", "Rathaus
aktuell", "Aktuelles aus dem Landkreis"), for discovery's links and the heuristic's
headings alike."""

from __future__ import annotations

import re

# Best first.
PRESS_LABELS = (
    "pressemitteilungen",
    "pressemeldungen",
    "pressearchiv",
    "presseinformationen",
    "presse",
    "aktuelle meldungen",
    "rathaus aktuell",
    "gemeinde aktuell",
    "stadt aktuell",
    "kreis aktuell",
    "landkreis aktuell",
    "aktuelles",
    "meldungen",
    "neuigkeiten",
    "nachrichten",
    "news",
)
# Sections that carry those words but are no press releases of the body itself.
_NOT_PRESS = re.compile(
    r"verein|veranstaltung|termin|kalender|stellen|ausschreibung|job-?börse|karriere|"
    r"newsletter|abonn|rss|feed",
    re.IGNORECASE,
)


def label_rank(text: str) -> int | None:
    """0 for the best press label, higher for weaker ones, None for no press label."""
    folded = " ".join(text.lower().split())
    if not folded or _NOT_PRESS.search(folded):
        return None
    for rank, label in enumerate(PRESS_LABELS):
        if folded == label or folded.startswith(label + " ") or folded.endswith(" " + label):
            return rank
    return None
