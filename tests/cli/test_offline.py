"""A first run without a network (issue 31, 1): said once, at once, with the way to see
the product anyway; and a run in which every source failed exits non-zero."""

from __future__ import annotations

import time

from aggregator.cli.app import EXIT_ALL_FAILED
from tests.helpers.cli import run_cli

# .invalid never resolves (RFC 6761): what every host name is to a machine without DNS
OFFLINE_SOURCES = "".join(
    f"  - {{id: kreis-{n}, name: Landkreis {n}, land: BB, kind: landkreis, "
    f"feeds: ['https://presse.kreis-{n}.invalid/rss.xml']}}\n"
    for n in range(6)
)


def test_an_offline_first_run_says_so_once_and_points_to_the_demo(tmp_path, write_config):
    config = write_config(f"version: 1\nsources:\n{OFFLINE_SOURCES}")
    started = time.monotonic()
    done = run_cli("--config", str(config), "--db", str(tmp_path / "a.db"), "fetch")
    said = (done.stdout + done.stderr).decode()
    assert done.returncode == EXIT_ALL_FAILED
    assert said.count("looks offline") == 1 and "aggregator demo" in said
    assert "host name not found" not in said
    assert time.monotonic() - started < 30
    checked = run_cli("--config", str(config), "--db", str(tmp_path / "a.db"), "sources", "check")
    assert checked.returncode == EXIT_ALL_FAILED
    assert "looks offline" in checked.stderr.decode()


def test_a_run_in_which_every_source_failed_exits_non_zero(site, tmp_path, write_config):
    sources = "".join(
        f"  - {{id: weg-{n}, name: Weg {n}, land: BB, kind: landkreis, "
        f"feeds: ['{site.url(f'nicht-da-{n}.xml')}']}}\n"
        for n in range(2)
    )
    config = write_config(f"version: 1\ndefaults: {{host_delay: 0s}}\nsources:\n{sources}")
    done = run_cli("--config", str(config), "--db", str(tmp_path / "b.db"), "fetch")
    assert done.returncode == EXIT_ALL_FAILED
    assert "every source failed" in done.stderr.decode()
    healthy = sources + (
        f"  - {{id: da, name: Da, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('feeds/spree-neisse-rss2.xml')}']}}\n"
    )
    config = write_config(f"version: 1\ndefaults: {{host_delay: 0s}}\nsources:\n{healthy}")
    assert run_cli("--config", str(config), "--db", str(tmp_path / "b.db"), "fetch").returncode == 0
