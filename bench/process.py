"""The product as a user runs it: `aggregator fetch` as a process (as cron starts it),
its whole process tree's CPU and memory counted, against the farm in a process of its
own; and lemon24/reader on the same feeds, in the same run, as the peer.

Run: python -m bench.process --sites 1000 --runs 3

The product runs at its default settings, as users run it, unless --concurrency sets
one. Per run: the network floor (≤ 2 requests per host, ≤ 64 in all, no parsing); a cold
and a steady `aggregator fetch` of all offices; a cold `aggregator fetch` of the feeds
alone and reader's update of the same feeds; then the service (`aggregator run`) on a new
database, its first cycle (cold) and its second (steady, each source's job run again by
the scheduler), watched through its /metrics. CPU is the child's rusage (its parsing
workers, which it waits for, included); memory the largest PSS of its process tree at one
moment. Appends a section to bench/results.md (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from aggregator.config.schema import Defaults
from bench.cycle import write_config
from bench.proctree import MemorySampler, cpu_seconds
from bench.results import machine
from bench.run import ROOT, child, start_farm

FEED_STYLES = ("rss", "atom")


def measured(command: list[str]) -> dict:
    """Run a command; its wall time, CPU of its tree (rusage) and peak PSS of the tree."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )  # the aggregator's progress goes to stderr
    memory = MemorySampler(process.pid).start()
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    memory.stop()
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "pss_mb": memory.pss_mb,
        "rss_mb": memory.rss_mb,
        "exit": process.returncode,
        "stdout": output.decode("utf-8", "replace"),
    }


