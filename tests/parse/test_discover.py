import yaml
from bs4 import BeautifulSoup

from aggregator.config.loader import parse_config
from aggregator.parse.discover import advertised_feeds, candidate_feed_urls, propose_page
from tests.helpers.checks import present
from tests.helpers.cli import run_cli
from tests.helpers.sites import fixture_bytes
from tests.listing_expectations import SPREE_NEISSE_PAGE, TYPO3_PAGE
from tests.siteserver import Route

UTF8 = {"Content-Type": "text/html; charset=utf-8"}


def test_advertised_feeds_resolve_against_base_href():
    soup = BeautifulSoup(fixture_bytes(TYPO3_PAGE), "lxml")
    [feed] = advertised_feeds(soup, "https://www.kreis-offenbach.example/aktuelles/")
    assert (
        feed.url
        == "https://www.kreis-offenbach.example/presse/typo3-news/aktuelles/pressemitteilungen/?type=9818"
    )
    assert feed.kind == "rss" and feed.title == "Pressemitteilungen des Kreises Offenbach"


def test_candidate_feed_urls_know_typo3_and_wordpress():
    typo3 = BeautifulSoup(fixture_bytes(TYPO3_PAGE), "lxml")
    candidates = candidate_feed_urls("https://lk.example/presse/?x=1", typo3)
    assert candidates[:2] == [
        "https://lk.example/presse/?type=9818",
        "https://lk.example/presse/?type=100",
    ]
    assert (
        "https://lk.example/presse/feed/" in candidates and "https://lk.example/feed/" in candidates
    )


def test_proposal_prefers_the_fitting_preset_else_the_heuristic():
    typo3 = present(propose_page(fixture_bytes(TYPO3_PAGE), UTF8, "https://lk.example/presse/"))
    assert typo3.entry == {"url": "https://lk.example/presse/", "preset": "typo3-news"}
    assert typo3.dated == 4
    joomla = present(
        propose_page(fixture_bytes(SPREE_NEISSE_PAGE), UTF8, "https://lk.example/presse/")
    )
    assert joomla.entry == {"url": "https://lk.example/presse/"}
    assert joomla.how.startswith("heuristic: guessed 3 items")
    assert (
        propose_page(b"<html><body><p>Baustelle</p></body></html>", UTF8, "https://e.de/") is None
    )


def paste_into_config(output: str) -> None:
    """The printed YAML must be valid under a source in sources.yaml."""
    fragment = yaml.safe_load(output)
    source = {"id": "probe", "name": "Probe", "land": "HE", "kind": "landkreis", **fragment}
    parse_config(yaml.safe_dump({"version": 1, "sources": [source]}))


def discover(url: str, write_config):
    quick = write_config("version: 1\ndefaults: {host_delay: 0s}\n", "quick.yaml")
    return run_cli("--config", str(quick), "sources", "discover", url)


def test_discover_command_prints_yaml_ready_to_paste(site, write_config):
    result = discover(site.url(TYPO3_PAGE), write_config)
    assert result.returncode == 0, result.stderr.decode()
    output = result.stdout.decode()
    assert "advertises rss feed" in output
    paste_into_config(output)
    assert yaml.safe_load(output)["feeds"] == [site.url(TYPO3_PAGE) + "?type=9818"]


def test_discover_finds_a_feed_at_a_common_place(site, write_config):
    site.routes["/presse/wp/aktuelles/feed/"] = Route(
        headers={"Content-Type": "application/rss+xml"}
    )
    result = discover(site.url("presse/wp/aktuelles/"), write_config)
    output = result.stdout.decode()
    assert "feed found at a common place" in output
    fragment = yaml.safe_load(output)
    assert fragment["feeds"] == [site.url("presse/wp/aktuelles/feed/")]
    assert fragment["pages"] == [
        {"url": site.url("presse/wp/aktuelles/"), "preset": "generic-article"}
    ]
    paste_into_config(output)


def test_discover_of_an_unreachable_page_says_why(site, write_config):
    result = discover(site.url("gibt-es-nicht.html"), write_config)
    assert result.returncode == 1
    assert "HTTP 404" in result.stderr.decode() and "Traceback" not in result.stderr.decode()


def test_presets_command_lists_every_preset():
    result = run_cli("sources", "presets")
    text = result.stdout.decode()
    for name in (
        "ikiss",
        "typo3-news",
        "weblication",
        "nolis",
        "archive-by-month",
        "generic-article",
    ):
        assert name in text
