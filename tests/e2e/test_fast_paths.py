"""Each speed-up leaves the stored results as they were: `aggregator fetch` of the demo's
press offices (feeds of every dialect, listing pages with and without preset, joint
releases, the campaign) stores the same items, groups and campaign matches with the
speed-up switched off as with it on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from aggregator.demo.server import SampleSites
from aggregator.demo.sites import build_sites, demo_config, load_offices
from aggregator.parse.fastfeed import FEEDPARSER_ONLY, declined_because
from aggregator.pipeline.refresh import SOURCES_AT_ONCE
from tests.helpers.cli import run_cli
from tests.siteserver import SiteServer

SWITCHES = {
    "feeds read by lxml": (FEEDPARSER_ONLY, "1"),
    "a bound on sources in progress": (SOURCES_AT_ONCE, "0"),
}
FIXTURE_FEEDS = [
    "spree-neisse-rss2.xml",
    "hoexter-cp1252.xml",
    "kreis-nodates.xml",
    "stadt-atom.atom",
    "kreis-rss1.rdf",
]


def stored(db: Path) -> dict[str, list[object]]:
    """What a run leaves that a reader sees: items (a guessed date is the time of the run), the
    near-duplicate groups as sets of members (a group's name depends on which member came
    first), and the campaign matches."""
    with sqlite3.connect(db) as connection:
        items = connection.execute(
            """SELECT source_id, key, url, title, summary_html, summary_text, content_html,
                      CASE WHEN date_is_guess THEN 'first seen' ELSE published END,
                      fingerprint, guid, fetched_from
               FROM items ORDER BY source_id, key"""
        ).fetchall()
        grouped: dict[str, set[tuple[str, str]]] = {}
        for source_id, key, group_id in connection.execute(
            "SELECT source_id, key, group_id FROM items WHERE group_id IS NOT NULL"
        ):
            grouped.setdefault(group_id, set()).add((source_id, key))
        matches = connection.execute(
            "SELECT source_id, key, campaign_id, reason FROM item_campaigns ORDER BY 1, 2, 3"
        ).fetchall()
    groups = sorted(sorted(members) for members in grouped.values())
    return {"items": items, "groups": groups, "campaigns": matches}


def fixture_feed_sources(site: SiteServer) -> str:
    lines = []
    for number, name in enumerate(FIXTURE_FEEDS):
        lines += [
            f"  - id: fixture-{number}",
            f"    name: Jobcenter Fixture {number}",
            "    land: BB",
            "    kind: landkreis",
            f"    feeds: [{site.url('feeds/' + name)}]",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def offices_config(tmp_path: Path, site: SiteServer):
    sample = SampleSites().start()
    try:
        offices = load_offices(sample.base)
        sample.pages.update(build_sites(offices))
        feeds = [(path, page) for path, page in sample.pages.items() if "xml" in page.content_type]
        taken = [
            path
            for path, page in feeds
            if declined_because(page.body, {"Content-Type": page.content_type}, sample.url(path))
            is None
        ]
        assert len(taken) >= 4  # the comparison covers the fast path, not only its refusals
        config = tmp_path / "sources.yaml"
        config.write_text(demo_config(offices) + fixture_feed_sources(site), encoding="utf-8")
        yield config
    finally:
        sample.stop()


@pytest.mark.parametrize("switch", SWITCHES.values(), ids=SWITCHES.keys())
def test_a_run_stores_the_same_with_and_without_the_speed_up(switch, offices_config, tmp_path):
    variable, off = switch
    # the bound at its tightest (one source at a time) against none
    fast_env = {SOURCES_AT_ONCE: "1"} if variable == SOURCES_AT_ONCE else {}
    results = []
    for name, env in (("fast", fast_env), ("reference", {variable: off})):
        db = tmp_path / f"{name}.db"
        done = run_cli("--config", str(offices_config), "--db", str(db), "fetch", env=env)
        assert done.returncode == 0, done.stderr.decode()
        results.append(stored(db))
    fast, reference = results
    assert len(fast["items"]) >= 60 and fast["groups"] and fast["campaigns"]  # a real run
    assert fast == reference
