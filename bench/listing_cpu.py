"""CPU of zero-config listing extraction alone: `python -m bench.listing_cpu`.

Reads the bench farm's listing pages (its CMS styles, read without configuration) with
the pure step the workers run (reading.read_listing_page) and prints the median CPU
time of several runs and the items found. Counts instructions' worth of work without a
network, so a change to the heuristic can be judged in seconds.

`--instructions` counts machine instructions instead (valgrind's callgrind, about a
minute): the same count for the same code whatever else the shared machine is doing, so
two versions can be told apart by a few per cent. It runs the reading twice under
callgrind, with no page and with all, and prints the difference (start-up and imports
cancel out).
"""

from __future__ import annotations

import argparse
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aggregator.config.schema import PageTarget
from aggregator.worker.tasks import Origin, read_listing_page
from bench.farm import make_sites

Document = tuple[bytes, str]


def farm_documents(sites: int) -> list[Document]:
    """The listing pages (body, URL) of the first `sites` farm sites; feeds are left out."""
    port = 8000
    documents = []
    for site in make_sites(sites, port):
        if site.target != site.office.listing:
            continue  # a feed
        path = site.office.listing.split(str(port), 1)[1]
        documents.append((site.pages[path][0], site.office.listing))
    return documents


def read_all(documents: list[Document]) -> int:
    """Items found on all the pages."""
    origin = Origin("bench", "http://bench/", datetime.now(UTC))
    return sum(
        len(
            read_listing_page(
                body, {"content-type": "text/html"}, url, PageTarget(url=url), None, origin
            ).found
        )
        for body, url in documents
    )


def _collected(documents_file: Path, count: int) -> int:
    """Instructions of one process reading the first `count` documents of the file."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.listing_cpu",
        "--read",
        str(documents_file),
        "--count",
        str(count),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def count_instructions(documents: list[Document]) -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        documents_file = Path(folder) / "documents.pickle"
        documents_file.write_bytes(pickle.dumps(documents))
        # One page read in both runs: lazy imports of the first page cancel out too.
        base = _collected(documents_file, 1)
        total = _collected(documents_file, len(documents))
    items = read_all(documents)
    reading = total - base
    print(
        f"{len(documents)} listing pages, {items} items: {reading / 1e9:.3f} G instructions "
        f"for {len(documents) - 1} pages (callgrind, start-up and the first page subtracted)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="count with callgrind")
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)  # callgrind's child
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read is not None:
        read_all(pickle.loads(args.read.read_bytes())[: args.count])
        return
    documents = farm_documents(args.sites)
    if args.instructions:
        count_instructions(documents)
        return
    times, items = [], 0
    for _ in range(args.runs):
        started = time.process_time()
        items = read_all(documents)
        times.append(time.process_time() - started)
    median = statistics.median(times)
    print(
        f"{len(documents)} listing pages, {items} items: median {median:.3f} CPU-s of "
        f"{args.runs} runs ({min(times):.3f}–{max(times):.3f}), "
        f"{items / median:.0f} items per CPU-s"
    )


if __name__ == "__main__":
    main()
