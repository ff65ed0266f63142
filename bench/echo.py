"""Media resonance on labelled texts: `python -m bench.echo [--texts FILE] [--append]`.

The releases and newspaper articles (tests/data/echo_texts.yaml by default: written for this
project after the patterns regional papers show — full reprints, reports in their own words
around quoted sentences, short notices, and look-alikes) are read by the echo finder
(aggregator.classify.echo). Reported per pattern: precision and recall of the links from
articles to the releases they echo (a link is one article-release pair), and whether the
articles about the campaign without a release are told apart. Targets (issue 35):
precision >= 0.95, recall >= 0.9.
"""

from __future__ import annotations

import argparse
from datetime import datetime, time
from pathlib import Path
from typing import Any

import yaml

from aggregator.classify.echo import Article, EchoFinder, Release, names_the_campaign
from aggregator.core.time import BERLIN
from bench.results import append, machine

ROOT = Path(__file__).parent.parent
TEXTS = ROOT / "tests" / "data" / "echo_texts.yaml"


def _moment(day: Any) -> datetime:
    return datetime.combine(day, time(10), tzinfo=BERLIN)


def releases(data: dict[str, Any]) -> list[Release]:
    return [
        Release(r["source"], r["key"], r["title"], r["text"], _moment(r["date"]), tuple(r["names"]))
        for r in data["releases"]
    ]


def articles(data: dict[str, Any]) -> list[tuple[Article, dict[str, Any]]]:
    return [
        (Article(a["paper"], a["title"], a["text"], _moment(a["date"])), a)
        for a in data["articles"]
    ]


def pattern(entry: dict[str, Any]) -> str:
    """reprint, report (own words around quotes), notice, look-alike or coverage."""
    return str(entry["pattern"])


def measure(path: Path) -> tuple[str, float, float]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    finder = EchoFinder(releases(data))
    rows: dict[str, list[int]] = {}  # per pattern: articles, right links, links, expected
    total = [0, 0, 0]  # true links found, links found, true links
    wrong: list[str] = []
    coverage_right = coverage_all = 0  # labelled campaign coverage, and found so
    for article, entry in articles(data):
        found = {echo.key for echo in finder.echoes(article)}
        expected = set(entry["echoes"])
        hits = len(found & expected)
        row = rows.setdefault(pattern(entry), [0, 0, 0, 0])
        row[0] += 1
        row[1] += hits
        row[2] += len(found)
        row[3] += len(expected)
        total = [total[0] + hits, total[1] + len(found), total[2] + len(expected)]
        if found != expected:
            wrong.append(
                f"{article.paper}: {article.title!r} found {sorted(found)}, "
                f"expected {sorted(expected)}"
            )
        if entry.get("coverage"):
            coverage_all += 1
            coverage_right += not found and names_the_campaign(article)
    lines = [
        "| pattern | articles | links found | right | expected | precision | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (count, right, links, labelled) in sorted(rows.items()):
        precision = right / links if links else 1.0
        recall = right / labelled if labelled else 1.0
        lines.append(
            f"| {name} | {count} | {links} | {right} | {labelled} | "
            f"{precision:.2f} | {recall:.2f} |"
        )
    precision = total[0] / total[1] if total[1] else 1.0
    recall = total[0] / total[2] if total[2] else 1.0
    lines.append(
        f"| **all** | {sum(r[0] for r in rows.values())} | {total[1]} | {total[0]} | "
        f"{total[2]} | {precision:.2f} | {recall:.2f} |"
    )
    lines.append(
        f"\nArticles about the campaign without a release, told apart as its "
        f"coverage: {coverage_right} of {coverage_all}."
    )
    if wrong:
        lines.append("\nNot as labelled:\n" + "\n".join(f"- {w}" for w in wrong))
    return "\n".join(lines), precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=Path, default=TEXTS)
    parser.add_argument("--append", metavar="LABEL", default=None)
    args = parser.parse_args()
    table, _, _ = measure(args.texts)
    print(table)
    if args.append:
        stamp = datetime.now(BERLIN).strftime("%Y-%m-%d %H:%M")
        append("results-echo.md", f"## {stamp} – {args.append}\n\n{machine()}\n\n{table}\n")


if __name__ == "__main__":
    main()
