from datetime import UTC, datetime

import pytest

from aggregator.core.time import BERLIN
from aggregator.parse.dates import find_date, parse_date
from tests.helpers.checks import present


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28.08.2019", berlin(2019, 8, 28)),
        ("28.8.2019", berlin(2019, 8, 28)),
        ("28.08.19", berlin(2019, 8, 28)),
        ("28. August 2019", berlin(2019, 8, 28)),
        ("28. Aug. 2019", berlin(2019, 8, 28)),
        ("1. Sept. 2019", berlin(2019, 9, 1)),
        ("3. März 2020", berlin(2020, 3, 3)),
        ("3. Maerz 2020", berlin(2020, 3, 3)),
        ("Mi., 28.08.2019", berlin(2019, 8, 28)),
        ("Mittwoch, 28. August 2019", berlin(2019, 8, 28)),
        ("28.08.2019, 14:30 Uhr", berlin(2019, 8, 28, 14, 30)),
        ("28.08.2019 14.30 Uhr", berlin(2019, 8, 28, 14, 30)),
        ("2019-08-28", berlin(2019, 8, 28)),
        ("2019-08-28T14:30:00+02:00", berlin(2019, 8, 28, 14, 30)),
        ("2019-08-28T12:30:00Z", datetime(2019, 8, 28, 12, 30, tzinfo=UTC)),
        ("Wed, 28 Aug 2019 14:30:00 +0200", berlin(2019, 8, 28, 14, 30)),
        ("Wed, 28 Aug 2019 12:30:00 GMT", datetime(2019, 8, 28, 12, 30, tzinfo=UTC)),
        ("Wed, 28 Aug 2019 14:30:00", berlin(2019, 8, 28, 14, 30)),
        ("Pressemitteilung Nr. 175/2019, 28.08.2019 – Aktionswoche", berlin(2019, 8, 28)),
    ],
)
def test_press_office_date_forms(text, expected):
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed.utcoffset() is not None


def test_a_date_without_time_is_midnight_in_berlin_summer_and_winter():
    assert present(parse_date("28.08.2019")).isoformat() == "2019-08-28T00:00:00+02:00"
    assert present(parse_date("12.12.2019")).isoformat() == "2019-12-12T00:00:00+01:00"


@pytest.mark.parametrize("text", ["", "   ", "31.02.2019", "Version 1.2.3", "Nr. 175/2019", None])
def test_not_a_date(text):
    assert parse_date(text) is None


def test_find_date_takes_the_first_date_in_running_text():
    text = "Veröffentlicht am 27.08.2019 – Rückblick auf den 20.08.2019"
    assert find_date(text) == berlin(2019, 8, 27)
