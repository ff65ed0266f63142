"""The house's shape (issue 16): the public API, the import boundaries between the pure
stages and the edges, and a worker task module that stays small."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import aggregator

PACKAGE = Path(aggregator.__file__).parent
PURE = ("core", "config", "parse", "normalize", "classify", "publish")
EDGES = ("fetch", "store", "web", "service", "cli", "pipeline", "worker", "deliver")
HEAVY = ("httpx", "starlette", "uvicorn", "apscheduler")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, also inside functions and TYPE_CHECKING blocks."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


# The packages in layers, in the order data flows: a package imports only from layers
# below its own (and from itself). Every pair of packages is covered, not a list of greps.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("errors",),
    ("config",),
    ("parse",),
    ("normalize",),
    ("classify",),
    ("publish", "fetch", "store", "worker"),
    ("pipeline", "deliver"),
    ("observe",),
    ("web",),
    ("service", "demo"),
    ("cli",),
)
LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}


def test_every_package_has_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages | {"errors"} == set(LAYER)


def test_each_package_imports_only_from_the_layers_below():
    upward = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for package in LAYER
        for path in (_modules(package) or [PACKAGE / f"{package}.py"])
        for name in _imports(path)
        if name.startswith("aggregator.")
        and (other := name.split(".")[1]) != package
        and LAYER.get(other, -1) >= LAYER[package]
    }
    assert upward == set()


@pytest.mark.parametrize("package", PURE)
def test_pure_stages_never_import_an_edge(package):
    crossings = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules(package)
        for name in _imports(path)
        if name.startswith("aggregator.") and name.split(".")[1] in EDGES
    }
    assert crossings == set()


def test_the_core_imports_nothing_else_of_the_project():
    outside = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules("core")
        for name in _imports(path)
        if name.startswith("aggregator.") and not name.startswith("aggregator.core")
    }
    assert outside == set()


def _loaded_by(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_the_worker_task_module_pulls_in_no_http_client_web_server_or_scheduler():
    loaded = _loaded_by("import aggregator.worker.tasks")
    assert [name for name in loaded if name.split(".")[0] in HEAVY] == []
    assert "aggregator.store.database" not in loaded


def test_the_public_api_is_all_and_loads_only_what_is_used():
    assert sorted(set(aggregator.__all__)) == sorted(aggregator.__all__)
    for name in aggregator.__all__:
        assert getattr(aggregator, name) is not None, name
    assert aggregator.Store.__module__ == "aggregator.store.database"
    assert issubclass(aggregator.WorkerError, aggregator.AggregatorError)
    with pytest.raises(AttributeError):
        aggregator.no_such_thing  # noqa: B018
    loaded = _loaded_by("import aggregator; aggregator.__version__")
    assert [name for name in loaded if name.split(".")[0] in HEAVY] == []


def test_every_error_is_an_aggregator_error():
    from aggregator import errors
    from aggregator.fetch import client

    classes = [value for value in vars(errors).values() if isinstance(value, type)]
    classes += [
        value
        for value in vars(client).values()
        if isinstance(value, type) and issubclass(value, errors.FetchError)
    ]
    for cls in classes:
        if issubclass(cls, Exception):
            assert issubclass(cls, errors.AggregatorError), cls


WEB_ANSWERS = {"BadQuery", "HubRequestError", "HubBusy", "FormRefused"}  # answered by status
# never leave their module (Declined: the fast feed reader and its rules, within parse)
PRIVATE_FLOW = {"_TooLarge", "Declined"}


def test_errors_are_defined_in_errors_py_only():
    """One tree (aggregator/errors.py, drawn in its docstring); the web edge's request
    errors and private control flow excepted."""
    elsewhere = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", getattr(base, "attr", "")).endswith(("Error", "Exception"))
                for base in node.bases
            ):
                elsewhere.add(node.name)
    assert elsewhere <= WEB_ANSWERS | PRIVATE_FLOW, elsewhere - WEB_ANSWERS - PRIVATE_FLOW


def test_the_store_applies_decisions_it_is_handed_and_reads_no_documents():
    """Which version of an item is kept and which group it joins are decided in classify
    (revise, dedupe) and handed to the store as a Judge (core.judging); the store finds the
    rows and records the choice, and imports no classifier itself."""
    reaching = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules("store")
        for name in _imports(path)
        if name.startswith(
            ("aggregator.parse", "aggregator.normalize", "aggregator.fetch", "aggregator.classify")
        )
    }
    assert reaching == set()


def test_the_tests_mirror_the_packages():
    """tests/<stage>/ for each stage's own tests, tests/e2e/ for those through the CLI
    and the service, tests/helpers/ for what several of them use; only the house's own
    shape is tested at the top."""
    tests = Path(__file__).parent
    folders = {p.name for p in tests.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders - {"e2e", "helpers"} <= packages
    assert {"config", "fetch", "parse", "classify", "pipeline", "store", "publish"} <= folders
    assert [p.name for p in tests.glob("test_*.py")] == ["test_layout.py"]


def test_each_command_is_found_in_the_module_named_for_it():
    """The CLI imports a command's module when it runs (cli.app.COMMAND_MODULES)."""
    import importlib

    from aggregator.cli.app import COMMAND_MODULES, cli

    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"aggregator.cli.{module}")
    assert set(cli.commands) == set(COMMAND_MODULES)
    for name, module in COMMAND_MODULES.items():
        assert cli.commands[name].callback.__module__ == f"aggregator.cli.{module}"


def test_a_fetch_imports_neither_the_html_readers_nor_the_service(tmp_path):
    """A cron `aggregator fetch` starts in a third of the time when it leaves these to the
    workers and the commands that need them."""
    config = tmp_path / "sources.yaml"
    config.write_text("version: 1\nsources: []\n", encoding="utf-8")
    code = (
        "import sys, runpy; sys.argv = ['aggregator', '--config', sys.argv[1], '--db', "
        "sys.argv[2], 'fetch']\ntry:\n    runpy.run_module('aggregator', run_name='__main__')\n"
        "except SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(config), str(tmp_path / "a.db")],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(done.stderr.strip().splitlines()[-1].split())
    heavy = {
        "bs4",
        "soupsieve",
        "feedparser",
        "uvicorn",
        "starlette",
        "apscheduler",
        "jinja2",
        "aggregator.demo",
        "aggregator.web",
        "aggregator.service",
    }
    assert "aggregator.pipeline.refresh" in loaded
    assert heavy & loaded == set()
