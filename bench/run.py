"""The benchmark: farm, floors, cycles, rendering and serving, each run several times;
medians with min/max written to bench/results.md (or --out).

Run: python -m bench.run --sites 1000 --runs 3
Serving is measured with wrk (Debian's package) from a second process, when installed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

from aggregator.demo.loopback import free_port
from bench.results import machine

ROOT = Path(__file__).parent.parent


def child(*args: str, timeout: float = 1800) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, timeout=timeout, cwd=ROOT, check=True
    )
    return json.loads(done.stdout)


def start_farm(sites: int, latency: float, faults: bool = True) -> tuple[subprocess.Popen, str]:
    port = free_port()
    farm = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.farm",
            "--sites",
            str(sites),
            "--port",
            str(port),
            "--latency",
            str(latency),
            *([] if faults else ["--no-faults"]),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert farm.stdout is not None and farm.stdout.readline().strip() == b"ready"
    time.sleep(0.5)
    return farm, f"http://127.0.0.1:{port}"


def wrk(url: str, headers: dict[str, str]) -> float | None:
    if not shutil.which("wrk"):
        return None
    args = ["wrk", "-t2", "-c32", "-d5s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    output = subprocess.run([*args, url], capture_output=True, text=True, timeout=60).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return float(found.group(1)) if found else None


def serving(db: Path, folder: Path) -> dict:
    """Subscriber requests per second for the combined feed, full and 304."""
    config = folder / "empty.yaml"
    config.write_text("version: 1\nsources: []\n", encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "aggregator", "--config", str(config), "--db", str(db)]
    service = subprocess.Popen(
        [*command, "run", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/feeds/all.atom"
    try:
        for _ in range(100):
            try:
                first = httpx.get(url, headers={"Accept-Encoding": "identity"})
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        etag = first.headers["etag"]
        identity = {"Accept-Encoding": "identity"}
        return {
            "full_per_s": wrk(url, identity),
            "not_modified_per_s": wrk(url, {**identity, "If-None-Match": etag}),
        }
    finally:
        service.terminate()
        service.wait(15)


def one_run(sites: int, latency: float) -> dict:
    farm, base = start_farm(sites, latency)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as temporary:
            folder = Path(temporary)
            floors = child("bench.floors", "--farm", base)
            cycles = child(
                "bench",
                "cycle",
                "--farm",
                base,
                "--db",
                str(folder / "bench.db"),
                "--config",
                str(folder / "bench.yaml"),
            )
            cycles["serving"] = serving(folder / "bench.db", folder)
            cycles["floors"] = floors
            return cycles
    finally:
        farm.kill()  # not terminate: it would wait for the hanging sites' requests
        farm.wait(15)


def spread(values: list[float]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    return f"{statistics.median(values):.3g} ({min(values):.3g}–{max(values):.3g})"


def report(runs: list[dict], args: argparse.Namespace) -> str:
    def col(path: str) -> list[float]:
        out = []
        for run in runs:
            value: object = run
            for part in path.split("."):
                value = value[part] if isinstance(value, dict) else None
            if isinstance(value, int | float):
                out.append(float(value))
        return out

    floor = [
        max(n, c)
        for n, c in zip(col("floors.network_floor_s"), col("floors.cpu_floor_s"), strict=True)
    ]
    net = col("floors.network_floor_s")
    parts = col("peak_rss_parts_mb")
    lines = [
        f"## Run of {datetime.now():%Y-%m-%d %H:%M}: N = {args.sites}, latency "
        f"{args.latency * 1000:g} ms, {len(runs)} runs",
        "",
        f"Machine: {machine()}. Command: `python -m bench.run --sites {args.sites} "
        f"--runs {args.runs} --latency {args.latency}`. Median (min–max) of the runs.",
        "",
        "| scenario | wall s | CPU s | CPU s / 1,000 items | ratio to floor | requests "
        "| 200 / 304 | new / updated | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, reference in (("cold", floor), ("steady", net), ("change", net)):
        ratio = [w / f for w, f in zip(col(f"{name}.wall_s"), reference, strict=True)]
        lines.append(
            f"| {name} | {spread(col(f'{name}.wall_s'))} | {spread(col(f'{name}.cpu_s'))} "
            f"| {spread(col(f'{name}.cpu_per_1000_items_s'))} | {spread(ratio)} "
            f"| {spread(col(f'{name}.requests'))} | {spread(col(f'{name}.responses_200'))} / "
            f"{spread(col(f'{name}.responses_304'))} | {spread(col(f'{name}.new'))} / "
            f"{spread(col(f'{name}.updated'))} | {spread(col(f'{name}.peak_rss_mb'))} |"
        )
    lines += [
        "",
        f"- Network floor {spread(net)} s; CPU floor (lxml only) "
        f"{spread(col('floors.cpu_floor_s'))} s. Cold is compared with the larger of the two, "
        "steady and change with the network floor.",
        f"- Rendering the combined feed of {spread(col('render.entries'))} entries: "
        f"{spread(col('render.median_s'))} s with the entries cached (as after a refresh "
        f"cycle), {spread(col('render.first_s'))} s the first time (nothing cached).",
        f"- Serving all.atom: {spread(col('serving.full_per_s'))} full responses/s, "
        f"{spread(col('serving.not_modified_per_s'))} 304s/s (wrk -t2 -c32 -d5s).",
        f"- Peak memory of the cycle process and its {spread(col('workers'))} parsing "
        f"worker(s) with multiprocessing's resource tracker, added up at one moment (sampled "
        f"every 0.25 s): RSS {spread(col('peak_rss_mb'))} MB, PSS (shared pages split) "
        f"{spread(col('peak_pss_mb'))} MB. Each process at its own peak (VmHWM): "
        f"{' + '.join(spread(list(part)) for part in zip(*parts, strict=True))} MB "
        "(main process, then the others).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--json", type=Path, help="also keep the raw figures here")
    args = parser.parse_args()
    runs = [one_run(args.sites, args.latency) for _ in range(args.runs)]
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))
    text = report(runs, args)
    print(text)
    with args.out.open("a", encoding="utf-8") as results:
        results.write("\n" + text)


if __name__ == "__main__":
    main()
