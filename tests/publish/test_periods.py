"""When a digest is due and which period it covers, across days, weeks, a campaign's
window and the change to summer time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from aggregator.config.schema import Campaign, Digest
from aggregator.core.time import BERLIN
from aggregator.publish.periods import SUMMARY, due_period

CAMPAIGN = Campaign.model_validate(
    {
        "id": "aktionswoche-2022",
        "title": "Aktionswoche 2022",
        "window": {"start": "2022-06-20", "end": "2022-06-26"},
        "match": {"any": ["Aktionswoche"]},
    }
)


def digest(**fields: object) -> Digest:
    return Digest.model_validate({"id": "team", "to": ["a@kreis.example"]} | fields)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_daily_is_due_from_its_time_until_the_next_day():
    daily = digest(schedule="daily", at="08:00")
    before = due_period(daily, None, berlin(2026, 12, 4, 7, 59))
    after = due_period(daily, None, berlin(2026, 12, 4, 8, 0))
    assert before is not None and before.key == "2026-12-03"
    assert after is not None and after.key == "2026-12-04"
    assert after.due == berlin(2026, 12, 4, 8, 0)
    assert after.since == after.due - timedelta(days=1)
    assert after.label == "Freitag, 4. Dezember 2026"


def test_a_daily_time_follows_berlin_across_summer_time():
    daily = digest(at="08:00")
    winter = due_period(daily, None, datetime(2026, 3, 28, 7, 30, tzinfo=UTC))
    summer = due_period(daily, None, datetime(2026, 3, 29, 6, 30, tzinfo=UTC))
    assert winter is not None and winter.due.astimezone(UTC).hour == 7
    assert summer is not None and summer.key == "2026-03-29"
    assert summer.due.astimezone(UTC).hour == 6  # 08:00 in summer is 06:00 UTC


def test_weekly_is_due_on_its_day_and_named_by_iso_week():
    weekly = digest(schedule="weekly", day="montag", at="9:30")
    assert weekly.day == "monday" and weekly.at == time(9, 30)
    sunday = due_period(weekly, None, berlin(2026, 12, 6, 23, 0))  # Sunday
    monday = due_period(weekly, None, berlin(2026, 12, 7, 9, 30))
    assert sunday is not None and sunday.key == "2026-W49"
    assert sunday.due == berlin(2026, 11, 30, 9, 30)
    assert monday is not None and monday.key == "2026-W50"
    assert monday.since == berlin(2026, 11, 30, 9, 30)


def test_during_a_campaign_daily_then_a_summary_then_nothing():
    during = digest(schedule="during-campaign", campaign="aktionswoche-2022", at="18:00")
    assert due_period(during, CAMPAIGN, berlin(2022, 6, 20, 17, 0)) is None
    first = due_period(during, CAMPAIGN, berlin(2022, 6, 20, 18, 0))
    assert first is not None and first.key == "2022-06-20" and first.since is None
    later = due_period(during, CAMPAIGN, berlin(2022, 6, 23, 19, 0))
    assert later is not None and later.key == "2022-06-23" and later.since is not None
    last_day = due_period(during, CAMPAIGN, berlin(2022, 6, 27, 17, 59))
    assert last_day is not None and last_day.key == "2022-06-26"
    summary = due_period(during, CAMPAIGN, berlin(2022, 6, 27, 18, 0))
    assert summary is not None and summary.key == SUMMARY and summary.summary
    assert due_period(during, CAMPAIGN, berlin(2022, 7, 5, 18, 0)) is None  # a week later


def test_the_period_does_not_depend_on_the_zone_of_the_clock():
    daily = digest(at="00:30")
    moment = berlin(2026, 12, 4, 0, 45)
    in_utc = due_period(daily, None, moment.astimezone(UTC))
    assert in_utc is not None and in_utc.key == date(2026, 12, 4).isoformat()
