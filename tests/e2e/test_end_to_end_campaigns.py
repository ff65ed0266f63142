"""Campaigns and duplicates through the real pipeline: the corpus served as feeds."""

from __future__ import annotations

from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.helpers.corpus import CAMPAIGN, ITEMS, config_text, serve_corpus


def test_campaign_feed_groups_and_duplicates_end_to_end(site, tmp_path, write_config):
    serve_corpus(site)
    config = write_config(config_text(site))
    env = {"AGGREGATOR_DB": str(tmp_path / "campaigns.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0

    everything = assert_valid_atom(
        run_cli("--config", str(config), "feed", "--limit", "500", env=env).stdout
    )
    assert len(everything.findall(f"{ATOM}entry")) == len(ITEMS)  # the re-publication is not new

    result = run_cli(
        "--config", str(config), "feed", "--campaign", CAMPAIGN, "--limit", "500", env=env
    )
    root = assert_valid_atom(result.stdout)
    entries = root.findall(f"{ATOM}entry")
    expected = sorted(item.title for item, entry in ITEMS if entry["label"])
    assert sorted(e.findtext(f"{ATOM}title") for e in entries) == expected
    assert (
        root.find(f"{ATOM}link[@rel='self']")
        .get("href")
        .endswith(f"/feeds/campaigns/{CAMPAIGN}.atom")
    )
    for entry in entries:
        [category] = entry.findall(f"{ATOM}category[@term='{CAMPAIGN}']")
        assert category.get("label") == "Aktionswoche der kommunalen Jobcenter 2019"

    # each member of a joint release links to the four others
    joint_titles = {item.title: entry["joint"] for item, entry in ITEMS if entry.get("joint")}
    links_of = {
        e.findtext(f"{ATOM}title"): e.find(f"{ATOM}link[@rel='alternate']").get("href")
        for e in entries
    }
    for entry in entries:
        title = entry.findtext(f"{ATOM}title")
        links = entry.findall(f"{ATOM}link[@rel='related']")
        related = {link.get("href") for link in links if link.get("type") == "text/html"}
        groups = [link.get("href") for link in links if link.get("type") == "application/atom+xml"]
        if title in joint_titles:
            [group] = groups  # and one link to the feed of the whole group
            assert "/feeds/groups/g-" in group
            partners = {
                links_of[t]
                for t, j in joint_titles.items()
                if j == joint_titles[title] and t != title
            }
            assert related == partners, title
        else:
            assert not related and not groups, title


def test_campaigns_test_explains_near_misses_and_rules_are_retuned_without_refetch(
    site, tmp_path, write_config
):
    serve_corpus(site)
    config = write_config(config_text(site))
    env = {"AGGREGATOR_DB": str(tmp_path / "campaigns.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0

    explained = run_cli("--config", str(config), "campaigns", "test", CAMPAIGN, env=env)
    text = explained.stdout.decode()
    assert explained.returncode == 0
    assert "Near misses" in text
    near = text[text.index("Near misses") :]
    assert "Aktionswoche Alkohol: Weniger ist besser" in near
    assert "excluded by none: 'Aktionswoche Alkohol'" in near

    # the operator loosens the rules: no refetch, and the campaign grows at once
    requests_before = len(site.requests)
    loose = """campaigns:
  - id: aktionswoche-2019
    title: "Aktionswoche der kommunalen Jobcenter 2019"
    window: {start: 2019-08-19, end: 2019-09-06}
    match:
      any: ["Aktionswoche*"]"""
    write_config(config_text(site, loose))
    listed = run_cli("--config", str(config), "campaigns", "list", env=env)
    row = next(line for line in listed.stdout.decode().splitlines() if CAMPAIGN in line)
    loose_count = sum(
        1
        for item, _ in ITEMS
        if "aktionswoche" in (item.title + item.summary_text).lower().replace("-\n", "")
        and "2019-08-19" <= item.published.date().isoformat() <= "2019-09-06"
    )
    assert f" {loose_count} " in row
    assert len(site.requests) == requests_before
    unknown = run_cli("--config", str(config), "campaigns", "test", "gibt-es-nicht", env=env)
    assert unknown.returncode == 2 and "unknown campaign" in unknown.stderr.decode()
