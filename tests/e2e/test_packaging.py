"""The container set-up: a compose file that validates, and a Dockerfile that runs as a user."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import yaml

from tests.paths import ROOT


def test_compose_file_validates_and_keeps_data_config_and_health():
    # Debian's docker-compose checks the file against the Compose specification's JSON
    # schema without an engine: the test command installs it without recommends, so
    # without the Docker engine it would otherwise pull in (46 packages)
    checked = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr.decode()
    config = yaml.safe_load(checked.stdout)
    service = config["services"]["aggregator"]
    assert service["restart"] == "unless-stopped"
    assert any(
        str(p.get("published", p) if isinstance(p, dict) else p).startswith("8080")
        for p in service["ports"]
    )
    volumes = [str(v) for v in service["volumes"]]
    assert any("aggregator-data" in v and "/data" in v for v in volumes)
    assert any("/config/sources.yaml" in v and ":ro" in v for v in volumes)
    assert "aggregator-data" in config["volumes"]
    assert "/healthz" in " ".join(service["healthcheck"]["test"])


def test_dockerfile_runs_the_service_as_a_user_with_a_healthcheck():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "\nUSER aggregator" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'CMD ["aggregator", "run"' in dockerfile


def test_the_wheel_carries_every_data_file_of_the_package(tmp_path):
    """A plain `pip install .` (the Docker image) must bring templates, styles and the
    demo's corpus, not only the .py files an editable install reads from the tree."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path)],
        capture_output=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr.decode()
    [wheel] = tmp_path.glob("*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    data_files = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "aggregator").rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    }
    assert data_files and data_files <= packaged, data_files - packaged
