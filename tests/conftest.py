"""Shared fixtures: a real HTTP server on loopback, and sources.yaml files in a temporary
folder. Helpers that tests import (the CLI as a subprocess, Atom checks) are in helpers/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.siteserver import SiteServer

QUICK_LOOP = "not e2e and not browser"  # the default of addopts (pyproject.toml)


def pytest_configure(config: pytest.Config) -> None:
    """A bare `pytest` is the quick loop; tests named on the command line (a file, a folder,
    a test) run whatever they are, so `pytest tests/e2e/test_digests.py` runs them."""
    named = config.args_source == pytest.Config.ArgsSource.ARGS
    if named and config.option.markexpr == QUICK_LOOP:
        config.option.markexpr = ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by what they run: e2e (a CLI or service process), browser (Chromium)."""
    sources: dict[Path, str] = {}
    for item in items:
        path = Path(str(item.fspath))
        if path not in sources:
            sources[path] = path.read_text(encoding="utf-8") if path.suffix == ".py" else ""
        source = sources[path]
        if "e2e" in path.parts or "run_cli(" in source or "service(" in source:
            item.add_marker(pytest.mark.e2e)
        if "sync_playwright" in source:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def site() -> Iterator[SiteServer]:
    server = SiteServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def write_config(tmp_path: Path):
    def write(text: str, name: str = "sources.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
