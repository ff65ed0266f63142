"""The command line as a user runs it: `python -m aggregator` in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    cwd: Path = ROOT,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m aggregator ARGS` as a user would (in `cwd`, with `stdin` piped in);
    returns the CompletedProcess."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    environment.update(env or {})
    environment["PYTHONPATH"] = str(ROOT)
    environment.setdefault("COLUMNS", "200")
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        capture_output=True,
        env=environment,
        timeout=timeout,
        cwd=cwd,
        input=stdin,
    )
