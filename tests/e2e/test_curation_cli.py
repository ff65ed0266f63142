"""Editors' decisions through the CLI (issue 32): `aggregator curate` takes an item out of
a campaign, into it, corrects a title, and every output follows: the campaign feed, the
export, the review; `campaigns test` shows the person's decision beside the rules; a
refresh never undoes it; `curate undo` does."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path

from tests.helpers.atom import ATOM, assert_valid_atom
from tests.helpers.cli import run_cli
from tests.helpers.corpus import CAMPAIGN, ITEMS, config_text, serve_corpus
from tests.siteserver import SiteServer


def _link(item_key: str, source_id: str) -> str:
    return f"https://{source_id}.example/presse/{item_key.rsplit('/', 1)[-1]}.html"


CAMPAIGN_ITEM = next(
    _link(i.key, i.source_id) for i, e in ITEMS if e["label"] and not e.get("joint")
)
OTHER_ITEM = next(_link(i.key, i.source_id) for i, e in ITEMS if not e["label"])


def _cli(config: Path, env: dict[str, str], *args: str, code: int = 0) -> str:
    done = run_cli("--config", str(config), *args, env=env)
    assert done.returncode == code, (args, done.stdout.decode(), done.stderr.decode())
    said: str = done.stdout.decode() + done.stderr.decode()
    return said


def _feed(config: Path, env: dict[str, str]) -> dict[str, str]:
    """The campaign feed's entries: link -> title."""
    done = run_cli(
        "--config", str(config), "feed", "--campaign", CAMPAIGN, "--limit", "500", env=env
    )
    root = assert_valid_atom(done.stdout)
    return {
        e.find(f"{ATOM}link[@rel='alternate']").get("href"): e.findtext(f"{ATOM}title")  # type: ignore[union-attr]
        for e in root.iter(f"{ATOM}entry")
    }


