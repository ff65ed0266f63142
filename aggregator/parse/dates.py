"""Dates as German press offices write them, and as feeds write them.

`28.08.2019`, `28.8.19`, `28. August 2019`, `Mi., 28.08.2019, 14:30 Uhr`,
`2019-08-28`, RFC 822 and ISO 8601. A date without a time is 00:00 in Berlin;
a time without a zone is Berlin time. Results are aware datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime

from aggregator.core.time import BERLIN

# Each month's spellings in press texts, January first.
_MONTH_SPELLINGS = (
    "januar jan jänner jaenner",
    "februar feb febr",
    "märz maerz mär mrz marz",
    "april apr",
    "mai",
    "juni jun",
    "juli jul",
    "august aug",
    "september sept sep",
    "oktober okt",
    "november nov",
    "dezember dez",
)
_MONTHS = {
    spelling: number
    for number, spellings in enumerate(_MONTH_SPELLINGS, start=1)
    for spelling in spellings.split()
}

_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?![\d])")
_TEXTUAL = re.compile(
    rf"(?<!\d)(\d{{1,2}})\.?\s*({_MONTH_NAMES})\.?\s+(\d{{4}})(?!\d)", re.IGNORECASE
)
_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
# A year no calendar of ours has: negative, or 0000 (which RFC 822 readers take for 2000)
_NO_YEAR = re.compile(r"^\s*(?:-\d{4,}-|0000-|(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+0000\b)")
NOT_A_YEAR = datetime(1, 1, 1, tzinfo=UTC)  # stands for such a date: normalising drops it
_TIME_AFTER = re.compile(r"^\s*(?:[,|–-]\s*)?(?:um\s+)?(\d{1,2})(?::(\d{2})|\.(\d{2})(?=\s*Uhr))")


def month_pattern() -> str:
    """A regular expression alternative of the German month names and short forms."""
    return _MONTH_NAMES


def month_number(name: str) -> int | None:
    """'August', 'Aug', 'märz' -> 8, 8, 3."""
    return _MONTHS.get(name.lower().rstrip("."))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _time_after(rest: str) -> tuple[int, int]:
    match = _TIME_AFTER.match(rest)
    if not match:
        return 0, 0
    hour, minute = int(match.group(1)), int(match.group(2) or match.group(3))
    if hour > 23 or minute > 59:
        return 0, 0
    return hour, minute


def _build(year: int, month: int, day: int, hour: int, minute: int, tz: tzinfo) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        return None


def _from_iso(match: re.Match[str], tz: tzinfo) -> datetime | None:
    text = match.group(0).replace(" ", "T", 1)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def find_date(text: str, tz: tzinfo = BERLIN) -> datetime | None:
    """The first date written in `text` (German or ISO forms), else None."""
    found = find_date_at(text, tz)
    return found[1] if found else None


def find_date_at(text: str, tz: tzinfo = BERLIN) -> tuple[int, datetime] | None:
    """The first date written in `text` and where it starts. Callers that want a date
    near the start ask this rather than cutting the text, which can cut a date in two
    ("15.05.20|23" read as 2020)."""
    if not text:
        return None
    candidates: list[tuple[int, datetime]] = []
    for match in _ISO.finditer(text):
        value = _from_iso(match, tz)
        if value:
            candidates.append((match.start(), value))
            break
    for pattern in (_NUMERIC, _TEXTUAL):
        for match in pattern.finditer(text):
            day, month_text, year_text = match.groups()
            month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower()]
            hour, minute = _time_after(text[match.end() :])
            value = _build(_year(year_text), month, int(day), hour, minute, tz)
            if value:
                candidates.append((match.start(), value))
                break
    if not candidates:
        return None
    return min(candidates, key=lambda pair: pair[0])


def parse_date(text: str | None, tz: tzinfo = BERLIN) -> datetime | None:
    """A date string from a feed or a page -> aware datetime, or None.

    RFC 822 (RSS) is tried first, as a date of that form can contain digits that
    look like other forms; then the forms `find_date` knows.
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    if _NO_YEAR.match(text):
        return NOT_A_YEAR
    if re.match(r"^([A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d", text):
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            value = None
        if value:
            return value if value.tzinfo else value.replace(tzinfo=tz)
    return find_date(text, tz)
