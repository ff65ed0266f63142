"""CPU of storing a cold cycle alone: `python -m bench.store_cpu`.

Reads the bench farm's offices (listings and feeds, generated here, no network) into
items with the steps the workers run, computes their shingles as a refresh does before
its transaction, and then times only `Store.save_refresh` of every office into a new
database: inserting, the campaigns (none configured), near-duplicate grouping and the
band keys. Prints the median CPU time of several runs and the groups found, so that a
change to the store can be judged without the noise of a whole cycle, and the CPU of the
shingles computed before (outside the store's transaction).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from aggregator.classify.dedupe import shingle_items
from aggregator.classify.judge import CLASSIFIER
from aggregator.config.schema import PageTarget
from aggregator.core.model import Item
from aggregator.store.database import Store
from aggregator.worker.tasks import Origin, read_feed_document, read_listing_page
from bench.farm import FEED_STYLES, make_sites


def farm_items(sites: int, feeds_only: bool = False) -> dict[str, list[Item]]:
    """Each farm office's items as a cold refresh reads them, by source id."""
    port = 8000
    by_source: dict[str, list[Item]] = {}
    for site in make_sites(sites, port):
        if feeds_only and site.office.style not in FEED_STYLES:
            continue
        source_id = f"amt-{site.office.id}"
        origin = Origin(source_id, site.base + "/", datetime.now(UTC))
        url = site.target
        body = site.pages[url.split(str(port), 1)[1]][0]
        headers = {"content-type": "text/html"}
        if site.office.style in FEED_STYLES:
            items = read_feed_document(body, headers, url, origin).items
        else:
            page = read_listing_page(body, headers, url, PageTarget(url=url), None, origin)
            items = [item for _entry, item in page.found]
        by_source[source_id] = items
    return by_source


class Spent(NamedTuple):
    storing: float  # CPU-s of save_refresh of every source
    shingling: float  # CPU-s of the shingles computed before, as a refresh does
    stored: int
    grouped: int  # items in near-duplicate groups


def store_all(by_source: dict[str, list[Item]]) -> Spent:
    """CPU seconds of saving every source's items (and of shingling them before)."""
    started = time.process_time()
    prepared = {source_id: shingle_items(items) for source_id, items in by_source.items()}
    shingling = time.process_time() - started
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db", CLASSIFIER)
        try:
            started = time.process_time()
            for source_id, items in by_source.items():
                store.save_refresh(source_id, items, [], now, shingled=prepared[source_id])
            spent = time.process_time() - started
            stored = store.count_items()
            grouped = sum(1 for s in store.items(limit=None) if s.group_id)
        finally:
            store.close()
    return Spent(spent, shingling, stored, grouped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--feeds-only", action="store_true", help="only the offices' feeds")
    args = parser.parse_args()
    by_source = farm_items(args.sites, args.feeds_only)
    runs = [store_all(by_source) for _ in range(args.runs)]
    times = [run.storing for run in runs]
    stored, grouped = runs[-1].stored, runs[-1].grouped
    median = statistics.median(times)
    print(
        f"{len(by_source)} offices, {stored} items, {grouped} in near-duplicate groups: "
        f"save_refresh median {median:.2f} CPU-s of {args.runs} runs "
        f"({min(times):.2f}–{max(times):.2f}), {stored / median:.0f} items per CPU-s; "
        f"shingling them before, median {statistics.median(r.shingling for r in runs):.2f} CPU-s"
    )


if __name__ == "__main__":
    main()
