"""Read and validate sources.yaml, with every problem tied to file, line and source id.

The YAML is composed into nodes first so that each value keeps the line it came
from; pydantic then validates the plain data and its error locations are mapped
back to those lines. Operators get all problems at once, not the first one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from aggregator.config.schema import Config
from aggregator.errors import ConfigError, Problem

Path_ = tuple[str | int, ...]
MAX_BYTES = 2 * 2**20  # the registry of all 104 Träger is under 20 KB
MAX_VALUES = 200_000  # values after expanding aliases: far above any real file


class _TooLarge(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Composed:
    """Plain data built from YAML nodes, with the line of every path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path_, int] = {}
        self.problems: list[Problem] = []
        self.built = 0
        self._scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: Path_ = ()) -> Any:
        self.built += 1
        if self.built > MAX_VALUES:  # a few nested aliases can stand for billions of values
            raise _TooLarge(node.start_mark.line + 1)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalars.construct_object(key_node)
                line = key_node.start_mark.line + 1
                if key in result:
                    self.problems.append(Problem(self.file, line, f"duplicate key {key!r}"))
                self.lines[(*path, key)] = line
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._scalars.construct_object(node)

    def line_of(self, path: Path_) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def _source_id(data: Any, loc: Path_) -> str | None:
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        try:
            source = data["sources"][loc[1]]
        except (KeyError, IndexError, TypeError):
            return None
        if isinstance(source, dict) and isinstance(found := source.get("id"), str):
            return found
    return None


def _describe(error: ErrorDetails) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {loc!r}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{loc}: {message}"


def _duplicate_ids(data: dict[str, Any], composed: _Composed) -> list[Problem]:
    """Ids must be unique; checked on the raw data so it is reported with other problems."""
    problems = []
    sections = (
        ("sources", "source"),
        ("press", "source or press"),
        ("campaigns", "campaign"),
        ("digests", "digest"),
    )
    shared: dict[str, int] = {}  # a press id is a source id too: one namespace
    for section, what in sections:
        entries = data.get(section)
        if not isinstance(entries, list):
            continue
        seen: dict[str, int] = shared if section in ("sources", "press") else {}
        for i, entry in enumerate(entries):
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(entry_id, str):
                continue
            line = composed.line_of((section, i, "id"))
            if entry_id in seen:
                first = seen[entry_id]
                message = f"duplicate {what} id {entry_id!r} (first defined at line {first})"
                source_id = entry_id if section == "sources" else None
                problems.append(Problem(composed.file, line, message, source_id))
            seen.setdefault(entry_id, line)
    return problems


def _unknown_campaign_sources(config: Config, composed: _Composed) -> list[Problem]:
    source_ids = {source.id for source in config.sources}
    problems = []
    for i, campaign in enumerate(config.campaigns):
        for j, source_id in enumerate(campaign.match.sources):
            if source_id not in source_ids:
                line = composed.line_of(("campaigns", i, "match", "sources", j))
                message = f"campaign {campaign.id!r} names unknown source {source_id!r}"
                problems.append(Problem(composed.file, line, message))
    return problems


def _digest_problems(config: Config, composed: _Composed) -> list[Problem]:
    """Digests need a mail server, and a campaign they name must exist."""
    campaign_ids = {campaign.id for campaign in config.campaigns}
    problems = []
    if config.digests and config.mail is None:
        message = "digests need a 'mail:' section: the SMTP server to send through"
        problems.append(Problem(composed.file, composed.line_of(("digests",)), message))
    return problems + [
        Problem(
            composed.file,
            composed.line_of(("digests", i, "campaign")),
            f"digest {digest.id!r} names unknown campaign {digest.campaign!r}",
        )
        for i, digest in enumerate(config.digests)
        if digest.campaign is not None and digest.campaign not in campaign_ids
    ]


def parse_config(text: str, file: str = "sources.yaml") -> Config:
    """Validate the text of a sources.yaml; raise ConfigError listing every problem."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([Problem(file, line, f"not valid YAML: {exc.problem}")]) from None
    if node is None:
        raise ConfigError([Problem(file, 1, "the file is empty; it needs at least 'version: 1'")])
    composed = _Composed(file)
    try:
        data = composed.build(node)
    except _TooLarge as exc:
        message = (
            f"more than {MAX_VALUES:,} values once aliases are expanded (nested aliases "
            "that multiply each other?); nothing was read"
        )
        raise ConfigError([Problem(file, exc.line, message)]) from None
    except RecursionError:
        raise ConfigError([Problem(file, 1, "nested too deeply to read")]) from None
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ConfigError([Problem(file, line, f"not valid YAML: {exc.problem}")]) from None
    if not isinstance(data, dict):
        raise ConfigError([Problem(file, 1, "the top level must be a mapping")])
    problems = composed.problems + _duplicate_ids(data, composed)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = composed.line_of(loc)
            problems.append(Problem(file, line, _describe(error), _source_id(data, loc)))
        raise ConfigError(problems) from None
    problems.extend(_unknown_campaign_sources(config, composed))
    problems.extend(_digest_problems(config, composed))
    if problems:
        raise ConfigError(problems)
    return config


def load_config(path: str | Path) -> Config:
    """Read and validate sources.yaml from disk."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), 1, "file not found")]) from None
    except OSError as exc:
        raise ConfigError([Problem(str(path), 1, f"cannot read: {exc}")]) from None
    if len(data) > MAX_BYTES:
        message = f"larger than {MAX_BYTES // 2**20} MiB: not a sources.yaml; nothing was read"
        raise ConfigError([Problem(str(path), 1, message)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.end].hex(" ")
        message = f"not UTF-8 at column {column} (byte {bad}); save the file as UTF-8"
        raise ConfigError([Problem(str(path), line, message)]) from None
    return parse_config(text, str(path))
