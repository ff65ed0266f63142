"""CPU of zero-config listing extraction alone: `python -m bench.listing_cpu`.

Reads the bench farm's listing pages (its CMS styles, read without configuration) with
the pure step the workers run (reading.read_listing_page) and prints the median CPU
time of several runs and the items found. Counts instructions' worth of work without a
network, so a change to the heuristic can be judged in seconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from aggregator.config.schema import PageTarget
from aggregator.worker.tasks import Origin, read_listing_page
from bench.farm import make_sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    port = 8000
    documents = []
    for site in make_sites(args.sites, port):
        if site.target != site.office.listing:
            continue  # a feed
        path = site.office.listing.split(str(port), 1)[1]
        documents.append((site.pages[path][0], site.office.listing))
    origin = Origin("bench", "http://bench/", datetime.now(UTC))
    times, items = [], 0
    for _ in range(args.runs):
        started = time.process_time()
        items = sum(
            len(
                read_listing_page(
                    body, {"content-type": "text/html"}, url, PageTarget(url=url), None, origin
                ).found
            )
            for body, url in documents
        )
        times.append(time.process_time() - started)
    median = statistics.median(times)
    print(
        f"{len(documents)} listing pages, {items} items: median {median:.3f} CPU-s of "
        f"{args.runs} runs ({min(times):.3f}–{max(times):.3f}), "
        f"{items / median:.0f} items per CPU-s"
    )


if __name__ == "__main__":
    main()
