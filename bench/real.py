"""Extraction quality on real pages nobody here wrote: `python -m bench.real DIR`.

DIR is a folder of real pages and feeds with a `truth.json` (../shared/data/real-pages).
Each case goes through the real pipeline as an operator would run it: a loopback server
serves the file at its original path, a sources.yaml names only its URL (`pages:` for
a listing, `homepage:` for a homepage, `feeds:` for a feed), `aggregator fetch` and
`aggregator feed` run as processes, and what they stored is compared with the truth.
Detail pages are read by the detail extractor directly. Results are printed and, with
`--append`, added to bench/results-real.md.

Matching: by link (path and query on the case's own host, whichever host served it),
else by normalised title; one found item matches at most one expected item.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from aggregator.core.time import BERLIN
from aggregator.demo.loopback import Answer, LoopbackSite
from aggregator.normalize.entries import canonical_url
from aggregator.parse.detail import extract_detail
from aggregator.parse.pages import without_listing_state
from bench.results import machine

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "results-real.md"
TYPES = {".xml": "application/rss+xml", ".html": "text/html"}
ATOM = "{http://www.w3.org/2005/Atom}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("…", "").replace("...", "")
    return " ".join(text.split()).strip(" .-–")


@dataclass
class Found:
    title: str
    link: str | None
    date: str | None  # Berlin date, YYYY-MM-DD
    guessed: bool


@dataclass
class Score:
    case: str
    kind: str
    expected: int
    found: int = 0
    matched: int = 0
    titles: int = 0
    dated: int = 0  # expected items with a date on the listing
    dates: int = 0  # ... whose date was read right
    invented: int = 0  # undated items given a date that is not flagged as a guess
    reference_dates: int = 0  # detail pages: dates htmldate reads right
    method: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else (1.0 if not self.expected else 0.0)


def _key(link: str | None, hosts: set[str]) -> str | None:
    if not link:
        return None
    canonical = without_listing_state(canonical_url(link))
    parts = urlsplit(canonical)
    return _path(canonical) if parts.netloc in hosts else canonical


def score_items(case: dict[str, Any], found: list[Found], origin: str, method: str) -> Score:
    expected = case.get("items") or []
    hosts = {urlsplit(case["url"]).netloc, urlsplit(origin).netloc}
    score = Score(case["file"], case["kind"], len(expected), len(found), method=method)
    unmatched = list(found)
    for item in expected:
        link, title = _key(item["link"], hosts), _fold(item["title"])
        match = next((f for f in unmatched if link and _key(f.link, hosts) == link), None)
        match = match or next((f for f in unmatched if _fold(f.title) == title), None)
        if match is None:
            score.notes.append(f"missed: {item['title'][:70]}")
            continue
        unmatched.remove(match)
        score.matched += 1
        shown = _fold(match.title)
        if shown == title:
            score.titles += 1
        else:
            score.notes.append(f"title {match.title[:50]!r} for {item['title'][:50]!r}")
        if item["date"]:
            score.dated += 1
            if match.date == item["date"] and not match.guessed:
                score.dates += 1
            else:
                score.notes.append(f"date {match.date} for {item['date']}: {item['title'][:40]}")
        elif not match.guessed:
            score.invented += 1
            score.notes.append(f"invented date {match.date}: {item['title'][:50]}")
    for extra in unmatched[:5]:
        score.notes.append(f"extra: {extra.title[:70]}")
    return score


def _config(case: dict[str, Any], url: str) -> str:
    target = {
        "homepage": f"    homepage: {url}\n",
        "feed": f"    feeds: ['{url}']\n",
    }.get(case["kind"], f"    pages:\n      - url: '{url}'\n")
    return (
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - id: case\n    name: Real Case\n    land: BB\n    kind: landkreis\n" + target
    )


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args], capture_output=True, env=env, timeout=300
    )


def _berlin_day(stored: str) -> str:
    return datetime.fromisoformat(stored).astimezone(BERLIN).date().isoformat()


class _Files(LoopbackSite):
    """Serves each case's bytes at its original path and query; 404 for anything else."""

    def __init__(self) -> None:
        self.files: dict[str, Answer] = {}
        super().__init__(lambda path: self.files.get(path))


