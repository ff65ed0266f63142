"""The days a text speaks of: what an undated item's own words say about when it is.

"Während der Aktionswoche vom 26. bis 30. August 2019", "vom 20.–26.06.2022", "am
28.08.2019", "im Juni 2022": each is a span of days (a month named with its year is the
whole month). Campaign rules use them to place a text in a phase when its publication
date is unknown, and say so. Pure.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from aggregator.parse.dates import month_number, month_pattern

_MONTH = month_pattern()  # German month names and their short forms
_TO = r"\s*(?:–|—|-|/|und|bis(?:\s+(?:zum|einschließlich))?)\s*"
_YEAR = r"((?:19|20)\d{2})"
# "26. bis 30. August 2019", "26.–30.08.2019", "26.08. bis 30.08.2019", "20. - 26. Juni 2022"
_RANGE = re.compile(
    rf"(?<![\d.])(\d{{1,2}})\.(?:\s?(\d{{1,2}})\.)?{_TO}(\d{{1,2}})\.\s?"
    rf"(?:(\d{{1,2}})\.\s?|({_MONTH})\.?\s+){_YEAR}(?!\d)",
    re.IGNORECASE,
)
# "28.08.2019", "28. August 2019", "28.8.19"
_DAY = re.compile(
    rf"(?<![\d.])(\d{{1,2}})\.\s?(?:(\d{{1,2}})\.\s?|({_MONTH})\.?\s+)((?:19|20)?\d{{2}})(?![\d.]\d)",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"(?<![\d.]\s)(?<![\d.])\b({_MONTH})\.?\s+{_YEAR}(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Span:
    """Days a text names: from `first` to `last`, as it wrote them (`quote`)."""

    first: date
    last: date
    quote: str
    whole_month: bool = False

    def __str__(self) -> str:
        if self.whole_month:
            return f"{self.quote!r} ({self.first:%m.%Y})"
        if self.first == self.last:
            return f"{self.quote!r} ({self.first:%d.%m.%Y})"
        return f"{self.quote!r} ({self.first:%d.%m.}–{self.last:%d.%m.%Y})"


def _month(number: str | None, name: str | None) -> int | None:
    if number:
        value = int(number)
        return value if 1 <= value <= 12 else None
    return month_number(name) if name else None


def _day(year: int, month: int | None, day: int) -> date | None:
    if month is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _ranges(text: str) -> list[tuple[int, int, Span]]:
    found = []
    for m in _RANGE.finditer(text):
        first_day, first_month, last_day, last_month, last_name, year = m.groups()
        month = _month(last_month, last_name)
        last = _day(int(year), month, int(last_day))
        first = _day(int(year), _month(first_month, None) or month, int(first_day))
        if first and last and first <= last and (last - first).days <= 31:
            found.append((m.start(), m.end(), Span(first, last, m.group(0))))
    return found


def _days(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, Span]]:
    found = []
    for m in _DAY.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        day, month_text, month_name, year_text = m.groups()
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        value = _day(year, _month(month_text, month_name), int(day))
        if value:
            found.append((m.start(), m.end(), Span(value, value, m.group(0))))
    return found


def _months(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, Span]]:
    found = []
    for m in _MONTH_YEAR.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        month, year = month_number(m.group(1)), int(m.group(2))
        if month is None:
            continue
        last = calendar.monthrange(year, month)[1]
        span = Span(date(year, month, 1), date(year, month, last), m.group(0), whole_month=True)
        found.append((m.start(), m.end(), span))
    return found


def spans(text: str) -> list[Span]:
    """Every span of days `text` names, in the order it names them."""
    if not text or not any(ch.isdigit() for ch in text):
        return []
    found = _ranges(text)
    found += _days(text, [(a, b) for a, b, _ in found])
    found += _months(text, [(a, b) for a, b, _ in found])
    return [span for _, _, span in sorted(found, key=lambda f: f[0])]


def overlapping(found: list[Span], first: date, last: date) -> Span | None:
    """The first span that shares a day with first..last."""
    return next((s for s in found if s.first <= last and s.last >= first), None)
