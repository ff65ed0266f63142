"""Pictures of a campaign as SVG, drawn on the server (no JavaScript, no tiles, no CDN): a
tile-grid map of the Länder coloured by the share of their jobcenters that took part, and
a timeline of items per day across the campaign's window. A tile grid needs no boundary
data: each Land is one square, placed roughly where it lies. Built with lxml, so every
text is escaped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from lxml import etree

from aggregator.core.model import LAND_CODES

SVG = "http://www.w3.org/2000/svg"
# The Länder as a grid of tiles, north at the top, east on the right ("--": no tile).
_GRID = (
    "-- SH MV",
    "HB HH BE BB",
    "NW NI ST SN",
    "RP HE TH",
    "SL BW BY",
)
# (column, row) of each Land
TILES: dict[str, tuple[int, int]] = {
    code: (column, row)
    for row, line in enumerate(_GRID)
    for column, code in enumerate(line.split())
    if code != "--"
}
TILE, GAP = 64, 4
# from no participation to all jobcenters of the Land (ColorBrewer's "Greens", 5 classes)
SHADES = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
NONE = "#d9d9d9"  # a Land without kommunale Jobcenter in the registry
INK = "#1a1a1a"


@dataclass(frozen=True)
class LandShare:
    """How one Land took part: jobcenters that published, those tracked, items."""

    published: int
    tracked: int
    items: int


def _bytes(root: etree._Element) -> bytes:
    document: bytes = etree.tostring(root, encoding="utf-8")
    return document


def _svg(width: int, height: int, label: str) -> etree._Element:
    root = etree.Element(f"{{{SVG}}}svg", nsmap={None: SVG})
    root.set("viewBox", f"0 0 {width} {height}")
    root.set("width", str(width))
    root.set("height", str(height))
    root.set("role", "img")
    root.set("aria-label", label)
    etree.SubElement(root, f"{{{SVG}}}title").text = label
    return root


def _text(parent: etree._Element, x: float, y: float, text: str, **style: str) -> None:
    element = etree.SubElement(parent, f"{{{SVG}}}text", x=f"{x:g}", y=f"{y:g}")
    for name, value in style.items():
        element.set(name.replace("_", "-"), value)
    element.text = text


def shade(share: LandShare) -> str:
    if share.tracked == 0:
        return NONE
    if share.published == 0:
        return SHADES[0]
    ratio = share.published / share.tracked
    return SHADES[min(len(SHADES) - 1, 1 + int(ratio * (len(SHADES) - 1) - 1e-9))]


def participation_map(shares: Mapping[str, LandShare], title: str) -> bytes:
    """The tile grid: each Land's code and "published/tracked" on its square, details
    (name, counts) as the tile's hover title."""
    columns = 1 + max(c for c, _ in TILES.values())
    rows = 1 + max(r for _, r in TILES.values())
    legend = 44
    root = _svg(columns * (TILE + GAP), rows * (TILE + GAP) + legend, title)
    root.set("font-family", "DejaVu Sans, Arial, sans-serif")
    for code, (column, row) in TILES.items():
        share = shares.get(code, LandShare(0, 0, 0))
        group = etree.SubElement(root, f"{{{SVG}}}g", {"class": "land", "data-land": code})
        x, y = column * (TILE + GAP), row * (TILE + GAP)
        etree.SubElement(
            group,
            f"{{{SVG}}}rect",
            x=str(x),
            y=str(y),
            width=str(TILE),
            height=str(TILE),
            rx="6",
            fill=shade(share),
        )
        dark = shade(share) in SHADES[3:]
        ink = "#ffffff" if dark else INK
        _text(
            group,
            x + TILE / 2,
            y + 28,
            code,
            text_anchor="middle",
            font_size="17",
            font_weight="bold",
            fill=ink,
        )
        counts = f"{share.published}/{share.tracked}" if share.tracked else "–"
        _text(group, x + TILE / 2, y + 48, counts, text_anchor="middle", font_size="13", fill=ink)
        etree.SubElement(group, f"{{{SVG}}}title").text = _tile_title(code, share)
    _legend(root, rows * (TILE + GAP) + 8)
    return _bytes(root)


