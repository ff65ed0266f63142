"""Campaign recognition on labelled texts: `python -m bench.campaigns [--tree DIR]
[--campaigns FILE] [--texts FILE] [--append]`.

The texts (tests/data/campaign_texts.yaml by default: written for this project after the
patterns of real releases and articles) are served as one RSS feed on loopback, dated
items with their date and undated ones without, and read by `aggregator fetch` as a
process with the campaigns of a sources.yaml (the bundled one by default) — the whole
pipeline, as an operator runs it. Then per pattern: precision and recall of the campaign
(a text counts as found when it reached any campaign or phase feed), and how many found
texts went to exactly their phases. `--tree` runs another checkout of the product (an
older commit, for before-and-after figures); its own sources.yaml is used unless
`--campaigns` names one.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

from aggregator.core.time import BERLIN
from aggregator.demo.loopback import Answer, LoopbackSite
from bench.results import append, machine

ROOT = Path(__file__).parent.parent
TEXTS = ROOT / "tests" / "data" / "campaign_texts.yaml"


def feed(texts: list[dict[str, Any]]) -> bytes:
    items = []
    for text in texts:
        date = ""
        if text["date"] is not None:
            moment = datetime.combine(text["date"], time(10), tzinfo=BERLIN)
            date = f"<pubDate>{format_datetime(moment)}</pubDate>"
        items.append(
            f"<item><title>{escape(text['title'])}</title>"
            f"<link>https://kreis.example/presse/{text['id']}.html</link>{date}"
            f"<description>{escape(text['text'])}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Kreis</title>"
        "<link>https://kreis.example/</link><description>Presse</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def campaigns_section(path: Path) -> str:
    """The `campaigns:` section of a sources.yaml, as it is written there."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return yaml.safe_dump({"campaigns": data.get("campaigns", [])}, allow_unicode=True)


def run_fetch(tree: Path, campaigns: Path, texts: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Each text's id -> the campaigns and phases it was stored in."""
    site = LoopbackSite(lambda path: Answer(feed(texts), "application/rss+xml")).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / "sources.yaml"
            config.write_text(
                "version: 1\ndefaults: {host_delay: 0s}\nsources:\n"
                "  - {id: kreis, name: Landkreis Beispiel, land: BB, kind: landkreis, "
                f"feeds: ['{site.url('feed.xml')}']}}\n" + campaigns_section(campaigns),
                encoding="utf-8",
            )
            db = Path(folder) / "bench.db"
            env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
            env |= {"PYTHONPATH": str(tree), "AGGREGATOR_DB": str(db)}
            subprocess.run(
                [sys.executable, "-m", "aggregator", "--config", str(config), "fetch"],
                env=env,
                cwd=tree,
                check=True,
                capture_output=True,
            )
            with sqlite3.connect(db) as connection:
                rows = connection.execute(
                    "SELECT i.url, c.campaign_id FROM items i LEFT JOIN item_campaigns c "
                    "ON c.source_id = i.source_id AND c.key = i.key"
                ).fetchall()
    finally:
        site.stop()
    found: dict[str, set[str]] = {}
    for url, campaign_id in rows:
        text_id = url.rsplit("/", 1)[1].removesuffix(".html")
        members = found.setdefault(text_id, set())  # every stored text, in a campaign or not
        if campaign_id:
            members.add(campaign_id)
    return found


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    phases_right: int = 0

    def add(self, expected: set[str], got: set[str]) -> None:
        if expected and got:
            self.tp += 1
            self.phases_right += expected == got
        elif got:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1

    def row(self, name: str) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return (
            f"| {name} | {self.tp + self.fn} | {self.fp + self.tn} | {precision:.2f} | "
            f"{recall:.2f} | {self.phases_right}/{self.tp} |"
        )


def measure(tree: Path, campaigns: Path, texts_path: Path) -> str:
    texts = yaml.safe_load(texts_path.read_text(encoding="utf-8"))["texts"]
    found = run_fetch(tree, campaigns, texts)
    per_pattern: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    misses = []
    for text in texts:
        expected, got = set(text["in"]), found.get(text["id"], set())
        per_pattern[text["pattern"]].add(expected, got)
        total.add(expected, got)
        if bool(expected) != bool(got):
            misses.append(
                f"  - {text['id']} ({text['pattern']}): expected {sorted(expected)}, "
                f"got {sorted(got)}"
            )
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, tree {tree}, campaigns {campaigns.name} "
        f"({machine()})",
        "",
        "| pattern | campaign texts | look-alikes | precision | recall | phases exact |",
        "|---|---|---|---|---|---|",
        *(per_pattern[name].row(name) for name in sorted(per_pattern)),
        total.row("all"),
    ]
    if misses:
        lines += ["", "Wrong:", *misses]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to run")
    parser.add_argument("--campaigns", type=Path, help="a sources.yaml with campaigns")
    parser.add_argument("--texts", type=Path, default=TEXTS)
    parser.add_argument("--append", action="store_true", help="add to bench/results-campaigns.md")
    args = parser.parse_args()
    campaigns = args.campaigns or args.tree / "sources.yaml"
    report = measure(args.tree.resolve(), campaigns, args.texts)
    print(report)
    if args.append:
        append("results-campaigns.md", report)


if __name__ == "__main__":
    main()
