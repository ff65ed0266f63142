"""Every error the aggregator raises on purpose, under one root, so that a caller can
tell "our kind of failure, with a message for the operator" from a bug."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from aggregator.core.kinds import Failure


class AggregatorError(Exception):
    """A failure the program expects and can name: bad configuration, an unreachable or
    unreadable source, an unusable database, a dead worker process."""


@dataclass(frozen=True)
class Problem:
    """One problem of sources.yaml, tied to its file, line and source."""

    file: str
    line: int
    message: str
    source_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        who = f" [source {self.source_id}]" if self.source_id else ""
        return f"{where}:{who} {self.message}"


class ConfigError(AggregatorError):
    """sources.yaml is unusable; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class FetchError(AggregatorError):
    """A request failed; `transient` errors are worth one more try in the same cycle.
    The family (timeouts, refused connections, HTTP statuses …) lives in fetch.client."""

    transient = False
    failure: ClassVar[Failure] = Failure.FETCH

    @property
    def kind(self) -> Failure:
        return self.failure


class ParseError(AggregatorError):
    """The body is not something we can take items from."""


class StorageError(AggregatorError):
    """The database cannot be used (full disk, read-only, not a database, corrupt,
    newer schema): not a problem of any source, so commands stop on it."""

    def __init__(self, path: str, cause: str, detail: str = "") -> None:
        self.path, self.cause = path, cause
        super().__init__(f"database {path}: {cause}" + (f" ({detail})" if detail else ""))


class SchemaError(StorageError):
    """A schema this version of the program did not write."""


class WorkerError(AggregatorError):
    """The worker process reading a document died (twice): the document may be fine, so
    this is not a ParseError."""
