"""The values of sources.yaml and how each is read: durations ("30m", "1h30m"), sizes
("10 MiB"), URLs, slugs, Land codes, CSS selectors, official keys (AGS), e-mail addresses,
clock times and weekdays (German names too). Pure: no I/O."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator

from aggregator.config.presets import PRESETS
from aggregator.core.model import LAND_CODES

_DURATION = re.compile(r"(\d+)\s*([smhd])")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SIZE = re.compile(r"^\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*$")
_SIZE_UNITS = {None: 1, "B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def parse_duration(value: object) -> timedelta:
    """'30m', '20s', '1h30m' or a number of seconds -> timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().lower()
        parts = _DURATION.findall(text)
        if not parts or _DURATION.sub("", text).strip():
            raise ValueError(f"not a duration: {value!r} (use e.g. 20s, 30m, 1h, 1h30m)")
        seconds = float(sum(int(n) * _DURATION_UNITS[u] for n, u in parts))
    else:
        raise ValueError(f"not a duration: {value!r} (use e.g. 20s, 30m, 1h)")
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {value!r}")
    return timedelta(seconds=seconds)


def parse_delay(value: object) -> timedelta:
    """Like a duration, but zero is allowed ('0s')."""
    if value in (0, "0") or (isinstance(value, str) and re.fullmatch(r"\s*0+[smhd]?\s*", value)):
        return timedelta(0)
    return parse_duration(value)


def parse_size(value: object) -> int:
    """'10MiB', '512KiB' or a number of bytes -> bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    else:
        match = _SIZE.match(str(value))
        if not match:
            raise ValueError(f"not a size: {value!r} (use e.g. 10MiB, 512KiB)")
        size = int(match.group(1)) * _SIZE_UNITS[match.group(2)]
    if size <= 0:
        raise ValueError(f"size must be positive: {value!r}")
    return size


def check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


def check_public_url(value: str | None) -> str | None:
    """The address readers open: http(s), no query or fragment; kept without a final /."""
    if value is None:
        return None
    check_url(value)
    parts = urlsplit(value)
    if parts.query or parts.fragment:
        raise ValueError(f"a public URL has no query or fragment: {value!r}")
    return value.rstrip("/")


def check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"not a slug (lower-case letters, digits, single dashes): {value!r}")
    return value


def check_land(value: str) -> str:
    if value not in LAND_CODES:
        raise ValueError(f"unknown land code {value!r}; one of {', '.join(sorted(LAND_CODES))}")
    return value


def check_selector(value: str | None) -> str | None:
    if value is not None:
        import soupsieve  # a tenth of a second to import, and few configurations need it

        try:
            soupsieve.compile(value)
        except Exception as exc:  # soupsieve raises several types for bad syntax
            reason = str(exc).splitlines()[0]
            raise ValueError(f"invalid CSS selector {value!r}: {reason}") from None
    return value


def check_preset(value: str | None) -> str | None:
    if value is not None and value not in PRESETS:
        raise ValueError(f"unknown preset {value!r}; one of {', '.join(PRESETS)}")
    return value


def ags_text(value: object) -> object:
    if isinstance(value, int):  # YAML reads 05113 as an octal number, 08426 as text
        raise ValueError('write the ags in quotes (ags: "05113"), else YAML reads it as a number')
    return value


def check_ags(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{5}(\d{3})?", value):
        raise ValueError(
            f"ags {value!r} is not an official key: 5 digits for a Kreis, 8 for a city"
        )
    return value


Url = Annotated[str, AfterValidator(check_url)]
Slug = Annotated[str, AfterValidator(check_slug)]
LandCode = Annotated[str, AfterValidator(check_land)]
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Delay = Annotated[timedelta, BeforeValidator(parse_delay)]
Size = Annotated[int, BeforeValidator(parse_size)]
Selector = Annotated[str | None, AfterValidator(check_selector)]
Ags = Annotated[str | None, BeforeValidator(ags_text), AfterValidator(check_ags)]
Kind = Literal["landkreis", "kreisfreie-stadt", "region"]
Field_ = Literal["title", "summary", "content"]


_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_GERMAN_WEEKDAYS = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")


def check_address(value: str) -> str:
    if not _ADDRESS.match(value):
        raise ValueError(f"not an e-mail address: {value!r}")
    return value


def check_sender(value: str) -> str:
    """'Name <address>' or a bare address."""
    from email.utils import parseaddr

    check_address(parseaddr(value)[1] or value)
    return value


def clock_time(value: object) -> object:
    """'08:00' -> 08:00. YAML 1.1 reads an unquoted 8:30 as the number 510 (base 60), so a
    number is read back as hours and minutes."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hours, minutes = (int(part) for part in value.strip().split(":"))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    if isinstance(value, time):
        return value
    raise ValueError(f'not a time of day: {value!r} (use e.g. "08:00")')


def weekday(value: object) -> object:
    text = str(value).strip().lower()
    if text in _GERMAN_WEEKDAYS:
        return WEEKDAYS[_GERMAN_WEEKDAYS.index(text)]
    return text


def check_env_name(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError(f"not the name of an environment variable: {value!r}")
    return value


Address = Annotated[str, AfterValidator(check_address)]
ClockTime = Annotated[time, BeforeValidator(clock_time)]
Weekday = Annotated[
    Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    BeforeValidator(weekday),
]
