"""Media resonance end to end (issue 35, begun): a newspaper's feed on loopback, read as
coverage through `aggregator fetch`; its articles linked to the jobcenter releases they
echo, in the resonance export and the review's "Medienecho", and in no jobcenter feed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import httpx

from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.helpers.corpus import CAMPAIGN, config_text, rss, serve_corpus
from tests.helpers.service import service
from tests.siteserver import Route, SiteServer

REPRINT = (
    "Landrat besucht Jobcenter in Forst",
    "https://lr.example/forst-jobcenter",
    "lr-1",
    format_datetime(datetime(2019, 8, 29, 6, tzinfo=UTC)),
    "Forst. Der Landrat besuchte am Mittwoch den Standort Forst des Jobcenters Spree-Neiße und "
    "sprach mit Teilnehmenden eines Projekts für junge Mütter. Anlass war die bundesweite "
    "Aktionswoche der kommunalen Jobcenter.",
)
UNRELATED = (
    "Kreistag streitet über Mieten",
    "https://lr.example/kreistag",
    "lr-2",
    format_datetime(datetime(2019, 8, 29, 7, tzinfo=UTC)),
    "Im Kreistag Spree-Neiße ist ein Streit über die Richtwerte für die Kosten der Unterkunft "
    "entbrannt; das Jobcenter müsse die Mieten realistischer bewerten.",
)


def _config(site: SiteServer, tmp_path: Path) -> Path:
    site.routes["/lr/rss.xml"] = Route(body=rss("lr", [REPRINT, UNRELATED]))
    config = tmp_path / "sources.yaml"
    config.write_text(
        config_text(site)
        + "press:\n"
        + "  - {id: lausitzer-rundschau, name: Lausitzer Rundschau, laender: [BB], "
        + f"feeds: ['{site.url('lr/rss.xml')}']}}\n",
        encoding="utf-8",
    )
    return config


def test_a_paper_echoing_a_release_is_in_the_resonance_and_in_no_jobcenter_feed(
    site: SiteServer, tmp_path: Path
) -> None:
    serve_corpus(site)
    config = _config(site, tmp_path)
    env = {"AGGREGATOR_DB": str(tmp_path / "echo.db")}
    fetched = run_cli("--config", str(config), "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr.decode()

    out = tmp_path / "medienecho.csv"
    done = run_cli(
        "--config", str(config), "export", CAMPAIGN, "--resonance", "--out", str(out), env=env
    )
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig")), delimiter=";"))
    assert [(r["Zeitung"], r["Link"]) for r in rows] == [
        ("Lausitzer Rundschau", "https://lr.example/forst-jobcenter")
    ]  # the Kreistag story mentions the jobcenter and echoes nothing
    [row] = rows
    assert row["Jobcenter"] == "Landkreis Spree-Neiße"
    assert row["Meldung"].startswith("Pressemitteilung Nr. 175/2019")
    assert "of the release's text (weighted) in the article" in row["Belege"]
    assert "compared with the article's teaser only" in row["Belege"]  # the feed's teaser

    everything = run_cli("--config", str(config), "feed", "--limit", "500", env=env)
    links = {
        e.find(f"{ATOM}link").get("href")
        for e in assert_valid_atom(everything.stdout).iter(f"{ATOM}entry")  # type: ignore[union-attr]
    }
    assert not any(link.startswith("https://lr.example/") for link in links)

    static = tmp_path / "site"
    written = run_cli(
        "--config",
        str(config),
        "--base-url",
        "https://monitor.example",
        "feed",
        "--out",
        f"{static}/",
        env=env,
    )
    assert written.returncode == 0, written.stderr.decode()
    coverage = assert_valid_atom(
        (static / "feeds" / "campaigns" / CAMPAIGN / "presse.atom").read_bytes()
    )
    covered = [e.find(f"{ATOM}link").get("href") for e in coverage.iter(f"{ATOM}entry")]  # type: ignore[union-attr]
    assert covered == ["https://lr.example/forst-jobcenter"]
    assert coverage.find(f"{ATOM}entry/{ATOM}source/{ATOM}title").text == "Lausitzer Rundschau"  # type: ignore[union-attr]

    page = tmp_path / "review.html"
    assert (
        run_cli("--config", str(config), "review", CAMPAIGN, "--out", str(page), env=env).returncode
        == 0
    )
    review = page.read_text("utf-8")
    assert "Medienecho" in review and "Lausitzer Rundschau" in review
    assert 'href="https://lr.example/forst-jobcenter"' in review
    assert '<th scope="row">Brandenburg</th><td>1</td><td>1</td>' in review  # per Land

    with service(config, tmp_path / "echo.db") as (base, _):  # the service serves the same
        dashboard = httpx.get(f"{base}/").text
        assert "Presse: 1" in dashboard and f"/campaigns/{CAMPAIGN}/resonance.xlsx" in dashboard
        served = httpx.get(f"{base}/campaigns/{CAMPAIGN}/resonance.csv")
        assert served.status_code == 200 and "https://lr.example/forst-jobcenter" in served.text
        assert "medienecho.csv" in served.headers["content-disposition"]
