"""`aggregator sources check`: every source probed once, bounded in time, nothing stored."""

from __future__ import annotations

import json
import time

from aggregator.core.kinds import Failure
from aggregator.pipeline.check import CHECK_URL, FINE, PIN_LISTING, CheckRow, reason, to_do
from tests.helpers.cli import run_cli
from tests.siteserver import Route


def check_config(site, write_config) -> str:
    u = site.url
    text = f"""version: 1
defaults: {{interval: 30m, host_delay: 0s, timeout: 20s}}
sources:
  - id: mit-feed
    name: Landkreis Spree-Neiße
    land: BB
    kind: landkreis
    ags: "12071"
    homepage: {u("startseiten/stadt/")}
    feeds: ["{u("feeds/spree-neisse-rss2.xml")}"]
  - id: nur-startseite
    name: Kreis Beispiel
    land: HE
    kind: landkreis
    homepage: {u("startseiten/kreis/")}
  - id: ohne-namen
    name: Landkreis Nirgendwo
    land: NI
    kind: landkreis
    homepage: https://www.landkreis-nirgendwo.invalid/
  - id: kaputt
    name: Landkreis Kaputt
    land: SL
    kind: landkreis
    feeds: ["{u("kaputt/rss.xml")}"]
  - id: langsam
    name: Landkreis Langsam
    land: SN
    kind: landkreis
    feeds: ["{u("langsam/rss.xml")}"]
  - id: abgeschaltet
    name: Landkreis Aus
    land: TH
    kind: landkreis
    enabled: false
"""
    return str(write_config(text))


def test_check_reports_every_source_within_the_time_limit(site, write_config, tmp_path):
    site.routes["/kaputt/rss.xml"] = Route(status=500)
    site.routes["/langsam/rss.xml"] = Route(delay=30)
    config = check_config(site, write_config)
    db = tmp_path / "untouched.db"
    started = time.monotonic()
    result = run_cli(
        "--config", config, "--db", str(db), "sources", "check", "--time-limit", "4", "--json"
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr.decode()
    assert elapsed < 20  # the slow source is cut off, not waited for
    document = json.loads(result.stdout)
    rows = {row["source_id"]: row for row in document["sources"]}
    assert set(rows) == {"mit-feed", "nur-startseite", "ohne-namen", "kaputt", "langsam"}

    assert rows["mit-feed"]["result"] == "ok" and rows["mit-feed"]["items"] >= 3
    assert rows["mit-feed"]["ags"] == "12071" and rows["kaputt"]["ags"] is None
    assert rows["mit-feed"]["homepage_status"] == "ok"
    assert rows["mit-feed"]["newest"].startswith("2019-08-28")
    assert rows["mit-feed"]["targets"] == "configured: 1 feed(s), 0 page(s)"
    assert rows["nur-startseite"]["targets"] == "discovered: 1 feed(s), 1 page(s)"
    assert rows["nur-startseite"]["items"] > 0
    assert rows["ohne-namen"]["result"] == "unreachable (DNS)"
    assert rows["ohne-namen"]["homepage_status"] == "unreachable (DNS)"
    assert rows["kaputt"]["result"] == "HTTP 500"
    assert rows["langsam"]["result"] == "not finished in time"

    summary = document["summary"]
    assert summary["checked"] == 5
    assert summary["with_items"] == 2
    assert summary["recent"] == 0  # the sample items are from 2019
    assert summary["failing"] == {
        "unreachable (DNS)": 1,
        "HTTP 500": 1,
        "not finished in time": 1,
    }
    # the first check on a connected machine is a short to-do list
    assert summary["to_do"] == {
        CHECK_URL: ["kaputt", "langsam", "ohne-namen"],
        FINE: ["mit-feed", "nur-startseite"],
    }
    assert not db.exists()  # a check stores nothing


def test_check_prints_a_table_and_summary(site, write_config, tmp_path):
    site.routes["/kaputt/rss.xml"] = Route(status=500)
    site.routes["/langsam/rss.xml"] = Route(status=404)
    config = check_config(site, write_config)
    result = run_cli("--config", config, "--db", str(tmp_path / "t.db"), "sources", "check")
    text = result.stdout.decode()
    assert "Source check" in text
    assert "5 sources checked: 4 reachable, 2 with items, 0 with items in the last 90 days" in text
    assert "not ok: " in text and "unreachable (DNS) 1" in text and "HTTP 404 1" in text
    assert "Traceback" not in result.stderr.decode()
    assert "To do:" in text and f"{CHECK_URL}: kaputt, langsam, ohne-namen" in text
    assert f"{FINE}: 2 sources" in text


def test_a_reachable_source_without_anything_found_is_to_pin_a_listing():
    def row(source_id: str, result: str, items: int = 0) -> CheckRow:
        return CheckRow(
            source_id, source_id, "BB", None, None, "ok", "none found", items, None, result
        )

    rows = [
        row("a", "no press targets found"),
        row("b", "no items recognised"),
        row("c", "HTTP 404"),
        row("d", "ok", 3),
        row("e", "timeout"),
    ]
    assert to_do(rows) == {CHECK_URL: ["c", "e"], PIN_LISTING: ["a", "b"], FINE: ["d"]}


def test_reasons_group_failures():
    """From the failure's kind and the status it was answered with, never its message."""
    assert reason(Failure.DNS) == "unreachable (DNS)"
    assert reason(Failure.HTTP_STATUS, 503) == "HTTP 503"
    assert reason(Failure.GONE, 410) == "HTTP 410"
    assert reason(Failure.NOTHING_FOUND) == "no press targets found"
