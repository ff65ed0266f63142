"""Every error the aggregator raises on purpose, under one root, so that a caller can
tell "our kind of failure, with a message for the operator" from a bug.

AggregatorError
├── ConfigError                 sources.yaml is unusable (every problem, file and line)
├── FetchError                  a request failed (`kind`: a Failure; `transient`)
│   ├── FetchTimeout
│   ├── ConnectFailed
│   │   └── DNSFailed
│   ├── TLSFailed
│   ├── TooLarge
│   ├── RedirectFailed
│   │   └── AddressRefused      led to an internal address nobody configured
│   ├── RobotsDisallowed
│   ├── RobotsUnavailable
│   └── HTTPStatusFailed        (410: kind GONE)
├── ParseError                  a body we cannot take items from
├── WorkerError                 the process reading a document died
├── StorageError                the database cannot be used
│   └── SchemaError             a schema this version did not write
├── SmtpSetupError              the mail settings cannot work (password variable)
├── CannotStart                 the service cannot start (address in use, locked)
├── WeakPassword                a password too short to be worth hashing
└── CurationError               an editor's decision that cannot be taken
    └── NotUndoable             none such, undone already, or a later one rests on it

Errors the web edge answers with a status (a bad query, a refused form, a refused or
too busy hub request) are its own, in aggregator.web; private control flow (`_Declined`,
`_TooLarge`) never leaves its module.
"""

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


class FetchTimeout(FetchError):
    """No complete answer in time. Not retried in the same cycle: the server already had
    the whole timeout, and asking again at once doubles the wait and its load."""

    failure = Failure.TIMEOUT


class ConnectFailed(FetchError):
    """Connection refused or reset."""

    failure = Failure.CONNECT
    transient = True


class DNSFailed(ConnectFailed):
    failure = Failure.DNS
    transient = False


class TLSFailed(FetchError):
    failure = Failure.TLS


class TooLarge(FetchError):
    failure = Failure.TOO_LARGE


class RedirectFailed(FetchError):
    failure = Failure.REDIRECT


class AddressRefused(RedirectFailed):
    """The URL leads to an internal address the operator did not configure."""

    def __init__(self, message: str, origin: str, address: str) -> None:
        super().__init__(message)
        self.origin, self.address = origin, address


class RobotsDisallowed(FetchError):
    """robots.txt asks us not to fetch this URL."""

    failure = Failure.ROBOTS_DISALLOWED


class RobotsUnavailable(FetchError):
    """robots.txt answered 5xx: we may not know the rules, so we try later (RFC 9309)."""

    failure = Failure.ROBOTS_UNAVAILABLE


class HTTPStatusFailed(FetchError):
    failure = Failure.HTTP_STATUS

    def __init__(self, status: int, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def kind(self) -> Failure:
        return Failure.GONE if self.status == 410 else Failure.HTTP_STATUS

    @property
    def transient(self) -> bool:  # type: ignore[override]
        return self.status >= 500 and not self.retry_after


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


class SmtpSetupError(AggregatorError):
    """The mail settings cannot work: the password's variable is unset or unusable."""


class CannotStart(AggregatorError):
    """The service cannot start: its address is in use, or another one holds the lock."""


class WeakPassword(AggregatorError):
    """A password too short to be worth hashing."""


class CurationError(AggregatorError):
    """An editor's decision that cannot be taken: unknown campaign or item, no reason,
    a bad date."""


class NotUndoable(CurationError):
    """The decision does not exist, is undone already, or a later one rests on it."""
