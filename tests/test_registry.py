"""The bundled registry itself: all 104 kommunale Jobcenter, correctly placed."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from aggregator.config import load_config
from aggregator.model import LAND_CODES

ROOT = Path(__file__).parent.parent
# The team's list of the 104 Träger (Land, kind, homepage), bundled so that a clean
# clone tests on its own; it came from the shared data sets beside the project.
CSV = Path(__file__).parent / "data" / "kommunale-jobcenter.csv"
PER_LAND = {"NW": 18, "HE": 16, "NI": 16, "BW": 11, "BY": 10, "BB": 7, "ST": 6, "RP": 5,
            "SN": 5, "TH": 4, "SL": 3, "SH": 2, "MV": 1}  # fmt: skip
CONFIG = load_config(ROOT / "sources.yaml")


def test_104_entries_with_unique_ids_and_valid_lands():
    ids = [s.id for s in CONFIG.sources]
    assert len(ids) == 104 == len(set(ids))
    assert all(s.land in LAND_CODES for s in CONFIG.sources)
    assert Counter(s.land for s in CONFIG.sources) == PER_LAND


def test_every_traeger_of_the_list_is_present_with_its_homepage():
    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    by_name = {s.name: s for s in CONFIG.sources}
    assert len(rows) == 104
    for row in rows:
        source = by_name[row["name"]]
        land_name = LAND_CODES[source.land]
        assert land_name == row["land"], row["name"]
        assert (source.kind == "kreisfreie-stadt") == (row["kind"] == "kreisfreie Stadt")
        if row["website"]:
            assert source.homepage.rstrip("/") == row["website"].rstrip("/") and source.enabled
        else:
            assert not source.enabled and source.homepage is None  # shown as not yet tracked
        if row["press_page"]:
            assert [p.url for p in source.pages] == [row["press_page"]]


def test_the_known_action_weeks_are_campaigns():
    windows = {
        c.id: (c.window.start.isoformat(), c.window.end.isoformat()) for c in CONFIG.campaigns
    }
    start_2019, end_2019 = windows["aktionswoche-2019"]
    assert start_2019 <= "2019-08-26" and end_2019 >= "2019-08-30"
    start_2022, end_2022 = windows["aktionswoche-2022"]
    assert start_2022 <= "2022-06-20" and end_2022 >= "2022-06-26"


def test_aliases_are_where_the_brands_belong():
    aliases = {s.id: s.aliases for s in CONFIG.sources if s.aliases}
    assert "jenarbeit" in aliases["jena"]
    assert "MainArbeit" in aliases["offenbach-am-main"]
    assert "KCA" in aliases["main-kinzig-kreis"]