def _tile_title(code: str, share: LandShare) -> str:
    name = LAND_CODES[code]
    if not share.tracked:
        return f"{name}: keine kommunalen Jobcenter"
    return (
        f"{name}: {share.published} von {share.tracked} Jobcentern haben veröffentlicht, "
        f"{share.items} Meldungen"
    )


def _legend(root: etree._Element, top: int) -> None:
    labels = ("0", "≤ ¼", "≤ ½", "≤ ¾", "> ¾")
    for position, (colour, label) in enumerate(zip(SHADES, labels, strict=True)):
        x = position * 54
        etree.SubElement(
            root,
            f"{{{SVG}}}rect",
            x=str(x),
            y=str(top),
            width="14",
            height="14",
            fill=colour,
            stroke="#999999",
        )
        _text(root, x + 18, top + 12, label, font_size="11", fill=INK)
    _text(root, 0, top + 32, "Anteil der Jobcenter mit Meldungen", font_size="11", fill="#555555")


def by_month(per_day: Mapping[date, Mapping[str, int]]) -> dict[date, dict[str, int]]:
    """Counts per day summed per month (keyed by the month's first day)."""
    months: dict[date, dict[str, int]] = {}
    for day, lands in per_day.items():
        month = months.setdefault(day.replace(day=1), {})
        for code, count in lands.items():
            month[code] = month.get(code, 0) + count
    return months


def _months(start: date, end: date) -> list[date]:
    found, month = [], start.replace(day=1)
    while month <= end:
        found.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def axis_ticks(largest: int, steps: int = 4) -> list[int]:
    """The numbers on a count axis from 0: a step of 1, 2 or 5 times a power of ten, so
    that about `steps` of them reach `largest` (at least 1)."""
    wanted = max(1, largest) / steps
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if step >= wanted:
                top = -(-max(1, largest) // step) * step
                return list(range(0, top + 1, step))
        power *= 10


def timeline(
    per_day: Mapping[date, Mapping[str, int]],
    start: date,
    end: date,
    title: str,
    monthly: bool = False,
) -> bytes:
    """Items per day (or per month: keys are months' first days) from `start` to `end` as
    bars; a bar's hover title lists its Länder."""
    if monthly:
        days = _months(start, end)
    else:
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    totals = [sum(per_day.get(day, {}).values()) for day in days]
    ticks = axis_ticks(max(totals, default=0))
    top = ticks[-1]
    bar, gap, height, base = 18, 4, 120, 150
    width = max(240, len(days) * (bar + gap) + 40)
    root = _svg(width, base + 34, title)
    root.set("font-family", "DejaVu Sans, Arial, sans-serif")
    for tick in ticks:  # a line and a number at each step of the axis
        y = base - round(height * tick / top)
        etree.SubElement(
            root,
            f"{{{SVG}}}line",
            x1="30",
            y1=str(y),
            x2=str(width),
            y2=str(y),
            stroke="#999999" if tick == 0 else "#e5e5e5",
        )
        _text(
            root,
            26,
            y + 4,
            str(tick),
            text_anchor="end",
            font_size="11",
            fill=INK,
            **{"class": "tick"},
        )
    every = max(1, -(-48 // (bar + gap)), -(-len(days) // 8))  # labels that do not touch
    for position, (day, total) in enumerate(zip(days, totals, strict=True)):
        x = 34 + position * (bar + gap)
        tall = round(height * total / top)
        group = etree.SubElement(
            root,
            f"{{{SVG}}}g",
            {"class": "day", "data-day": day.isoformat(), "data-items": str(total)},
        )
        etree.SubElement(
            group,
            f"{{{SVG}}}rect",
            x=str(x),
            y=str(base - tall),
            width=str(bar),
            height=str(tall),
            fill="#31a354",
        )
        lands = ", ".join(
            f"{LAND_CODES[code]} {count}"
            for code, count in sorted(per_day.get(day, {}).items())
            if count
        )
        when = f"{day:%m.%Y}" if monthly else f"{day:%d.%m.%Y}"
        label = f"{when}: {total} Meldungen" + (f" ({lands})" if lands else "")
        etree.SubElement(group, f"{{{SVG}}}title").text = label
        if position % every == 0:
            _text(
                root,
                x + bar / 2,
                base + 16,
                f"{day:%m.%y}" if monthly else f"{day:%d.%m.}",
                text_anchor="middle",
                font_size="10",
                fill=INK,
            )
    return _bytes(root)
