"""The bundled registry itself: all 104 kommunale Jobcenter, correctly placed."""

from __future__ import annotations

import csv
import re
from collections import Counter
from urllib.parse import urlsplit

from aggregator.config.loader import load_config
from aggregator.core.model import LAND_CODES
from tests.paths import ROOT, TESTS

# The team's list of the 104 Träger (Land, kind, homepage), bundled so that a clean
# clone tests on its own; it came from the shared data sets beside the project.
CSV = TESTS / "data" / "kommunale-jobcenter.csv"
PER_LAND = {
    "NW": 18,
    "HE": 16,
    "NI": 16,
    "BW": 11,
    "BY": 10,
    "BB": 7,
    "ST": 6,
    "RP": 5,
    "SN": 5,
    "TH": 4,
    "SL": 3,
    "SH": 2,
    "MV": 1,
}
CONFIG = load_config(ROOT / "sources.yaml")


def test_104_entries_with_unique_ids_and_valid_lands():
    ids = [s.id for s in CONFIG.sources]
    assert len(ids) == 104 == len(set(ids))
    assert all(s.land in LAND_CODES for s in CONFIG.sources)
    assert Counter(s.land for s in CONFIG.sources) == PER_LAND


def test_every_traeger_of_the_list_is_present_with_its_homepage():
    with CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_name = {s.name: s for s in CONFIG.sources}
    assert len(rows) == 104
    for row in rows:
        source = by_name[row["name"]]
        land_name = LAND_CODES[source.land]
        assert land_name == row["land"], row["name"]
        assert (source.kind == "kreisfreie-stadt") == (row["kind"] == "kreisfreie Stadt")
        if row["website"]:  # the list's site is the county's or city's, or the jobcenter's own
            sites = {str(url).rstrip("/") for url in (source.homepage, source.also) if url}
            assert row["website"].rstrip("/") in sites, row["name"]
        if row["press_page"]:
            assert row["press_page"] in [p.url for p in source.pages]


def test_every_source_is_enabled_with_a_homepage():
    missing = [s.id for s in CONFIG.sources if not (s.enabled and s.homepage)]
    assert missing == []


def test_official_keys_are_unique_and_fit_the_kind_of_traeger():
    keys = [s.ags for s in CONFIG.sources]
    assert None not in keys and len(set(keys)) == 104
    for source in CONFIG.sources:
        assert source.ags is not None
        if source.kind == "kreisfreie-stadt":  # a city: its Kreis key and 000
            assert len(source.ags) == 8 and source.ags.endswith("000"), source.id
        else:
            assert len(source.ags) == 5, source.id


def _domain(url: object) -> str:
    """The registrable domain (every host here is under .de or .org)."""
    host = urlsplit(str(url)).hostname or ""
    return ".".join(host.split(".")[-2:])


# Hosts that publish releases for many offices; a source's listing or feed may be there.
PRESS_DISTRIBUTION = {"presse-service.de"}


def test_no_two_sources_share_a_site():
    owners: dict[str, str] = {}
    for source in CONFIG.sources:
        for url in {_domain(u) for u in (source.homepage, source.also) if u}:
            assert url not in owners, f"{source.id} and {owners[url]} share {url}"
            owners[url] = source.id


def test_listings_feeds_and_hints_are_on_the_sources_own_site():
    for source in CONFIG.sources:
        own = {_domain(u) for u in (source.homepage, source.also) if u} | PRESS_DISTRIBUTION
        targets = [p.url for p in source.pages] + list(source.feeds) + list(source.hints)
        assert {_domain(url) for url in targets} <= own, source.id


def test_every_registry_url_says_where_it_came_from():
    """An operator checks the inferred URLs first: each listing, feed and hint is marked."""
    lines = (ROOT / "sources.yaml").read_text(encoding="utf-8").splitlines()
    urls = {
        str(url) for s in CONFIG.sources for url in [p.url for p in s.pages] + [*s.feeds, *s.hints]
    }
    for url in urls:
        [line] = [line for line in lines if line.rstrip().split("  #")[0].endswith(url)]
        assert re.search(r"#\s*(seen|inferred)\b", line), line


def test_inferred_listings_are_hints_and_seen_ones_are_pinned():
    for source in CONFIG.sources:
        for url in source.hints:
            assert url not in [p.url for p in source.pages], source.id
    hinted = {s.id for s in CONFIG.sources if s.hints}
    pinned = {s.id for s in CONFIG.sources if s.pages or s.feeds}
    assert not hinted & pinned  # a hint is only read by discovery, which pins turn off
    assert len(pinned) >= 19 and len(hinted) >= 12


def test_the_known_action_weeks_are_campaigns():
    windows = {
        c.id: (c.window.start.isoformat(), c.window.end.isoformat())
        for c in CONFIG.campaigns
        if c.window is not None
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
