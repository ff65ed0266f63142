"""`aggregator demo`: the sample press offices and the service, end to end, as a newcomer
starts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import yaml

from aggregator.config.loader import load_config
from aggregator.demo.loopback import free_port
from aggregator.demo.sites import CORPUS_PATH, build_sites, demo_config, load_offices
from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.service import wait_for, walk_archives
from tests.paths import ROOT

CORPUS = yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))
SEED = "Pressemitteilung Nr. 175/2019 – Bundesweite Aktionswoche der kommunalen Jobcenter"


def test_demo_runs_the_whole_product_offline(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    env["PYTHONPATH"] = str(ROOT)
    log = (tmp_path / "demo.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aggregator",
            "demo",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "demo"),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 20, "the demo")
        everything = len(CORPUS["items"])
        wait_for(lambda: len(walk_archives(base, "all.atom")) == everything, 60, "all releases")

        campaign = assert_valid_atom(
            httpx.get(f"{base}/feeds/campaigns/aktionswoche-2019.atom").content
        )
        titles = sorted(e.findtext(f"{ATOM}title") for e in campaign.findall(f"{ATOM}entry"))
        assert titles == sorted(item["title"] for item in CORPUS["items"] if item["label"])
        assert any(title.startswith(SEED) for title in titles)

        dashboard = httpx.get(f"{base}/").text
        assert SEED in dashboard
        for discovered in ("offenbach", "kassel-landkreis"):  # only a homepage in the config
            feed = httpx.get(f"{base}/feeds/sources/{discovered}.atom").content
            assert assert_valid_atom(feed).findall(f"{ATOM}entry"), discovered
        data = tmp_path / "demo"  # the command the demo prints reloads it
        reload = subprocess.run(
            [
                sys.executable,
                "-m",
                "aggregator",
                "--config",
                str(data / "sources.yaml"),
                "--db",
                str(data / "demo.db"),
                "reload",
            ],
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert reload.returncode == 0, reload.stderr.decode()
        wait_for(lambda: "reloaded" in (tmp_path / "demo.log").read_text(), 20, "the reload")
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(20)
        log.close()
    assert code == 0, (tmp_path / "demo.log").read_text()
    printed = (tmp_path / "demo.log").read_text()
    assert f"Dashboard:           {base}/" in printed
    assert "reload" in printed
    assert "Traceback" not in printed
    assert (tmp_path / "demo" / "sources.yaml").exists()


def test_demo_pages_keep_their_encoding_and_every_release():
    offices = load_offices("http://127.0.0.1:1")
    pages = build_sites(offices)
    table = pages["/erlangen/presse/"]
    assert table.content_type == "text/html"  # no charset in the header: the page says it
    assert b'charset="windows-1252"' in table.body
    releases = sum(len(office.releases) for office in offices)
    details = [path for path in pages if path.endswith(".html") and "/presse/" in path]
    details += [path for path in pages if "/portal/meldungen/" in path]
    assert len(details) == releases == len(CORPUS["items"])


def test_demo_campaign_rules_are_the_registrys(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(demo_config(load_offices("http://127.0.0.1:1")), encoding="utf-8")
    demo = {c.id: c for c in load_config(path).campaigns}
    registry = {c.id: c for c in load_config(ROOT / "sources.yaml").campaigns}
    assert demo == registry  # the campaign, its phases and their rules
