"""Sources with only a homepage: press targets discovered, stored, used and re-checked."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from urllib.parse import urlsplit

import yaml
from bs4 import BeautifulSoup

from aggregator.classify.judge import CLASSIFIER
from aggregator.cli.app import EXIT_ALL_FAILED
from aggregator.config.loader import load_config
from aggregator.fetch.client import Fetcher
from aggregator.parse.discover import press_links
from aggregator.pipeline.refresh import refresh_source, utc_now
from aggregator.store.database import Store
from tests.helpers.cli import run_cli
from tests.listing_expectations import EXPECTED, IKISS_PAGE, TYPO3_PAGE

KREIS = "startseiten/kreis/"
STADT = "startseiten/stadt/"
OHNE_PRESSE = "startseiten/gemeinde/"


def homepage_config(site, write_config, *homepages: tuple[str, str], hints=()) -> str:
    lines = ["version: 1", "defaults: {interval: 30m, host_delay: 0s}", "sources:"]
    for source_id, path in homepages:
        lines += [
            f"  - id: {source_id}",
            f"    name: Landkreis {source_id.title()}",
            "    land: HE",
            "    kind: landkreis",
            f"    homepage: {site.url(path)}",
        ]
        if hints:
            lines.append(f"    hints: [{', '.join(site.url(hint) for hint in hints)}]")
    return str(write_config("\n".join(lines) + "\n"))


def titles(db: str, source_id: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT title FROM items WHERE source_id = ?", (source_id,))
        return {row[0] for row in rows}


def test_press_links_rank_labels_and_stay_on_the_host():
    html = """<nav>
      <a href="/aktuelles/">Aktuelles</a>
      <a href="https://presseportal.example.org/kreis/">Presse</a>
      <a href="/presse/pm/#inhalt">  Pressemitteilungen </a>
      <a href="/presse/pm/">Pressemitteilungen</a>
      <a href="/kontakt/">Kontakt</a>
      <a href="mailto:presse@example.org">Presse</a>
      <a href="/archiv/" title="Pressearchiv"><img src="a.png" alt=""></a>
    </nav>"""
    soup = BeautifulSoup(html, "lxml")
    links = press_links(soup, "https://www.kreis.example/start/")
    assert links == [
        "https://www.kreis.example/presse/pm/",
        "https://www.kreis.example/archiv/",
        "https://www.kreis.example/aktuelles/",
    ]


def test_homepage_leads_to_the_press_listing_and_its_feed(site, write_config, tmp_path):
    config = homepage_config(site, write_config, ("beispiel", KREIS))
    db = str(tmp_path / "a.db")
    result = run_cli("--config", config, "--db", db, "fetch")
    assert result.returncode == 0, result.stderr.decode()
    expected_titles = {title for title, _link, _date in EXPECTED[TYPO3_PAGE]}
    assert expected_titles <= titles(db, "beispiel")
    assert not site.requests_to("/presseportal")  # another host: never followed

    status = run_cli("--config", config, "--db", db, "sources", "status").stdout.decode()
    assert "Press targets discovered from homepages" in status
    assert f"page {site.url(TYPO3_PAGE)} (typo3-news)" in status
    assert f"feed {site.url(TYPO3_PAGE)}?type=9818" in status

    pinned = run_cli("--config", config, "--db", db, "sources", "discover", "beispiel")
    fragment = yaml.safe_load(pinned.stdout.decode())
    assert fragment == {
        "feeds": [site.url(TYPO3_PAGE) + "?type=9818"],
        "pages": [{"url": site.url(TYPO3_PAGE), "preset": "typo3-news"}],
    }
    assert pinned.stdout.decode().startswith("# beispiel: discovered ")


def test_discovery_is_stored_and_rechecked_weekly(site, write_config, tmp_path):
    config = load_config(homepage_config(site, write_config, ("beispiel", KREIS)))
    store = Store(tmp_path / "b.db", CLASSIFIER)
    source = config.sources[0]

    async def refresh(days_later: int) -> None:
        async with Fetcher(config.defaults) as fetcher:
            now = utc_now() + timedelta(days=days_later)
            await refresh_source(source, config, fetcher, store, clock=lambda: now)

    asyncio.run(refresh(0))
    asyncio.run(refresh(1))
    assert len(site.requests_to("/startseiten/kreis/")) == 1  # the stored targets served
    assert len(site.requests_to("/presse/typo3-news/aktuelles/pressemitteilungen/")) >= 2
    asyncio.run(refresh(8))
    assert len(site.requests_to("/startseiten/kreis/")) == 2  # a week on: looked again
    store.close()


def test_advertised_feed_on_the_homepage_is_used(site, write_config, tmp_path):
    config = homepage_config(site, write_config, ("stadt", STADT))
    db = str(tmp_path / "c.db")
    assert run_cli("--config", config, "--db", db, "fetch").returncode == 0
    assert any("Aktionswoche" in title for title in titles(db, "stadt"))
    pinned = yaml.safe_load(
        run_cli("--config", config, "--db", db, "sources", "discover", "stadt").stdout
    )
    assert pinned == {"feeds": [site.url("feeds/spree-neisse-rss2.xml")]}


def test_homepage_without_press_targets_is_reported_not_fatal(site, write_config, tmp_path):
    config = homepage_config(site, write_config, ("ohnepresse", OHNE_PRESSE), ("stadt", STADT))
    db = str(tmp_path / "d.db")
    result = run_cli("--config", config, "--db", db, "fetch")
    assert result.returncode == 0
    assert titles(db, "stadt")  # the other source is unaffected
    status = run_cli("--config", config, "--db", db, "sources", "status").stdout.decode()
    line = next(line for line in status.splitlines() if " ohnepresse " in line)
    assert "no feed or press listing found" in line
    assert "add feeds: or pages:" in status
    requested = {request.path.split("?")[0] for request in site.requests}
    gemeinde = [path for path in requested if path.startswith("/startseiten/gemeinde")]
    assert len(gemeinde) <= 1 + 4  # the homepage and a handful of feed guesses, no crawl


def test_unreachable_homepage_backs_off_and_names_the_reason(site, write_config, tmp_path):
    config = homepage_config(site, write_config, ("weg", "startseiten/gibt-es-nicht/"))
    db = str(tmp_path / "e.db")
    # its only source failed: exit 5
    assert run_cli("--config", config, "--db", db, "fetch").returncode == EXIT_ALL_FAILED
    status = run_cli("--config", config, "--db", db, "sources", "status").stdout.decode()
    assert "discovery: " in status and "HTTP 404" in status
    assert run_cli("--config", config, "--db", db, "fetch").returncode == 0  # backing off
    assert len(site.requests_to("/startseiten/gibt-es-nicht/")) == 1  # backing off


def test_a_new_homepage_in_sources_yaml_is_discovered_anew(site, write_config, tmp_path):
    db = str(tmp_path / "moved.db")
    config = homepage_config(site, write_config, ("beispiel", KREIS))
    assert run_cli("--config", config, "--db", db, "fetch").returncode == 0
    first = run_cli("--config", config, "--db", db, "sources", "discover", "beispiel")
    assert site.url(TYPO3_PAGE) in first.stdout.decode()

    # the operator corrects the homepage: the targets found from the old one are not
    # kept for a week, the new homepage is read at the next refresh
    config = homepage_config(site, write_config, ("beispiel", STADT))
    requests = len(site.requests_to("/" + STADT))
    assert run_cli("--config", config, "--db", db, "fetch").returncode == 0
    assert len(site.requests_to("/" + STADT)) == requests + 1
    again = run_cli("--config", config, "--db", db, "sources", "discover", "beispiel")
    assert f"from {site.url(STADT)}" in again.stdout.decode()
    assert site.url(TYPO3_PAGE) not in again.stdout.decode()


def test_a_hinted_listing_is_read_first_and_saves_the_search(site, write_config, tmp_path):
    """An inferred listing (hints:) that reads as a dated list is the source's listing;
    the homepage is still read for its feeds, its press links are not followed."""
    config = homepage_config(site, write_config, ("beispiel", KREIS), hints=[IKISS_PAGE])
    db = str(tmp_path / "hinted.db")
    before = len(site.requests)
    assert run_cli("--config", config, "--db", db, "fetch").returncode == 0
    assert {title for title, _link, _date in EXPECTED[IKISS_PAGE]} <= titles(db, "beispiel")
    paths = [urlsplit(request.path).path for request in site.page_requests(before)]
    assert "/" + KREIS in paths  # read for its feeds
    assert "/" + TYPO3_PAGE not in paths  # its press link not followed
    pinned = run_cli("--config", config, "--db", db, "sources", "discover", "beispiel")
    assert yaml.safe_load(pinned.stdout)["pages"] == [
        {"url": site.url(IKISS_PAGE), "preset": "ikiss"}
    ]


def test_a_hint_that_fails_leaves_discovery_to_the_homepage(site, write_config, tmp_path):
    missing = "presse/vermutet/pressemitteilungen/"
    config = homepage_config(site, write_config, ("beispiel", KREIS), hints=[missing])
    db = str(tmp_path / "hint-missing.db")
    before = len(site.requests_to("/" + missing))
    fetched = run_cli("--config", config, "--db", db, "fetch")
    assert fetched.returncode == 0
    assert len(site.requests_to("/" + missing)) == before + 1
    report = fetched.stdout.decode() + fetched.stderr.decode()
    assert f"beispiel: hint {site.url(missing)} is no listing" in report.replace("\n", "")
    pinned = run_cli("--config", config, "--db", db, "sources", "discover", "beispiel")
    assert yaml.safe_load(pinned.stdout)["pages"] == [
        {"url": site.url(TYPO3_PAGE), "preset": "typo3-news"}
    ]


def test_new_hints_in_sources_yaml_mean_discovering_anew(site, write_config, tmp_path):
    db = str(tmp_path / "rehinted.db")
    config = homepage_config(site, write_config, ("beispiel", KREIS))
    assert run_cli("--config", config, "--db", db, "fetch").returncode == 0
    config = homepage_config(site, write_config, ("beispiel", KREIS), hints=[IKISS_PAGE])
    assert run_cli("--config", config, "--db", db, "fetch").returncode == 0
    assert {title for title, _link, _date in EXPECTED[IKISS_PAGE]} <= titles(db, "beispiel")
