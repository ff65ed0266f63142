"""The campaign's pictures, parsed as the SVG they are: the tile map has every Land once,
coloured by the share of its jobcenters that published, with the counts on the tile and
in its hover title; the timeline has a bar per day, as tall as its items."""

from __future__ import annotations

from datetime import date

from lxml import etree

from aggregator.publish.charts import (
    NONE,
    SHADES,
    TILES,
    LandShare,
    axis_ticks,
    participation_map,
    timeline,
)

NS = {"svg": "http://www.w3.org/2000/svg"}


def tiles(document: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(document)
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox")
    return {g.get("data-land"): g for g in root.iterfind("svg:g[@class='land']", NS)}


def test_every_land_is_one_tile_coloured_by_its_share():
    shares = {
        "BB": LandShare(5, 5, 12),
        "SN": LandShare(1, 4, 2),
        "NW": LandShare(0, 8, 0),
        "HE": LandShare(3, 6, 4),
    }
    found = tiles(participation_map(shares, "Beteiligung"))
    assert set(found) == set(TILES) and len(found) == 16

    def fill(code: str) -> str:
        return found[code].find("svg:rect", NS).get("fill")

    assert fill("BB") == SHADES[-1]  # all five
    assert fill("HE") == SHADES[2]  # half
    assert fill("SN") == SHADES[1]  # a quarter
    assert fill("NW") == SHADES[0]  # tracked, none published
    assert fill("HH") == NONE  # no kommunales Jobcenter
    texts = [t.text for t in found["BB"].iterfind("svg:text", NS)]
    assert texts == ["BB", "5/5"]
    assert found["SN"].findtext("svg:title", namespaces=NS) == (
        "Sachsen: 1 von 4 Jobcentern haben veröffentlicht, 2 Meldungen"
    )
    assert found["HB"].findtext("svg:title", namespaces=NS) == "Bremen: keine kommunalen Jobcenter"


def test_the_timeline_has_a_bar_per_day_as_tall_as_its_items():
    per_day = {date(2022, 6, 20): {"BB": 2, "SN": 1}, date(2022, 6, 22): {"NW": 6}}
    root = etree.fromstring(timeline(per_day, date(2022, 6, 19), date(2022, 6, 23), "Tage"))
    bars = root.findall("svg:g[@class='day']", NS)
    assert [b.get("data-day") for b in bars] == [f"2022-06-{d}" for d in range(19, 24)]
    heights = {b.get("data-day"): float(b.find("svg:rect", NS).get("height")) for b in bars}
    assert heights["2022-06-22"] == 2 * heights["2022-06-20"] > 0 == heights["2022-06-19"]
    assert bars[1].findtext("svg:title", namespaces=NS) == (
        "20.06.2022: 3 Meldungen (Brandenburg 2, Sachsen 1)"
    )


def test_an_empty_timeline_still_draws():
    root = etree.fromstring(timeline({}, date(2022, 6, 20), date(2022, 6, 20), "leer"))
    [bar] = root.findall("svg:g[@class='day']", NS)
    assert bar.get("data-items") == "0"


def test_the_timeline_axis_is_numbered_in_round_steps() -> None:
    """Not only 0 and the largest count (issue 31, 10): 0, 2, 4, 6, 8 for a day of 7."""
    per_day = {date(2022, 6, 20): {"BB": 7}, date(2022, 6, 21): {"SN": 3}}
    root = etree.fromstring(timeline(per_day, date(2022, 6, 19), date(2022, 6, 23), "Tage"))
    ticks = [t.text for t in root.findall("svg:text[@class='tick']", NS)]
    assert ticks == ["0", "2", "4", "6", "8"]
    bars = {b.get("data-day"): b.find("svg:rect", NS) for b in root.findall("svg:g", NS)}
    tall = float(bars["2022-06-20"].get("height"))
    assert tall == round(120 * 7 / 8)  # measured against the axis' top, 8


def test_axis_steps() -> None:
    assert axis_ticks(0) == [0, 1]
    assert axis_ticks(12) == [0, 5, 10, 15]
    assert axis_ticks(61) == [0, 20, 40, 60, 80]
