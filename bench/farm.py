"""A farm of simulated press offices for the benchmark: N sites, each on its own loopback
address (127.1.x.y) so that per-host politeness does not serialise them, served by one
uvicorn process on pre-bound sockets.

About 80 % are HTML listing pages in the demo's CMS styles, 20 % feeds; ~20 items each,
written with the words of the demo's press releases, and one site in JOINT_EVERY also
carries the campaign's joint text (near-duplicates across sites, as in real life);
ETag/Last-Modified/304; a response latency; a few faulty sites (slow, hanging, 5xx).
A control address (127.0.0.1) answers /stats, /reset and /publish?fraction=0.1 (that
share of sites publishes one new item). Run: python -m bench.farm --sites N --port P
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs

import uvicorn
import yaml

from aggregator.core.time import BERLIN
from aggregator.demo.loopback import not_modified, validators
from aggregator.demo.sites import CORPUS_PATH, Office, Release, build_sites

HTML_STYLES = ("ikiss", "typo3-news", "weblication", "nolis", "cards", "table")
FEED_STYLES = ("rss", "atom")
SLOW, HANG, BROKEN = 7, 17, 27  # site number modulo 100: the faulty few
SLOW_DELAY, HANG_DELAY = 1.5, 60.0

TOPICS = tuple(
    """
    Kreistag Jobcenter Gesundheitsamt Schulsanierung Busverkehr Breitband Ausbildungsmesse
    Kita-Ausbau Radwegebau Wirtschaftsförderung Impfaktion Seniorenbeirat Abfallkalender
    Kreismusikschule Katastrophenschutz Ehrenamt
    """.split()
)
ACTIONS = (
    "beschließt neue Förderrichtlinie",
    "zieht Bilanz",
    "lädt zum Tag der offenen Tür ein",
    "startet Beratungsangebot",
    "ehrt langjährige Mitarbeitende",
    "stellt Projekt vor",
    "bittet um Beteiligung",
    "informiert über Änderungen",
    "sucht Fachkräfte",
)
PLACES = (
    "im Kreishaus",
    "in der Kreisstadt",
    "an den Berufsschulen",
    "im Landratsamt",
    "in den Gemeinden",
    "am Standort Nord",
    "im Bürgerbüro",
    "in der Stadthalle",
)
JOINT_EVERY = 40  # one site in this many also publishes the campaign's joint press text


def vocabulary() -> tuple[list[str], list[int]]:
    """The words of the demo's German press releases with their frequencies, so that the
    farm's texts share words and trigrams about as much as real press texts do (a handful
    of words would make every text a near-duplicate candidate of every other)."""
    corpus = yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))
    counts = Counter(
        word for item in corpus["items"] for word in re.findall(r"[^\W\d_]+", item["text"])
    )
    return list(counts), list(counts.values())


WORDS, WEIGHTS = vocabulary()
JOINT_TEXT = next(
    item["text"]
    for item in yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))["items"]
    if item.get("joint")
)


def address(number: int) -> str:
    return f"127.1.{number // 200}.{number % 200 + 1}"


def release(rng: random.Random, number: int, published: datetime) -> Release:
    title = f"{rng.choice(TOPICS)} {rng.choice(ACTIONS)} {rng.choice(PLACES)}"
    words = " ".join(rng.choices(WORDS, WEIGHTS, k=rng.randint(40, 70)))
    text = f"{title}. {words}. Nr. {number}."
    return Release(number, f"{title} ({number})", text, published)


def joint_release(rng: random.Random, number: int, published: datetime, office: str) -> Release:
    """The joint text that many jobcenters publish, with a local sentence of their own."""
    local = " ".join(rng.choices(WORDS, WEIGHTS, k=15))
    title = f"Aktionswoche der kommunalen Jobcenter auch im {office}"
    return Release(number, title, f"{JOINT_TEXT} {local}.", published)


@dataclass
class Site:
    number: int
    office: Office
    base: str  # scheme, address and port the office's URLs start with
    pages: dict[str, tuple[bytes, str, dict[str, str]]] = field(
        default_factory=dict
    )  # + validators
    fault: str | None = None

    @property
    def target(self) -> str:
        target = self.office.feed if self.office.style in FEED_STYLES else self.office.listing
        assert target is not None, f"{self.office.id}: the demo office has no page to read"
        return target

    def render(self) -> None:
        self.pages = {}
        for path, page in build_sites([self.office], details=False).items():
            self.pages[path] = (page.body, page.content_type, validators(page.body))


def make_sites(
    count: int, port: int, items: int = 20, seed: int = 1, faults: bool = True
) -> list[Site]:
    rng = random.Random(seed)
    start = datetime(2019, 7, 1, 9, 0, tzinfo=BERLIN)
    sites = []
    for number in range(count):
        style = FEED_STYLES[number % 2] if number % 5 == 0 else HTML_STYLES[number % 6]
        office = Office(
            f"amt-{number:05d}", f"Landkreis Beispiel {number}", "BB", "landkreis", style, [], None
        )
        office.releases = [
            release(rng, number * 1000 + k, start + timedelta(days=k * 3, hours=k % 5))
            for k in reversed(range(items))
        ]
        if number % JOINT_EVERY == 1:  # in the action week, between the others
            joint = joint_release(rng, number * 1000 + 999, start + timedelta(days=57), office.name)
            office.releases.insert(1, joint)
        base = f"http://{address(number)}:{port}"
        office.place(base)
        fault = {SLOW: "slow", HANG: "hang", BROKEN: "broken"}.get(number % 100) if faults else None
        site = Site(number, office, base, fault=fault)
        site.render()
        sites.append(site)
    return sites


class Farm:
    def __init__(self, sites: list[Site], latency: float) -> None:
        self.by_address = {address(site.number): site for site in sites}
        self.sites = sites
        self.latency = latency
        self.stats: Counter[str] = Counter()
        self.rng = random.Random(2)

    async def __call__(self, scope, receive, send) -> None:  # an ASGI app, kept bare
        if scope["type"] != "http":
            return
        host = scope["server"][0]
        path = scope["path"] + (
            f"?{scope['query_string'].decode()}" if scope["query_string"] else ""
        )
        if host == "127.0.0.1":
            await self._control(scope, send)
            return
        site = self.by_address[host]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        # The answer is decided and counted when the request arrives, so that a hanging
        # site's late answer counts in the scenario that asked, not in the next one.
        status, body, content_type, validators = self._answer(site, path, headers)
        self.stats[str(status)] += 1
        self.stats["requests"] += 1
        self.stats["bytes"] += len(body)
        await asyncio.sleep(self.latency)
        if site.fault == "slow":
            await asyncio.sleep(SLOW_DELAY)
        elif site.fault == "hang":
            await asyncio.sleep(HANG_DELAY)
        await self._send(send, status, body, content_type, validators)

    @staticmethod
    def _answer(
        site: Site, path: str, headers: dict[str, str]
    ) -> tuple[int, bytes, str | None, dict[str, str]]:
        page = site.pages.get(path)
        if site.fault == "broken" and path != "/robots.txt":
            return 500, b"Interner Fehler", "text/plain", {}
        if page is None:
            return 404, b"Nicht gefunden", "text/plain", {}
        body, content_type, current = page
        since = headers.get("if-modified-since")
        if not_modified(headers.get("if-none-match"), since, current):
            return 304, b"", None, current
        return 200, body, content_type, current

    async def _send(self, send, status: int, body: bytes, content_type: str | None, extra) -> None:
        headers = [(k.encode(), v.encode()) for k, v in extra.items()]
        if content_type:
            headers.append((b"content-type", content_type.encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _control(self, scope, send) -> None:
        counted = dict(self.stats)
        if scope["path"] == "/reset":
            self.stats.clear()
        elif scope["path"] == "/publish":
            fraction = float(parse_qs(scope["query_string"].decode()).get("fraction", ["0.1"])[0])
            healthy = [site for site in self.sites if not site.fault]
            for site in self.rng.sample(healthy, round(len(healthy) * fraction)):
                newest = site.office.releases[0]
                site.office.releases.insert(
                    0, release(self.rng, newest.number + 500, newest.published + timedelta(days=1))
                )
                site.office.place(site.base)  # the new release's URL
                site.render()
        sites = (
            [
                {
                    "number": s.number,
                    "address": address(s.number),
                    "target": s.target,
                    "fault": s.fault,
                    "items": len(s.office.releases),
                    "style": s.office.style,
                }
                for s in self.sites
            ]
            if scope["path"] == "/sites"
            else None
        )
        body = json.dumps(sites if sites is not None else counted).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(512)
    sock.setblocking(False)
    return sock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8901)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--lifetime", type=float, default=3 * 3600, help="seconds at most")
    parser.add_argument("--no-faults", action="store_true", help="every site healthy")
    args = parser.parse_args()
    sites = make_sites(args.sites, args.port, faults=not args.no_faults)
    sockets = [bind("127.0.0.1", args.port)] + [bind(address(s.number), args.port) for s in sites]
    config = uvicorn.Config(
        Farm(sites, args.latency),
        log_level="warning",
        lifespan="off",
        timeout_keep_alive=30,
        backlog=2048,
    )
    server = uvicorn.Server(config)
    print("ready", flush=True)
    asyncio.run(serve_until_orphaned(server, sockets, args.lifetime))


async def serve_until_orphaned(
    server: uvicorn.Server, sockets: list[socket.socket], lifetime: float
) -> None:
    """Serve until the process that started the farm is gone or the lifetime is over,
    so that a benchmark killed midway leaves no farm behind."""
    parent, deadline = os.getppid(), time.monotonic() + lifetime

    async def watch() -> None:
        while os.getppid() == parent and time.monotonic() < deadline:
            await asyncio.sleep(1)
        server.should_exit = True

    watcher = asyncio.create_task(watch())
    await server.serve(sockets=sockets)
    watcher.cancel()


if __name__ == "__main__":
    main()
