"""The reference points, in a process of their own: the network floor (the same URLs,
robots.txt included, fetched concurrently with the fetcher's client settings and
limits, no parsing, no pacing), the CPU the HTTP client spends on those requests alone,
and the CPU floor (the same bytes parsed by lxml and nothing else). Prints one JSON
document.

Run: python -m bench.floors --farm http://127.0.0.1:8901 [--concurrency 64] [--feeds-only]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import defaultdict
from urllib.parse import urlsplit

import httpx
from lxml import etree, html

from aggregator.config.schema import Defaults
from aggregator.fetch.addresses import operator_urls
from aggregator.fetch.pools import PerOriginTransport
from bench.proctree import cpu_seconds


async def fetch_all(urls: list[str], defaults: Defaults) -> tuple[float, dict[str, bytes]]:
    limit = asyncio.Semaphore(defaults.concurrency)
    per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
        lambda: asyncio.Semaphore(defaults.per_host)
    )
    bodies: dict[str, bytes] = {}
    timeout = httpx.Timeout(5.0)
    transport = PerOriginTransport(defaults.per_host, defaults.concurrency)
    async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:

        async def one(url: str) -> None:
            async with per_host[urlsplit(url).netloc], limit:
                try:
                    async with asyncio.timeout(5.0):
                        response = await client.get(url)
                    bodies[url] = response.content
                except (httpx.HTTPError, TimeoutError):
                    pass

        started = time.perf_counter()
        await asyncio.gather(*(one(url) for url in urls))
        return time.perf_counter() - started, bodies


def parse_all(bodies: dict[str, bytes]) -> float:
    started = cpu_seconds()
    for url, body in bodies.items():
        if not body or url.endswith("/robots.txt"):
            continue
        if body.lstrip().startswith(b"<?xml"):
            etree.fromstring(body)
        else:
            html.document_fromstring(body)
    return cpu_seconds() - started


def main(farm: str, concurrency: int | None = None, feeds_only: bool = False) -> dict:
    sites = httpx.get(f"{farm}/sites").json()
    if feeds_only:
        sites = [site for site in sites if site["style"] in ("rss", "atom")]
    urls = []
    for site in sites:
        parts = urlsplit(site["target"])
        urls += [f"{parts.scheme}://{parts.netloc}/robots.txt", site["target"]]
    defaults = Defaults() if concurrency is None else Defaults(concurrency=concurrency)
    with operator_urls(urls):  # the farm is on loopback, as the operator configured it
        started = cpu_seconds()
        wall, bodies = asyncio.run(fetch_all(urls, defaults))
        client_cpu = cpu_seconds() - started
    targets = {url: body for url, body in bodies.items() if not url.endswith("/robots.txt")}
    return {
        "network_floor_s": wall,
        "client_cpu_s": client_cpu,  # the HTTP client's CPU for these requests alone
        "cpu_floor_s": parse_all(targets),
        "requests": len(urls),
        "answered": len(bodies),
        "concurrency": defaults.concurrency,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--farm", required=True)
    parser.add_argument("--concurrency", type=int, help="requests at once (default: Defaults)")
    parser.add_argument("--feeds-only", action="store_true", help="only the farm's feeds")
    args = parser.parse_args()
    print(json.dumps(main(args.farm, args.concurrency, args.feeds_only)))
