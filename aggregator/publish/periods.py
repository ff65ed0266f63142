"""When a digest is due, and for which period (pure: the clock comes in).

A period is what one digest covers and the key its delivery is recorded under, so
that it goes out once: a day ("2026-12-04"), an ISO week ("2026-W49") or, for
`during-campaign`, a day of the window and then the summary ("abschluss"). The due
period is the latest whose time has come; a period stays due until the next one
replaces it, or, for the last of a campaign, for a week: a service that was down at
eight sends the morning's digest when it is back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aggregator.config.schema import Campaign, Digest
from aggregator.config.values import WEEKDAYS
from aggregator.core.time import BERLIN

SUMMARY = "abschluss"
LAST_GRACE = timedelta(days=7)  # how long a campaign's summary stays due
_DAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_MONTHS = tuple(
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
)


@dataclass(frozen=True)
class Period:
    key: str
    due: datetime  # when it became due (aware)
    since: datetime | None  # a first digest holds what arrived since then; None: all
    label: str  # for people: "Freitag, 4. Dezember 2026"
    summary: bool = False  # the whole campaign, not only what is new


def german_date(day: date) -> str:
    return f"{_DAY_NAMES[day.weekday()]}, {day.day}. {_MONTHS[day.month - 1]} {day.year}"


def _slot(day: date, digest: Digest) -> datetime:
    return datetime.combine(day, digest.at, tzinfo=BERLIN)


def _daily(digest: Digest, now: datetime) -> Period:
    today = now.astimezone(BERLIN).date()
    day = today if _slot(today, digest) <= now else today - timedelta(days=1)
    due = _slot(day, digest)
    return Period(day.isoformat(), due, due - timedelta(days=1), german_date(day))


def _weekly(digest: Digest, now: datetime) -> Period:
    today = now.astimezone(BERLIN).date()
    day = today - timedelta(days=(today.weekday() - WEEKDAYS.index(digest.day)) % 7)
    if _slot(day, digest) > now:
        day -= timedelta(days=7)
    due = _slot(day, digest)
    year, week, _ = day.isocalendar()
    label = f"Woche {week}/{year} (bis {german_date(day)})"
    return Period(f"{year}-W{week:02d}", due, due - timedelta(days=7), label)


def _during(digest: Digest, campaign: Campaign, now: datetime) -> Period | None:
    first, last = campaign.first_day, campaign.last_day
    if last is not None and now >= (summary_due := _slot(last + timedelta(days=1), digest)):
        if now - summary_due > LAST_GRACE:
            return None
        return Period(SUMMARY, summary_due, None, f"Abschluss: {campaign.title}", summary=True)
    if now < _slot(first, digest):
        return None
    daily = _daily(digest, now)
    since = None if daily.key == first.isoformat() else daily.since  # the first: everything
    return Period(daily.key, daily.due, since, daily.label)


def due_period(digest: Digest, campaign: Campaign | None, now: datetime) -> Period | None:
    """The period to send now if it has not gone out yet; None when nothing is due."""
    if digest.schedule == "daily":
        return _daily(digest, now)
    if digest.schedule == "weekly":
        return _weekly(digest, now)
    assert campaign is not None  # the schema requires it for during-campaign
    return _during(digest, campaign, now)
