"""The campaign's pictures, parsed as the SVG they are: the tile map has every Land once,
coloured by the share of its jobcenters that published, with the counts on the tile and
in its hover title; the timeline has a bar per day, as tall as its items."""

from __future__ import annotations

from datetime import date

from lxml import etree

from aggregator.publish.charts import NONE, SHADES, TILES, LandShare, participation_map, timeline

NS = {"svg": "http://www.w3.org/2000/svg"}


def tiles(document: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(document)
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox")
    return {g.get("data-land"): g for g in root.iterfind("svg:g[@class='land']", NS)}


def test_every_land_is_one_tile_coloured_by_its_share():
    shares = {
        "BB": LandShare(5, 5, 12), "SN": LandShare(1, 4, 2), "NW": LandShare(0, 8, 0),
        "HE": LandShare(3, 6, 4),
    }  # fmt: skip
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
