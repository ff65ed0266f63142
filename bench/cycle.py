"""The aggregator under measurement, in a process of its own: cold, steady and change
cycles against the farm in one long-lived fetcher (as the service keeps one), then the
rendering of a 10,000-entry feed. Prints one JSON document.

Run: python -m bench cycle --farm http://127.0.0.1:8901 --db bench.db --config bench.yaml
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml

from aggregator.classify.judge import CLASSIFIER
from aggregator.config.loader import load_config
from aggregator.config.schema import Config
from aggregator.demo.sites import STYLES
from aggregator.fetch.client import Fetcher
from aggregator.pipeline.refresh import refresh_all
from aggregator.publish.atom import ENTRIES, EntryContext, FeedHead, render_feed
from aggregator.store.database import Store
from aggregator.worker.pool import Offload, offload_for
from bench.proctree import MemorySampler, cpu_seconds, peak_rss_parts_mb

DEFAULTS = {"interval": "30m", "timeout": "5s", "connect_timeout": "5s", "read_timeout": "5s"}


def write_config(sites: list[dict], path: Path) -> None:
    sources = []
    for site in sites:
        source: dict[str, object] = {
            "id": f"amt-{site['number']:05d}",
            "name": f"Landkreis Beispiel {site['number']}",
            "land": "BB",
            "kind": "landkreis",
        }
        style = site["style"]
        if style in ("rss", "atom"):
            source["feeds"] = [site["target"]]
        else:
            page: dict[str, object] = {"url": site["target"]}
            preset = STYLES[style][2]  # none for cards and tables: the heuristic reads them
            if preset:
                page["preset"] = preset
            source["pages"] = [page]
        sources.append(source)
    document = {"version": 1, "defaults": DEFAULTS, "sources": sources}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


async def cycle(
    name: str,
    config: Config,
    fetcher: Fetcher,
    store: Store,
    farm: str,
    offload: Offload,
    memory: MemorySampler,
) -> dict:
    async with httpx.AsyncClient() as control:
        await control.get(f"{farm}/reset")
        wall, cpu = time.perf_counter(), cpu_seconds()
        sources = list(config.sources)
        results = await refresh_all(sources, config, fetcher, store, offload=offload)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        stats = (await control.get(f"{farm}/reset")).json()
    items_seen = sum(o.items_found for r in results for o in r.outcomes)
    return {
        "scenario": name,
        "wall_s": wall,
        "cpu_s": cpu,
        "new": sum(r.new for r in results),
        "updated": sum(r.updated for r in results),
        "items_seen": items_seen,
        "cpu_per_1000_items_s": cpu / max(items_seen, 1) * 1000,
        "requests": stats.get("requests", 0),
        "responses_200": stats.get("200", 0),
        "responses_304": stats.get("304", 0),
        "errors": sum(r.status in ("error", "partial") for r in results),
        "peak_rss_mb": memory.rss_mb,  # so far: the tree at one moment
    }


def render(store: Store, config: Config, count: int = 10_000, repeat: int = 5) -> dict:
    """The first render builds every entry; later ones (as after a refresh cycle, when
    few entries changed) reuse the serialised entries of the cache."""
    sources = {source.id: source for source in config.sources}
    items = store.items(limit=count)
    ENTRIES.clear()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        head = FeedHead(
            "all", "Alle", "Benchmark", "http://127.0.0.1/feeds/all.atom", datetime.now(UTC)
        )
        document = render_feed(items, head, EntryContext(sources))
        timings.append(time.perf_counter() - started)
    return {
        "scenario": "render",
        "entries": len(items),
        "first_s": timings[0],
        "median_s": statistics.median(timings[1:]),
        "bytes": len(document),
    }


async def main(farm: str, db: Path, config_path: Path) -> dict:
    sites = httpx.get(f"{farm}/sites").json()
    write_config(sites, config_path)
    config = load_config(config_path)
    store = Store(db, CLASSIFIER)
    report: dict[str, object] = {"sites": len(sites)}
    offload = offload_for(config.defaults)
    report["workers"] = offload.workers
    memory = MemorySampler().start()
    async with Fetcher(config.defaults) as fetcher:
        for name in ("cold", "steady", "change"):
            if name == "change":
                httpx.get(f"{farm}/publish", params={"fraction": "0.1"}, timeout=120)
            report[name] = await cycle(name, config, fetcher, store, farm, offload, memory)
    report["render"] = render(store, config)
    memory.stop()
    report["peak_rss_mb"], report["peak_pss_mb"] = memory.rss_mb, memory.pss_mb
    report["peak_rss_parts_mb"] = peak_rss_parts_mb()
    offload.close()
    store.close()
    return report


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench cycle", description=__doc__)
    parser.add_argument("--farm", required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.farm, args.db, args.config))))
