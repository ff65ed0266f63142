"""The fast feed reader against feedparser, over feedparser's own test feeds:
`python -m bench.feeds_diff [--append]`.

The source distribution of the installed feedparser holds its test suite: some two
thousand small feeds of every dialect and every oddity its authors met. Each goes
through both readers and through normalising, as a refresh would; the items must be the
same wherever the fast reader accepts the document (where it declines, feedparser reads it
anyway). Counted: documents read fast, declined, items compared, documents whose items
differ (named), and exceptions other than a ParseError, on either path. The distribution
is downloaded into bench/.cache by pip, once; CI never runs this.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import feedparser

from aggregator.core.model import Entry, Item
from aggregator.errors import ParseError
from aggregator.normalize.entries import normalize_entry
from aggregator.parse import fastfeed
from aggregator.parse.feeds import drop_forbidden_references, parse_feed
from bench.results import append, machine

CACHE = Path(__file__).parent / ".cache"
URL = "http://example.org/feeds/test.xml"
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
SUFFIXES = (".xml", ".rdf", ".rss", ".atom")
TYPES = ("application/xml", "application/rss+xml", "application/atom+xml", "text/xml")


@dataclass
class Tally:
    documents: int = 0
    fast: int = 0
    declined: int = 0
    items: int = 0
    differing: list[str] = field(default_factory=list)
    raised: list[str] = field(default_factory=list)


def test_feeds() -> list[tuple[str, bytes]]:
    """(name, bytes) of every test feed in the installed feedparser's distribution."""
    version = feedparser.__version__
    archive = CACHE / f"feedparser-{version}.tar.gz"
    if not archive.exists():
        CACHE.mkdir(exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"feedparser=={version}",
                "-d",
                str(CACHE),
            ],
            check=True,
        )
    feeds = []
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if member.isfile() and "tests" in parts and member.name.endswith(SUFFIXES):
                extracted = tar.extractfile(member)
                if extracted is not None:
                    feeds.append(("/".join(parts[1:]), extracted.read()))
    return sorted(feeds)


def _items(entries: list[Entry], base: str) -> list[Item | None]:
    return [
        normalize_entry(e, source_id="s", base_url=base, fetched_from=URL, now=NOW)[0]
        for e in entries
    ]


def compare(name: str, body: bytes, content_type: str, tally: Tally) -> None:
    headers = {"Content-Type": content_type}
    try:
        read = fastfeed.read_well_formed(drop_forbidden_references(body), headers, URL)
        fast = _items(*read) if read else None
    except Exception as exc:  # what the benchmark is here to find
        tally.raised.append(f"{name} (fast, {content_type}): {type(exc).__name__}: {exc}")
        return
    os.environ[fastfeed.FEEDPARSER_ONLY] = "1"
    try:
        reference = _items(*parse_feed(body, headers, URL))
    except ParseError:
        reference = None
    except Exception as exc:
        tally.raised.append(f"{name} (feedparser, {content_type}): {type(exc).__name__}: {exc}")
        return
    finally:
        del os.environ[fastfeed.FEEDPARSER_ONLY]
    if fast is None:
        tally.declined += 1
        return
    tally.fast += 1
    tally.items += len(fast)
    if fast != reference:
        tally.differing.append(f"{name} ({content_type})")


def run() -> Tally:
    tally = Tally()
    for name, body in test_feeds():
        for content_type in TYPES:
            tally.documents += 1
            compare(name, body, content_type, tally)
    return tally


def report(tally: Tally) -> str:
    lines = [
        f"## Fast reader vs feedparser {feedparser.__version__}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({machine()})",
        "",
        f"- documents (test feeds × {len(TYPES)} content types): {tally.documents}",
        f"- read by the fast reader: {tally.fast} ({tally.items} items compared); "
        f"declined to feedparser: {tally.declined}",
        f"- documents whose items differ: {len(tally.differing)}",
        f"- exceptions other than ParseError: {len(tally.raised)}",
    ]
    lines += [f"  - differs: {name}" for name in tally.differing[:50]]
    lines += [f"  - raised: {text[:200]}" for text in tally.raised[:50]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--append", action="store_true", help="add to bench/results-feeds.md")
    args = parser.parse_args()
    text = report(run())
    print(text)
    if args.append:
        append("results-feeds.md", text)


if __name__ == "__main__":
    main()