def configure(
    sites: list[dict], path: Path, concurrency: int | None, interval: float | None = None
) -> None:
    """The farm's sources.yaml: the product's defaults, or the concurrency given."""
    write_config(sites, path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if concurrency is not None:
        document["defaults"]["concurrency"] = concurrency
    if interval is not None:
        document["defaults"]["interval"] = f"{interval:.0f}s"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def stored_items(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM items").fetchone()[0])


def aggregator_fetch(config: Path, db: Path, farm: str) -> dict:
    httpx.get(f"{farm}/reset")
    command = [sys.executable, "-m", "aggregator", "--config", str(config), "--db", str(db)]
    result = measured([*command, "fetch"])
    result["requests"] = httpx.get(f"{farm}/reset").json().get("requests", 0)
    result["items"] = stored_items(db)
    return result


def reader_update(urls: list[str], folder: Path, farm: str, workers: int) -> dict:
    listed = folder / "feeds.txt"
    listed.write_text("\n".join(urls), encoding="utf-8")
    httpx.get(f"{farm}/reset")
    command = [
        sys.executable,
        "-m",
        "bench.peer",
        "--db",
        str(folder / "reader.sqlite"),
        "--urls",
        str(listed),
        "--workers",
        str(workers),
    ]
    result = measured(command)
    result["requests"] = httpx.get(f"{farm}/reset").json().get("requests", 0)
    result["items"] = json.loads(result["stdout"])["entries"] if result["exit"] == 0 else 0
    return result


def refreshes_done(metrics_url: str) -> int:
    try:
        text = httpx.get(metrics_url, timeout=5).text
    except httpx.HTTPError:
        return 0  # not answering yet
    return int(
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("aggregator_refreshes_total{")
        )
    )


def wait_for_refreshes(process: subprocess.Popen[bytes], url: str, count: int) -> float:
    """Poll the service until `count` refreshes are done; the moment they were."""
    while refreshes_done(url) < count:
        if process.poll() is not None:
            raise SystemExit(f"the service ended with {process.returncode}")
        time.sleep(0.2)
    return time.perf_counter()


def service_cycles(config: Path, db: Path, farm: str, sources: int) -> dict[str, dict]:
    """The service's first and second cycle over all sources: CPU of its process tree
    (the workers included), wall, requests and the largest PSS of each."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "aggregator", "--config", str(config), "--db", str(db)]
    command += ["run", "--port", str(port)]
    httpx.get(f"{farm}/reset")
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    metrics = f"http://127.0.0.1:{port}/metrics"
    try:
        memory = MemorySampler(process.pid).start()
        cold_done = wait_for_refreshes(process, metrics, sources)
        cold_cpu = cpu_seconds(process.pid, waited=True)
        memory.stop()
        cold = {
            "wall_s": cold_done - started,
            "cpu_s": cold_cpu,
            "pss_mb": memory.pss_mb,
            "requests": httpx.get(f"{farm}/reset").json().get("requests", 0),
        }
        memory = MemorySampler(process.pid).start()
        wait_for_refreshes(process, metrics, sources + 1)
        steady_started = time.perf_counter()
        steady_done = wait_for_refreshes(process, metrics, 2 * sources)
        steady_cpu = cpu_seconds(process.pid, waited=True) - cold_cpu
        steady_requests = httpx.get(f"{farm}/reset").json().get("requests", 0)
        steady = {
            "wall_s": steady_done - steady_started,
            "cpu_s": steady_cpu,
            "pss_mb": memory.pss_mb,
            "requests": steady_requests,
        }
        memory.stop()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    cold["items"] = steady["items"] = stored_items(db)
    return {"service cold": cold, "service steady": steady}


FLOOR_CONCURRENCY = 64  # the floor's limits: ≤ 2 requests per host, ≤ 64 in all


def compiled() -> None:
    """Compile the package's modules as an install does: pip writes bytecode for what it
    installs (reader and every library here have theirs), but an editable checkout run
    with PYTHONDONTWRITEBYTECODE set compiles every module anew at each start."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "aggregator"], cwd=ROOT, check=True)


def one_run(sites_count: int, latency: float, concurrency: int | None, service: bool) -> dict:
    farm, base = start_farm(sites_count, latency, faults=False)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-process-") as temporary:
            folder = Path(temporary)
            sites = httpx.get(f"{base}/sites").json()
            feeds = [site for site in sites if site["style"] in FEED_STYLES]
            configure(sites, folder / "all.yaml", concurrency)
            configure(feeds, folder / "feeds.yaml", concurrency)
            at_most = ("--concurrency", str(FLOOR_CONCURRENCY))
            floors = child("bench.floors", "--farm", base, *at_most)
            feed_floor = child("bench.floors", "--farm", base, *at_most, "--feeds-only")
            run = {"floors": floors, "feed_floor": feed_floor}
            run["cold"] = aggregator_fetch(folder / "all.yaml", folder / "all.db", base)
            run["steady"] = aggregator_fetch(folder / "all.yaml", folder / "all.db", base)
            run["feeds"] = aggregator_fetch(folder / "feeds.yaml", folder / "feeds.db", base)
            run["reader"] = reader_update(
                [site["target"] for site in feeds],
                folder,
                base,
                concurrency or Defaults().concurrency,
            )
            for scenario in ("cold", "steady", "feeds", "reader"):
                run[scenario].pop("stdout")
            if not service:
                return run
            # The scheduler runs each source again after its interval: long enough for the
            # first cycle to end before the second starts.
            interval = max(60.0, 3 * run["cold"]["wall_s"])
            configure(sites, folder / "service.yaml", concurrency, interval)
            run |= service_cycles(folder / "service.yaml", folder / "service.db", base, len(sites))
            return run
    finally:
        farm.kill()
        farm.wait(15)


def median(runs: list[dict], pick) -> float:  # type: ignore[no-untyped-def]
    return statistics.median(pick(run) for run in runs)


def spread(values: list[float], digits: str = ".3g") -> str:
    return f"{statistics.median(values):{digits}} ({min(values):{digits}}–{max(values):{digits}})"


def _client_cpu(floor: str) -> Callable[[dict[str, Any]], float]:
    """A run's HTTP client CPU for the floor's requests (0 in runs recorded before it)."""
    return lambda run: float(run[floor].get("client_cpu_s", 0.0))


def report(runs: list[dict], args: argparse.Namespace) -> str:
    def column(pick) -> list[float]:  # type: ignore[no-untyped-def]
        return [pick(run) for run in runs]

    net = column(lambda r: r["floors"]["network_floor_s"])
    chosen = f" --concurrency {args.concurrency}" if args.concurrency else ""
    settings = f"concurrency {args.concurrency}" if args.concurrency else "default settings"
    lines = [
        f"## Process run of {datetime.now():%Y-%m-%d %H:%M}: N = {args.sites}, {settings}, "
        f"latency {args.latency * 1000:g} ms, {len(runs)} runs",
        "",
        f"Machine: {machine()}. Command: `python -m bench.process --sites {args.sites} "
        f"--runs {args.runs}{chosen} --latency {args.latency}`. "
        "`aggregator fetch` as a process (whole tree: rusage of the process and the parsing "
        "workers it waits for; memory: largest PSS of the tree at one moment); the farm in a "
        "process of its own. Median (min–max) of the runs.",
        "",
        "| scenario | wall s | CPU s | items | items per CPU-s | ratio to network floor "
        "| requests | peak PSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    floors = {
        "cold": net,
        "steady": net,
        "feeds": column(lambda r: r["feed_floor"]["network_floor_s"]),
    }
    floors["reader"] = floors["feeds"]
    floors["service cold"] = floors["service steady"] = net
    scenarios = ("cold", "steady", "feeds", "reader", "service cold", "service steady")
    for name in (name for name in scenarios if name in runs[0]):
        wall = column(lambda r, n=name: r[n]["wall_s"])
        cpu = column(lambda r, n=name: r[n]["cpu_s"])
        items = column(lambda r, n=name: r[n]["items"])
        steady = name.endswith("steady")
        per_cpu = [i / c if not steady else 0.0 for i, c in zip(items, cpu, strict=True)]
        ratio = [w / f for w, f in zip(wall, floors[name], strict=True)]
        label = {"feeds": "feeds only, cold", "reader": "reader 3.26, same feeds"}.get(name, name)
        lines.append(
            f"| {label} | {spread(wall)} | {spread(cpu)} | {spread(items, '.0f')} "
            f"| {spread(per_cpu, '.0f') if not steady else '–'} | {spread(ratio)} "
            f"| {spread(column(lambda r, n=name: r[n]['requests']), '.0f')} "
            f"| {spread(column(lambda r, n=name: r[n]['pss_mb']), '.0f')} |"
        )
    ours = [r["feeds"]["items"] / r["feeds"]["cpu_s"] for r in runs]
    theirs = [r["reader"]["items"] / r["reader"]["cpu_s"] for r in runs]
    lines += [
        "",
        f"- Network floor (all offices, ≤ 2 per host, ≤ {FLOOR_CONCURRENCY} at once, no "
        f"parsing): {spread(net)} s; feeds alone {spread(floors['feeds'])} s; CPU floor "
        f"(lxml only) {spread(column(lambda r: r['floors']['cpu_floor_s']))} s; the HTTP "
        f"client's CPU for the same requests {spread(column(_client_cpu('floors')))} CPU-s, "
        f"feeds alone {spread(column(_client_cpu('feed_floor')))} CPU-s.",
        "- Feeds, entries per CPU-second, ours to reader's, each run: "
        + ", ".join(f"{o / t:.2f} ×" for o, t in zip(ours, theirs, strict=True))
        + f" (median {statistics.median(o / t for o, t in zip(ours, theirs, strict=True)):.2f} ×).",
        "- The service: `aggregator run` on a new database, each source's job every interval "
        "(3 × the cold fetch's wall, ≥ 60 s; the scheduler's jitter is a tenth of it); its "
        "steady wall is from the first to the last refresh of the second cycle, so it "
        "includes that jitter, which spreads the jobs on purpose; compare its CPU.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--concurrency", type=int, help="requests at once (default: the product's default)"
    )
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--json", type=Path, help="also keep the raw figures here")
    parser.add_argument("--no-append", action="store_true", help="print only")
    parser.add_argument(
        "--no-service", action="store_true", help="leave out the service's two cycles"
    )
    args = parser.parse_args()
    compiled()
    runs = [
        one_run(args.sites, args.latency, args.concurrency, not args.no_service)
        for _ in range(args.runs)
    ]
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))
    text = report(runs, args)
    print(text)
    if not args.no_append:
        with args.out.open("a", encoding="utf-8") as results:
            results.write("\n" + text)


if __name__ == "__main__":
    main()
