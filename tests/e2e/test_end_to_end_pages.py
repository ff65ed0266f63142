"""Listing pages through the real pipeline: `aggregator fetch` against loopback press sites."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from urllib.parse import unquote

from lxml import etree

from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.listing_expectations import (
    ARCHIVE_PAGE,
    ARCHIVE_PAGE_2,
    CARDS_PAGE,
    CARDS_PAGE_2,
    EXPECTED,
    IKISS_PAGE,
    IKISS_PAGE_2,
    NOLIS_PAGE,
    NOLIS_PAGE_2,
    RELAUNCH_PAGE,
    SPREE_NEISSE_PAGE,
    TABLE_PAGE,
    TABLE_PAGE_2,
    TYPO3_PAGE,
    TYPO3_PAGE_2,
    WEBLICATION_PAGE,
    WEBLICATION_PAGE_2,
)
from tests.siteserver import Route


def source(source_id: str, land: str, pages: list[str], feeds: Sequence[str] = ()) -> str:
    lines = [
        f"  - id: {source_id}",
        f"    name: Jobcenter {source_id.title()}",
        f"    land: {land}",
        "    kind: landkreis",
    ]
    if feeds:
        lines.append(f"    feeds: [{', '.join(feeds)}]")
    lines.append("    pages:")
    lines += [f"      - {page}" for page in pages]
    return "\n".join(lines)


def config_text(site) -> str:
    u = site.url
    sources = [
        source("vorpommern-ruegen", "MV", [f"{{url: '{u(IKISS_PAGE)}', preset: ikiss}}"]),
        source(
            "offenbach",
            "HE",
            [f"{{url: '{u(TYPO3_PAGE)}', preset: typo3-news, follow: true}}"],
            feeds=[f"'{u(TYPO3_PAGE)}?type=9818'"],
        ),
        source("goettingen", "NI", [f"{{url: '{u(WEBLICATION_PAGE)}'}}"]),
        source("emsland", "NI", [f"{{url: '{u(NOLIS_PAGE)}', preset: nolis}}"]),
        source(
            "erlangen",
            "BY",
            [f"{{url: '{u(ARCHIVE_PAGE)}', preset: archive-by-month, max_pages: 2}}"],
        ),
        source("ortenaukreis", "BW", [f"{{url: '{u(CARDS_PAGE)}'}}"]),
        source("hameln-pyrmont", "NI", [f"{{url: '{u(TABLE_PAGE)}', preset: generic-article}}"]),
        source("spree-neisse", "BB", [f"{{url: '{u(SPREE_NEISSE_PAGE)}'}}"]),
        source("relaunch", "HE", [f"{{url: '{u(RELAUNCH_PAGE)}', preset: typo3-news}}"]),
        source(
            "relaunch-selectors",
            "HE",
            [f"{{url: '{u(RELAUNCH_PAGE)}?sel', items: 'div.news-list-item'}}"],
        ),
    ]
    defaults = "defaults: {timeout: 5s, host_delay: 0s}"
    return f"version: 1\n{defaults}\nsources:\n" + "\n".join(sources) + "\n"


PAGES_REACHED = [
    IKISS_PAGE,
    IKISS_PAGE_2,
    TYPO3_PAGE,
    TYPO3_PAGE_2,
    WEBLICATION_PAGE,
    WEBLICATION_PAGE_2,
    NOLIS_PAGE,
    NOLIS_PAGE_2,
    ARCHIVE_PAGE,
    ARCHIVE_PAGE_2,
    CARDS_PAGE,
    CARDS_PAGE_2,
    TABLE_PAGE,
    TABLE_PAGE_2,
    SPREE_NEISSE_PAGE,
]
PAGE_3_ITEM = (
    "Sommerfest im Kreishaus",
    "/de/aktuelles/pressemitteilungen/sommerfest-kreishaus.php",
)


def run(site, tmp_path, write_config):
    config = write_config(config_text(site))
    env = {"AGGREGATOR_DB": str(tmp_path / "pages.db")}
    fetched = run_cli("--config", str(config), "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr.decode()
    out = run_cli("--config", str(config), "feed", "--limit", "500", "--out", "-", env=env)
    assert out.returncode == 0, out.stderr.decode()
    return (
        config,
        env,
        fetched.stdout.decode() + fetched.stderr.decode(),
        assert_valid_atom(out.stdout),
    )


def entries_by_link(root: etree._Element, base: str) -> dict[str, list[etree._Element]]:
    found: dict[str, list[etree._Element]] = {}
    for entry in root.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link").get("href").removeprefix(base)
        found.setdefault(link, []).append(entry)
    return found


def test_listing_pages_end_to_end(site, tmp_path, write_config):
    _, env, report, root = run(site, tmp_path, write_config)
    by_link = entries_by_link(root, site.base)

    for page in PAGES_REACHED:
        for title, link, published in EXPECTED[page]:
            assert len(by_link.get(link, [])) == 1, f"{title!r} from {page} not present once"
            entry = by_link[link][0]
            assert entry.findtext(f"{ATOM}title") == title
            if page != TYPO3_PAGE:  # the feed's exact times win for the two releases it has
                assert entry.findtext(f"{ATOM}published") == published

    # pagination is followed to max_pages (3 by default; 2 for erlangen) and no further
    assert PAGE_3_ITEM[1] in by_link
    assert not site.requests_to("presse/archiv/pressemitteilungen/2019/juni/index.php")
    weblication = [r.path for r in site.requests_to(WEBLICATION_PAGE)]
    assert len(weblication) == 3 and not any("wListPage=4" in p for p in weblication)

    # the same release in the feed and on the listing page is one entry, with the feed's time
    # and the detail page's full text (follow: true)
    [pro_arbeit] = by_link[
        "/presse/typo3-news/aktuelles/pressemitteilungen/details/news-pro-arbeit-aktionswoche-2019"
    ]
    assert pro_arbeit.findtext(f"{ATOM}published") == "2019-08-23T10:12:00+02:00"
    assert "Hilfe aus einer Hand" in pro_arbeit.findtext(f"{ATOM}content")
    # a detail page that fails (404 here) leaves the listing item intact
    assert by_link["/presse/typo3-news/aktuelles/pressemitteilungen/details/news-kita-fachberatung"]

    # umlauts of a windows-1252 page whose header claims UTF-8
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert "Bundesweite Aktionswoche der kommunalen Jobcenter im Jobcenter Spree-Neiße" in titles

    # changed markup under explicit selectors is a source error, not an empty success;
    # guessing is said
    assert "selectors matched 0 items" in report
    assert "heuristic: guessed 3 items" in report
    with sqlite3.connect(env["AGGREGATOR_DB"]) as db:
        [(message,)] = db.execute(
            "SELECT last_message FROM fetch_state WHERE url = ?", (site.url(SPREE_NEISSE_PAGE),)
        ).fetchall()
        assert message.startswith("heuristic: guessed 3 items in ")
        # a pinned preset that matches nothing after a relaunch: read without it, and said
        [(status, message)] = db.execute(
            "SELECT last_status, last_message FROM fetch_state WHERE source_id = 'relaunch'"
        ).fetchall()
        assert status == "ok" and "(preset typo3-news matched nothing)" in message
        [(status,)] = db.execute(
            "SELECT last_status FROM fetch_state WHERE source_id = 'relaunch-selectors'"
        ).fetchall()
        assert status == "error"
    assert "preset typo3-news matches nothing on this page" in report
    assert by_link["/presse/typo3-news/aktuelles/pressemitteilungen/details/news-herbstmarkt"]


def test_second_refresh_of_listing_pages_is_conditional_and_adds_nothing(
    site, tmp_path, write_config
):
    config, env, _, _ = run(site, tmp_path, write_config)
    before = len(site.requests)
    again = run_cli("--config", str(config), "fetch", env=env)
    assert again.returncode == 0
    second = site.page_requests(before)
    # one conditional request per first listing page and feed; nothing else is fetched
    assert all(r.status == 304 for r in second)
    # one per first listing page and feed (10, the relaunched page read without its preset)
    assert len(second) == 10 and any("relaunch" in r.path for r in second)
    assert "0 new items" in again.stdout.decode()


def test_worker_processes_store_exactly_what_inline_parsing_stores(site, tmp_path, write_config):
    """`workers` moves parsing into other processes; the stored items must not notice."""
    stored = {}
    for workers in (0, 2):
        text = config_text(site).replace("host_delay: 0s}", f"host_delay: 0s, workers: {workers}}}")
        config = write_config(text)
        env = {"AGGREGATOR_DB": str(tmp_path / f"workers-{workers}.db")}
        assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
        with sqlite3.connect(env["AGGREGATOR_DB"]) as db:
            stored[workers] = db.execute(
                "SELECT source_id, key, url, title, summary_html, content_html, published, "
                "date_is_guess, fingerprint, shingles, group_id FROM items "
                "LEFT JOIN item_shingles USING (seq, source_id, published) ORDER BY source_id, key"
            ).fetchall()
    assert len(stored[0]) > 40
    assert stored[2] == stored[0]


def fetch_with(site, tmp_path, config):
    env = {"AGGREGATOR_DB": str(tmp_path / "pages.db")}
    result = run_cli("--config", str(config), "fetch", env=env)
    assert result.returncode == 0, result.stderr.decode()
    return sqlite3.connect(env["AGGREGATOR_DB"])


def test_listing_without_dates_takes_them_from_detail_pages(site, tmp_path, write_config):
    config = write_config(
        "version: 1\ndefaults: {host_delay: 0s}\nsources:\n  - id: ohnedatum\n"
        "    name: Landkreis Ohnedatum\n"
        "    land: ST\n    kind: landkreis\n    pages:\n"
        f"      - {{url: '{site.url('presse/ohne-datum/')}', items: 'ul.pm-liste > li'}}\n"
    )
    with fetch_with(site, tmp_path, config) as db:
        rows = dict(
            (url.rsplit("/", 1)[-1], (published, guess))
            for url, published, guess in db.execute(
                "SELECT url, published, date_is_guess FROM items"
            )
        )
    assert rows["pm-2019-081.html"] == ("2019-08-26T08:30:00.000000+00:00", 0)  # 10:30 Berlin
    assert rows["pm-2019-080.html"] == ("2019-08-19T22:00:00.000000+00:00", 0)
    assert rows["pm-2019-079.html"][1] == 1  # its detail page is gone: first seen, flagged
    before = len(site.requests)
    fetch_with(site, tmp_path, config).close()
    assert [r.status for r in site.page_requests(before)] == [304]  # nothing fetched twice


def test_detail_pages_are_fetched_once_per_new_item(site, tmp_path, write_config):
    page = site.url(TYPO3_PAGE)
    config = write_config(
        "version: 1\ndefaults: {host_delay: 0s}\nsources:\n  - id: offenbach\n"
        "    name: Kreis Offenbach\n"
        "    land: HE\n    kind: landkreis\n    pages:\n"
        f"      - {{url: '{page}', preset: typo3-news, follow: true}}\n"
    )
    fetch_with(site, tmp_path, config).close()
    details = [r for r in site.requests if "/details/" in r.path or "[news]=" in unquote(r.path)]
    assert len(details) == 6  # four items on page 1, two on page 2

    original = (site.root / TYPO3_PAGE / "index.html").read_text(encoding="utf-8")
    new_article = """<div class="article articletype-0">
        <div class="header"><h3><a href="aktuelles/pressemitteilungen/details/news-jobmesse">
        <span itemprop="headline">Jobmesse im Kreishaus</span></a></h3></div>
        <div class="footer"><time datetime="2019-08-30">30.08.2019</time></div></div>"""
    changed = original.replace(
        '<div class="article articletype-0 topnews"',
        new_article + '<div class="article articletype-0 topnews"',
    )
    site.routes["/" + TYPO3_PAGE] = Route(
        body=changed.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    before = len(site.requests)
    with fetch_with(site, tmp_path, config) as db:
        titles = [t for (t,) in db.execute("SELECT title FROM items")]
    second = site.page_requests(before)
    assert [r.path.rsplit("/", 1)[-1] for r in second if "/details/" in r.path] == ["news-jobmesse"]
    assert not any("currentPage" in r.path for r in second)  # caught up on page 1
    assert "Jobmesse im Kreishaus" in titles and len(titles) == 7
