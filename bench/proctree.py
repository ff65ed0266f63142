"""CPU and memory of this process and its descendants (the aggregator's parsing workers),
read from /proc: a worker's CPU and memory count like the process's own."""

from __future__ import annotations

import os
import threading
from pathlib import Path

SAMPLE_EVERY = 0.25  # seconds


def tree(pid: int | None = None) -> list[int]:
    """`pid` (default: this process) and its live descendants."""
    pid = pid or os.getpid()
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += tree(int(child))
    return found


def _field_kb(path: str, name: str) -> int:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:  # the process ended meanwhile
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith(name)), 0)


def cpu_seconds(root: int | None = None, waited: bool = False) -> float:
    """CPU so far of the tree under `root` (default: this process); with `waited`, also
    what its members' ended and waited-for children spent (cutime, cstime)."""
    last = 15 if waited else 13  # utime stime [cutime cstime]
    total = 0
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += sum(int(field) for field in fields[11:last])
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_parts_mb() -> list[float]:
    """The peak RSS of this process, then of each descendant, each at its own peak."""
    return [_field_kb(f"/proc/{pid}/status", "VmHWM:") / 1024 for pid in tree()]


class MemorySampler:
    """The largest total RSS and PSS of the tree seen at one moment, sampled in a thread.

    RSS counts the pages that processes share (libraries) once per process; PSS splits
    them among the processes that share them, so it is what the tree really holds. The
    peak of a single process between two samples may be missed; its VmHWM is not.
    """

    def __init__(self, root: int | None = None) -> None:
        self.root = root  # the tree's root process; default: this one
        self.rss_mb = self.pss_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        try:
            pids = tree(self.root)
        except OSError:  # the root ended meanwhile
            return
        rss = sum(_field_kb(f"/proc/{pid}/status", "VmRSS:") for pid in pids) / 1024
        pss = sum(_field_kb(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids) / 1024
        self.rss_mb, self.pss_mb = max(self.rss_mb, rss), max(self.pss_mb, pss)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            self._sample()

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
