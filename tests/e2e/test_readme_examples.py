"""The README's command examples run as written against the demo's offices (issue 31, 8):
each `aggregator …` line of its code blocks that reads the store (exports, the review,
campaigns, feeds, the sources' status) exits 0 and writes what it names."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from aggregator.demo.server import SampleSites
from aggregator.demo.sites import build_sites, demo_config, load_offices
from tests.helpers.cli import run_cli
from tests.paths import ROOT

# commands that need a mail server, a network or a running service are not run here
READING = ("export", "review", "campaigns", "feed", "sources status", "curate log", "users list")
_LINE = re.compile(r"^aggregator (?P<command>[^#\n]+?)\s*(?:#.*)?$", re.MULTILINE)


def readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    return [
        m.group("command")
        for block in blocks
        for m in _LINE.finditer(block)
        if m.group("command").startswith(READING)
    ]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("demo")
    sites = SampleSites().start()
    try:
        offices = load_offices(sites.base)
        sites.pages.update(build_sites(offices))
        config = folder / "sources.yaml"
        config.write_text(demo_config(offices), encoding="utf-8")
        db = folder / "demo.db"
        done = run_cli("--config", str(config), "--db", str(db), "fetch")
        assert done.returncode == 0, done.stderr.decode()
    finally:
        sites.stop()
    return config, db


def test_the_readme_has_examples_to_run():
    assert any(example.startswith("export aktionswoche-2022") for example in readme_examples())


@pytest.mark.parametrize("example", readme_examples())
def test_a_readme_example_runs_against_the_demo(example, demo_store, tmp_path):
    config, db = demo_store
    args = shlex.split(example)
    done = run_cli("--config", str(config), "--db", str(db), *args, cwd=tmp_path)
    assert done.returncode == 0, (example, done.stderr.decode())
    if "--out" in args:
        written = tmp_path / args[args.index("--out") + 1]
        assert written.exists() and written.stat().st_size > 0, example
