"""What every benchmark writes down with its figures: the machine, and where they go."""

from __future__ import annotations

import os
import platform
from pathlib import Path

BENCH = Path(__file__).parent


def machine() -> str:
    """Cores, processor model, memory and Python: the machine figures were measured on."""
    memory = next(
        (
            line.split(":")[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "?",
    )
    model = next(
        (
            line.split(":")[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({model}), {memory} memory, Python {platform.python_version()}"


def append(name: str, text: str) -> None:
    """Add a report to bench/NAME (results-*.md), after a blank line."""
    with (BENCH / name).open("a", encoding="utf-8") as out:
        out.write("\n" + text)