def _fetched_corpus(site: SiteServer, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The demo's corpus served and fetched once: its sources.yaml and the CLI's env."""
    serve_corpus(site)
    config = tmp_path / "sources.yaml"
    config.write_text(config_text(site), encoding="utf-8")
    env = {"AGGREGATOR_DB": str(tmp_path / "c.db")}
    _cli(config, env, "fetch")
    return config, env


def _exported(config: Path, env: dict[str, str], tmp_path: Path) -> list[dict[str, str]]:
    target = tmp_path / "export.csv"
    _cli(config, env, "export", CAMPAIGN, "--out", str(target))
    return list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))


def test_decisions_flow_into_every_output_and_outlast_refreshes(
    site: SiteServer, tmp_path: Path
) -> None:
    config, env = _fetched_corpus(site, tmp_path)
    assert CAMPAIGN_ITEM in _feed(config, env) and OTHER_ITEM not in _feed(config, env)

    said = _cli(
        config,
        env,
        "curate",
        "exclude",
        CAMPAIGN,
        CAMPAIGN_ITEM,
        "--reason",
        "kein Bezug zur Aktionswoche",
        "--by",
        "anna",
    )
    decision = re.search(r"decision #(\d+)", said)
    assert decision is not None
    _cli(
        config,
        env,
        "curate",
        "include",
        CAMPAIGN,
        OTHER_ITEM,
        "--reason",
        "gehört dazu",
        "--by",
        "ben",
    )
    _cli(
        config,
        env,
        "curate",
        "title",
        OTHER_ITEM,
        "Aktionstag im Jobcenter",
        "--reason",
        "Titel der Quelle nichtssagend",
        "--by",
        "ben",
    )
    _cli(config, env, "fetch")  # a refresh changes none of it

    shown = _feed(config, env)
    assert CAMPAIGN_ITEM not in shown
    assert shown[OTHER_ITEM] == "Aktionstag im Jobcenter"
    rows = {row["Link"]: row for row in _exported(config, env, tmp_path)}
    assert CAMPAIGN_ITEM not in rows
    assert rows[OTHER_ITEM]["Erkannt durch"] == "von ben aufgenommen: gehört dazu"
    page = tmp_path / "review.html"
    _cli(config, env, "review", CAMPAIGN, "--out", str(page))
    review = page.read_text("utf-8")
    assert CAMPAIGN_ITEM not in review and "Aktionstag im Jobcenter" in review

    tested = _cli(config, env, "campaigns", "test", CAMPAIGN)
    assert "editor: taken out by anna" in tested  # beside the rules' match
    assert "Taken in by editors" in tested
    log = _cli(config, env, "curate", "log", CAMPAIGN)
    assert "kein Bezug zur" in log and "anna" in log and "ben" in log

    _cli(config, env, "curate", "undo", decision.group(1), "--by", "anna")
    assert CAMPAIGN_ITEM in _feed(config, env)
    row = next(
        line
        for line in _cli(config, env, "curate", "log").splitlines()
        if line.startswith(f"│ {decision.group(1)} ")
    )
    assert re.search(r"anna, \d\d\.\d\d\.\d{4}", row)  # undone by anna: kept in the log
    refused = _cli(config, env, "curate", "undo", decision.group(1), "--by", "anna", code=2)
    assert "undone already" in refused


def test_a_decision_needs_a_reason_a_known_campaign_and_a_stored_item(
    site: SiteServer, tmp_path: Path
) -> None:
    config, env = _fetched_corpus(site, tmp_path)
    base = ("curate", "exclude")
    assert "needs a reason" in _cli(
        config, env, *base, CAMPAIGN, CAMPAIGN_ITEM, "--reason", " ", "--by", "anna", code=2
    )
    assert "unknown campaign" in _cli(
        config, env, *base, "nope", CAMPAIGN_ITEM, "--reason", "x", "--by", "anna", code=2
    )
    assert "no stored item" in _cli(
        config, env, *base, CAMPAIGN, "https://x.example/", "--reason", "x", "--by", "anna", code=2
    )
    assert "not a date" in _cli(
        config,
        env,
        "curate",
        "date",
        CAMPAIGN_ITEM,
        "gestern",
        "--reason",
        "x",
        "--by",
        "anna",
        code=2,
    )


FORGOTTEN = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Jobcenter Spree-Neiße: Frühstück für Arbeitgeber</title></head><body><main><article>
<h1>Frühstück für Arbeitgeber</h1>
<p class="datum">Pressemitteilung vom 28.08.2019</p>
<p>Das Jobcenter lud Arbeitgeber der Region zu einem Frühstück ein, um über
Fördermöglichkeiten bei Einstellungen zu sprechen.</p>
</article></main></body></html>"""


def test_an_editor_adds_a_release_the_pages_did_not_yield(site: SiteServer, tmp_path: Path) -> None:
    from tests.siteserver import Route

    site.routes["/spree-neisse/presse/vergessen.html"] = Route(
        body=FORGOTTEN.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    config, env = _fetched_corpus(site, tmp_path)
    url = site.url("spree-neisse/presse/vergessen.html")
    said = _cli(
        config,
        env,
        "curate",
        "add",
        "spree-neisse",
        url,
        "--campaign",
        CAMPAIGN,
        "--reason",
        "stand nur im Amtsblatt",
        "--by",
        "anna",
    )
    added, *included = map(int, re.findall(r"#(\d+)", said))
    assert included  # the rules do not take it: the editor's inclusion does
    assert _feed(config, env)[url] == "Frühstück für Arbeitgeber"
    rows = {row["Link"]: row for row in _exported(config, env, tmp_path)}
    assert rows[url]["Datum"] == "28.08.2019"  # the date the release shows

    refused = _cli(config, env, "curate", "undo", str(added), "--by", "anna", code=2)
    assert "rests on it" in refused  # its inclusion first
    for decision in (*included, added):
        _cli(config, env, "curate", "undo", str(decision), "--by", "anna")
    assert url not in _feed(config, env)
    with sqlite3.connect(env["AGGREGATOR_DB"]) as conn:  # the addition is gone with its undo
        assert conn.execute("SELECT count(*) FROM items WHERE url = ?", (url,)).fetchone() == (0,)
        orphans = (  # nor is anything of it left where near-duplicates are looked up
            "SELECT count(*) FROM item_shingles WHERE seq NOT IN (SELECT seq FROM items)",
            "SELECT count(*) FROM item_bands_recent WHERE seq NOT IN (SELECT seq FROM items)",
        )
        assert [conn.execute(query).fetchone() for query in orphans] == [(0,), (0,)]
    internal = _cli(
        config,
        env,
        "curate",
        "add",
        "spree-neisse",
        "http://10.20.30.40/pm.html",
        "--reason",
        "x",
        "--by",
        "anna",
        code=2,
    )
    assert "could not be fetched" in internal and "10.20.30.40" in internal


def test_an_editor_splits_a_joint_release_and_merges_it_back(
    site: SiteServer, tmp_path: Path
) -> None:
    config, env = _fetched_corpus(site, tmp_path)
    joint = [_link(i.key, i.source_id) for i, e in ITEMS if e.get("joint")]
    first, second = joint[0], joint[1]

    def groups() -> dict[str, str | None]:
        with sqlite3.connect(env["AGGREGATOR_DB"]) as conn:
            return dict(
                conn.execute(
                    "SELECT url, group_id FROM items WHERE url IN (?, ?)", (first, second)
                ).fetchall()
            )

    together = groups()
    assert together[first] and together[first] == together[second]
    _cli(config, env, "curate", "split", second, "--reason", "anderer Text", "--by", "anna")
    _cli(config, env, "fetch")
    apart = groups()
    assert apart[second] is None and apart[first] == together[first]
    _cli(config, env, "curate", "merge", second, first, "--reason", "doch gleich", "--by", "anna")
    assert groups() == together
    log = _cli(config, env, "curate", "log")
    assert "split off" in log and "merged into" in log
