"""The whole pipeline as a user runs it: `aggregator fetch`, then `aggregator feed`."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.siteserver import Route

FEED_SOURCES = {
    "spree-neisse": ("BB", "feeds/spree-neisse-rss2.xml"),
    "hoexter": ("NW", "feeds/hoexter-cp1252.xml"),
    "offenbach": ("HE", "feeds/stadt-atom.atom"),
    "nordwest": ("NI", "feeds/kreis-rss1.rdf"),
    "suedost": ("BY", "feeds/kreis-nodates.xml"),
    "altbau": ("RP", "feeds/kreis-rss091.xml"),
    "altform": ("SL", "feeds/kreis-atom03.xml"),
    "kaputt": ("TH", "kaputt/rss.xml"),
}
EXPECTED_ENTRIES = 13  # every fixture item once; the repeated GUID in kreis-nodates counts once


def config_for(site, sources: dict[str, tuple[str, str]]) -> str:
    lines = ["version: 1", "defaults:", "  timeout: 5s", "  host_delay: 0s", "sources:"]
    for source_id, (land, path) in sources.items():
        lines += [
            f"  - id: {source_id}",
            f"    name: Jobcenter {source_id.title()}",
            f"    publisher: Pressestelle {source_id.title()}",
            f"    land: {land}",
            "    kind: landkreis",
            f"    homepage: {site.url(source_id + '/')}",
            f"    feeds: [{site.url(path)}]",
        ]
    return "\n".join(lines) + "\n"


def fetch_and_render(site, tmp_path: Path, config: Path) -> tuple[etree._Element, str]:
    env = {"AGGREGATOR_DB": str(tmp_path / "e2e.db")}
    fetched = run_cli("--config", str(config), "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr.decode()
    out = tmp_path / "combined.atom"
    rendered = run_cli("--config", str(config), "feed", "--out", str(out), env=env)
    assert rendered.returncode == 0, rendered.stderr.decode()
    return assert_valid_atom(out.read_bytes()), fetched.stdout.decode()


def test_fetch_then_feed_end_to_end(site, tmp_path, write_config):
    site.routes["/kaputt/rss.xml"] = Route(status=500)
    config = write_config(config_for(site, FEED_SOURCES))
    root, report = fetch_and_render(site, tmp_path, config)

    assert "kaputt" in report and "HTTP 500" in report
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == EXPECTED_ENTRIES
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert len(set(titles)) == len(titles)
    assert "Jobcenter Kreis Höxter öffnet seine Türen – „Stark. Sozial. Vor Ort“" in titles
    assert "Straßensperrung in Döbern: Brückenprüfung an der K 7115" in titles

    by_title = {e.findtext(f"{ATOM}title"): e for e in entries}
    seed = by_title[
        "Pressemitteilung Nr. 175/2019 – Bundesweite Aktionswoche der kommunalen Jobcenter "
        "im Jobcenter Spree-Neiße"
    ]
    assert seed.findtext(f"{ATOM}published") == "2019-08-28T09:15:00+02:00"
    assert "utm_" not in seed.find(f"{ATOM}link").get("href")
    blaualgen = by_title["Gesundheitsamt warnt vor Blaualgen im Badesee"]
    assert blaualgen.findtext(f"{ATOM}published") == "2019-08-15T00:00:00+02:00"

    document = etree.tostring(root, encoding="unicode")
    assert "<script" not in document and "&lt;script" not in document
    assert "onerror" not in document and "javascript:" not in document
    for entry in entries:
        source = entry.find(f"{ATOM}source")
        assert source is not None and source.findtext(f"{ATOM}title").startswith("Jobcenter ")
    published = [e.findtext(f"{ATOM}published") for e in entries]
    dated = [p for p in published if not p.startswith("20" + "2")]  # guessed dates are 'now'
    assert dated == sorted(dated, reverse=True)


def test_second_fetch_is_all_conditional_and_adds_nothing(site, tmp_path, write_config):
    sources = {k: v for k, v in FEED_SOURCES.items() if k != "kaputt"}
    config = write_config(config_for(site, sources))
    env = {"AGGREGATOR_DB": str(tmp_path / "e2e.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    before = len(site.requests)
    second = run_cli("--config", str(config), "fetch", env=env)
    assert second.returncode == 0
    repeat = site.page_requests(before)
    assert len(repeat) == len(sources)
    assert all(r.status == 304 for r in repeat)
    assert "0 new items" in second.stdout.decode()
    out = run_cli("--config", str(config), "feed", "--out", "-", env=env)
    assert len(assert_valid_atom(out.stdout).findall(f"{ATOM}entry")) == EXPECTED_ENTRIES


def test_config_error_prints_file_line_and_source_and_exits_2(tmp_path, write_config):
    config = write_config(
        "version: 1\nsources:\n  - id: spree-neisse\n"
        "    name: X\n    land: XX\n    kind: landkreis\n"
    )
    result = run_cli("--config", str(config), "sources", "validate")
    assert result.returncode == 2
    message = result.stderr.decode()
    assert f"{config}:5:" in message and "[source spree-neisse]" in message
    assert "Traceback" not in message
    fetched = run_cli(
        "--config", str(config), "fetch", env={"AGGREGATOR_DB": str(tmp_path / "x.db")}
    )
    assert fetched.returncode == 2 and "Traceback" not in fetched.stderr.decode()


def test_environment_variables_set_config_and_db(site, tmp_path, write_config):
    config = write_config(config_for(site, {"spree-neisse": FEED_SOURCES["spree-neisse"]}))
    db = tmp_path / "via-env.db"
    result = run_cli("fetch", env={"AGGREGATOR_CONFIG": str(config), "AGGREGATOR_DB": str(db)})
    assert result.returncode == 0, result.stderr.decode()
    assert db.exists()
    valid = run_cli("sources", "validate", env={"AGGREGATOR_CONFIG": str(config)})
    assert valid.returncode == 0 and "valid" in valid.stdout.decode()


def test_every_subcommand_has_help():
    for args in (
        ["--help"],
        ["fetch", "--help"],
        ["feed", "--help"],
        ["sources", "validate", "--help"],
    ):
        result = run_cli(*args)
        assert result.returncode == 0 and b"Usage:" in result.stdout


def test_feed_out_directory_writes_every_feed_as_static_files(site, tmp_path, write_config):
    config = write_config(
        config_for(site, {k: v for k, v in FEED_SOURCES.items() if k != "kaputt"})
    )
    env = {"AGGREGATOR_DB": str(tmp_path / "static.db")}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    out = tmp_path / "public"
    result = run_cli(
        "--config",
        str(config),
        "--base-url",
        "https://presse.example.org",
        "feed",
        "--out",
        f"{out}/",
        env=env,
    )
    assert result.returncode == 0, result.stderr.decode()
    everything = assert_valid_atom((out / "feeds/all.atom").read_bytes())
    assert len(everything.findall(f"{ATOM}entry")) == EXPECTED_ENTRIES
    self_link = everything.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "https://presse.example.org/feeds/all.atom"
    for source_id, (land, _) in FEED_SOURCES.items():
        if source_id != "kaputt":
            assert_valid_atom((out / f"feeds/sources/{source_id}.atom").read_bytes())
            assert (out / f"feeds/laender/{land}.atom").exists()
    assert b"<opml" in (out / "sources.opml").read_bytes()
    assert not list(out.rglob("*.tmp"))  # written atomically


def test_a_second_fetch_process_does_not_ask_for_robots_txt_again(site, tmp_path, write_config):
    """cron starts a new process each time: robots.txt read by the last one holds for a
    day (RFC 9309), and what it forbids stays forbidden."""
    site.routes["/robots.txt"] = Route(body=b"User-agent: *\nDisallow: /altbau/\n")
    sources = dict(FEED_SOURCES, altbau=("RP", "altbau/rss.xml"))
    config = write_config(config_for(site, {k: sources[k] for k in ("spree-neisse", "altbau")}))
    env = {"AGGREGATOR_DB": str(tmp_path / "cron.db")}
    for run in (["fetch"], ["fetch", "--force"]):  # --force: past the disallowed one's backoff
        done = run_cli("--config", str(config), *run, env=env)
        assert done.returncode == 0, done.stderr.decode()
        assert "robots.txt disallows" in done.stdout.decode(), run
    asked = [request.path for request in site.requests]
    assert asked.count("/robots.txt") == 1
    assert asked.count("/feeds/spree-neisse-rss2.xml") == 2 and "/altbau/rss.xml" not in asked
