"""The whole campaign, not just its weeks (issue 30), through the CLI: a standing campaign
with phases, what the text says deciding first, undated items never placed by when they
were first seen, the spellings of the slogan, and the look-alikes that stay out.

The labelled texts (tests/data/campaign_texts.yaml) are served as one RSS feed, dated
items with their date and undated ones without, and read with the bundled campaigns."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from lxml import etree

from bench.campaigns import campaigns_section, feed
from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.paths import ROOT, TESTS
from tests.siteserver import Route

TEXTS = yaml.safe_load((TESTS / "data" / "campaign_texts.yaml").read_text(encoding="utf-8"))
CAMPAIGN = TEXTS["campaign"]
PHASES = (
    "tag-der-kommunalen-jobcenter-2018",
    "aktionswoche-2019",
    "menschen-vor-ort-2021",
    "aktionswoche-2022",
)


def _config(site, write_config, campaigns: str | None = None) -> Path:
    site.routes["/kreis/presse.xml"] = Route(
        body=feed(TEXTS["texts"]), headers={"Content-Type": "application/rss+xml"}
    )
    return write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - {id: kreis, name: Landkreis Beispiel, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('kreis/presse.xml')}']}}\n"
        + (campaigns or campaigns_section(ROOT / "sources.yaml"))
    )


def _titles(document: Path) -> set[str]:
    root = assert_valid_atom(document.read_bytes())
    return {e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")}


@pytest.fixture
def fetched(site, tmp_path, write_config):
    config = _config(site, write_config)
    env = {"AGGREGATOR_DB": str(tmp_path / "kampagne.db")}
    done = run_cli("--config", str(config), "fetch", env=env)
    assert done.returncode == 0, done.stderr.decode()
    out = tmp_path / "out"
    written = run_cli("--config", str(config), "feed", "--out", f"{out}/", env=env)
    assert written.returncode == 0, written.stderr.decode()
    return config, env, out / "feeds" / "campaigns"


def _expected(feed_id: str, pattern: str | None = None) -> set[str]:
    return {
        t["title"]
        for t in TEXTS["texts"]
        if feed_id in t["in"] and (pattern is None or t["pattern"] == pattern)
    }


@pytest.mark.parametrize("pattern", ["phases", "undated", "spellings", "precision"])
def test_each_pattern_reaches_exactly_its_campaign_and_phase_feeds(fetched, pattern):
    _config_path, _env, feeds = fetched
    of_pattern = {t["title"] for t in TEXTS["texts"] if t["pattern"] == pattern}
    for feed_id in (CAMPAIGN, *PHASES):
        shown = _titles(feeds / f"{feed_id}.atom") & of_pattern
        assert shown == _expected(feed_id, pattern), feed_id


def test_the_campaign_holds_what_names_it_and_everything_of_its_phases(fetched):
    _config_path, _env, feeds = fetched
    campaign = _titles(feeds / f"{CAMPAIGN}.atom")
    for phase in PHASES:
        assert _titles(feeds / f"{phase}.atom") <= campaign, phase
    between = {t["title"] for t in TEXTS["texts"] if t["in"] == [CAMPAIGN]}
    assert between and between <= campaign  # named between the weeks: the campaign only


def test_campaigns_test_shows_the_phrase_field_and_date_rule_and_the_held_back(fetched):
    config, env, _feeds = fetched
    done = run_cli("--config", str(config), "campaigns", "test", "aktionswoche-2019", env=env)
    assert done.returncode == 0, done.stderr.decode()
    said = " ".join(done.stdout.decode().split())
    # a review published weeks later, placed by the days its text names
    assert "Rückblick: Eine Woche der offenen Türen" in said
    assert "date: the text names '26. bis 30. August 2019' (26.08.–30.08.2019)" in said
    # the announcement-free undated text: held back, and said so
    assert "Aktionswoche der kommunalen Jobcenter" in said
    assert "held back until its detail page or its text tells when it was published" in said
    # a look-alike in the week: the phrase that excluded it
    assert "excluded by none: 'Aktionswoche Alkohol'" in said
    assert "any phrase 'Aktionswoche*' found in the title: 'Aktionswoche'" in said


def test_the_weeks_keep_their_ids_and_every_feed_is_valid(fetched):
    _config_path, _env, feeds = fetched
    for feed_id in (CAMPAIGN, *PHASES):
        root = etree.parse(str(feeds / f"{feed_id}.atom")).getroot()
        assert root.findtext(f"{ATOM}title"), feed_id


def test_a_new_phase_rejudges_stored_items_without_a_refetch(site, tmp_path, write_config):
    """Rules are tuned after the fact: a phase added to sources.yaml takes the stored
    texts that name its days or its name, at the next command, without fetching."""
    section = campaigns_section(ROOT / "sources.yaml")
    data = yaml.safe_load(section)
    data["campaigns"][0]["phases"] = [
        p for p in data["campaigns"][0]["phases"] if p["id"] != "aktionswoche-2022"
    ]
    config = _config(site, write_config, yaml.safe_dump(data, allow_unicode=True))
    env = {"AGGREGATOR_DB": str(tmp_path / "neu.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    requests = len(site.requests)
    _config(site, write_config)  # the bundled campaigns, with the 2022 week
    out = tmp_path / "out"
    written = run_cli("--config", str(config), "feed", "--out", f"{out}/", env=env)
    assert written.returncode == 0, written.stderr.decode()
    assert len(site.requests) == requests  # nothing fetched
    shown = _titles(out / "feeds" / "campaigns" / "aktionswoche-2022.atom")
    assert shown == _expected("aktionswoche-2022")


def test_the_grace_around_a_week_is_the_operators(site, tmp_path, write_config):
    """Without grace a review published ten days after the 2019 week is outside it; with
    the bundled fourteen days it is in."""
    data = yaml.safe_load(campaigns_section(ROOT / "sources.yaml"))
    data["campaigns"][0]["grace"] = {"before": "0d", "after": "0d"}
    config = _config(site, write_config, yaml.safe_dump(data, allow_unicode=True))
    env = {"AGGREGATOR_DB": str(tmp_path / "knapp.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    out = tmp_path / "out"
    assert run_cli("--config", str(config), "feed", "--out", f"{out}/", env=env).returncode == 0
    week = _titles(out / "feeds" / "campaigns" / "aktionswoche-2019.atom")
    assert "Jobcenter zieht Bilanz der Aktionswoche" not in week  # 09.09.2019, no days named
    assert "Rückblick: Eine Woche der offenen Türen" in week  # its text names the days


def test_the_reasons_per_text_are_kept_in_the_stored_verdicts(fetched):
    """Each stored membership says why (the export and the dashboard show it)."""
    import sqlite3

    _config_path, env, _feeds = fetched
    rows = sqlite3.connect(env["AGGREGATOR_DB"]).execute(
        "SELECT c.campaign_id, i.title, c.reason FROM item_campaigns c JOIN items i "
        "ON c.source_id = i.source_id AND c.key = i.key"
    )
    reasons: dict[str, dict[str, str]] = defaultdict(dict)
    for campaign_id, title, reason in rows:
        reasons[campaign_id][title] = reason
    assert "the text names it: any date counts" in reasons[CAMPAIGN]["Jahresbericht des Jobcenters"]
    assert "through its phase" in reasons[CAMPAIGN]["Jobcenter zieht Bilanz der Aktionswoche"]
    assert (
        "published 09.09.2019"
        in reasons["aktionswoche-2019"]["Jobcenter zieht Bilanz der Aktionswoche"]
    )