def run_case(case: dict[str, Any], body: bytes, server: _Files, work: Path) -> Score:
    url = server.base + _path(case["url"])
    kind = TYPES.get(Path(case["file"]).suffix, "text/html")
    server.files = {_path(case["url"]): Answer(body, kind)}
    config, db = work / f"{Path(case['file']).stem}.yaml", work / f"{Path(case['file']).stem}.db"
    config.write_text(_config(case, url), encoding="utf-8")
    fetched = _cli("--config", str(config), "--db", str(db), "fetch")
    written = _cli("--config", str(config), "--db", str(db), "feed", "--limit", "100000")
    problems = []
    if fetched.returncode != 0:
        problems.append(f"fetch exited {fetched.returncode}: {fetched.stderr.decode()[-300:]}")
    try:
        entries = len(etree.fromstring(written.stdout).findall(f"{ATOM}entry"))
    except etree.XMLSyntaxError as exc:
        entries = -1
        problems.append(f"feed not XML: {exc}")
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT title, url, published, date_is_guess FROM items").fetchall()
        messages = [m for (m,) in conn.execute("SELECT last_message FROM fetch_state") if m]
    found = [
        Found(title, link, _berlin_day(published), bool(guessed))
        for title, link, published, guessed in rows
    ]
    method = "; ".join(messages)[:120]
    score = score_items(case, found, server.base, method)
    if entries != len(found):
        problems.append(f"feed has {entries} entries, store {len(found)}")
    score.notes = problems + score.notes
    return score


def htmldate_date(body: bytes, url: str) -> str | None:
    """The publication date htmldate (the reference library, in the bench extra) reads,
    or None where it finds none or is not installed."""
    try:
        from htmldate import find_date
    except ImportError:
        return None
    found = find_date(
        body.decode("utf-8", "replace"), url=url, original_date=True, outputformat="%Y-%m-%d"
    )
    return str(found) if found else None


def run_detail(case: dict[str, Any], body: bytes) -> Score:
    truth = case["detail"]
    detail = extract_detail(body, {"content-type": "text/html"}, case["url"])
    score = Score(case["file"], "detail", 1, 1, method="detail extractor")
    date = detail.published.astimezone(BERLIN).date().isoformat() if detail.published else None
    text = etree.tostring(
        etree.fromstring(f"<div>{detail.content_html or ''}</div>", etree.HTMLParser()),
        method="text",
        encoding="unicode",
    )
    score.matched = int(truth["body_phrase"] in " ".join(text.split()))
    score.dated, score.dates = 1, int(date == truth["date"])
    score.titles = score.matched
    reference = htmldate_date(body, case["url"])
    score.reference_dates = int(reference == truth["date"])
    score.method = (
        f"detail extractor, dated by {detail.dated_by or 'nothing'}; "
        f"htmldate: {reference or 'none'}"
    )
    if not score.matched:
        score.notes.append(f"body lacks {truth['body_phrase']!r}; starts {text.strip()[:80]!r}")
    if not score.dates:
        score.notes.append(f"date {date} for {truth['date']}")
    return score


def table(scores: list[Score]) -> str:
    lines = [
        "| case | kind | expected | found | recall | precision | titles | dates | invented |"
        " method |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        titles = f"{s.titles}/{s.matched}" if s.matched else "–"
        dates = f"{s.dates}/{s.dated}" if s.dated else "–"
        lines.append(
            f"| {Path(s.case).name} | {s.kind} | {s.expected} | {s.found} | {s.recall:.2f} | "
            f"{s.precision:.2f} | {titles} | {dates} | {s.invented} | {s.method} |"
        )
    listing = [s for s in scores if s.kind != "detail"]
    expected = sum(s.expected for s in listing)
    found, matched = sum(s.found for s in listing), sum(s.matched for s in listing)
    titled = sum(s.titles for s in listing)
    dated, dates_right = sum(s.dated for s in listing), sum(s.dates for s in listing)
    lines.append(
        f"| **all but detail pages** | | {expected} | {found} | {matched / expected:.2f} | "
        f"{matched / found if found else 0:.2f} | {titled}/{matched} | {dates_right}/{dated} | "
        f"{sum(s.invented for s in listing)} | mean recall per case "
        f"{sum(s.recall for s in listing) / len(listing):.2f} |"
    )
    details = [s for s in scores if s.kind == "detail"]
    if details:
        lines.append(
            f"| **detail pages** | | {len(details)} | | text {sum(s.matched for s in details)}"
            f"/{len(details)} | | | {sum(s.dates for s in details)}/{len(details)} | | "
            f"htmldate {sum(s.reference_dates for s in details)}/{len(details)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--append", metavar="LABEL", help="add the results to results-real.md")
    parser.add_argument("--notes", action="store_true", help="print what was missed and why")
    args = parser.parse_args(argv)
    truth = json.loads((args.folder / "truth.json").read_text(encoding="utf-8"))
    server = _Files().start()
    scores = []
    with tempfile.TemporaryDirectory() as work:
        for case in truth["cases"]:
            body = (args.folder / case["file"]).read_bytes()
            if case["kind"] == "detail":
                scores.append(run_detail(case, body))
            else:
                scores.append(run_case(case, body, server, Path(work)))
    server.stop()
    report = table(scores)
    print(report)
    if args.notes:
        for score in scores:
            for note in score.notes:
                print(f"{Path(score.case).name}: {note}")
    if args.append:
        stamp = datetime.now(UTC).astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(f"\n## {stamp} – {args.append}\n\n{machine()}; {args.folder.name}\n\n")
            handle.write(report + "\n")


if __name__ == "__main__":
    main()
