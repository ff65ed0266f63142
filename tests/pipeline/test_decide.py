"""The refresh's decisions from values alone (pipeline.decide), table-driven: no
server, no store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.core.backoff import backoff_delay
from aggregator.core.model import FetchState
from aggregator.pipeline.decide import (
    keep_paging,
    needs_detail,
    next_attempt,
    parse_retry_after,
    skip_reason,
)

NOW = datetime(2019, 8, 28, 10, 0, tzinfo=UTC)
URL = "https://www.example-lk.de/presse/"


def state(**fields: object) -> FetchState:
    return FetchState(URL, "spree-neisse", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "force", "reason"),
    [
        (None, False, None),  # never fetched
        (state(), False, None),
        (state(gone=True), False, "gone (HTTP 410)"),
        (state(gone=True), True, "gone (HTTP 410)"),  # force never revives a 410
        (
            state(next_attempt=NOW + timedelta(hours=1), consecutive_failures=3),
            False,
            "backing off after 3 failures; next attempt 28.08.2019 13:00",
        ),  # Berlin time
        (state(next_attempt=NOW + timedelta(hours=1), consecutive_failures=3), True, None),
        (state(next_attempt=NOW - timedelta(seconds=1), consecutive_failures=3), False, None),
    ],
)
def test_whether_a_url_is_fetched_now(current, force, reason):
    said = skip_reason(current, NOW, force)
    assert (said is None) == (reason is None)
    if reason is not None:
        assert said is not None and said.startswith(reason)


@pytest.mark.parametrize(
    ("failures", "jitter", "expected"),
    [
        (1, 1.0, timedelta(minutes=30)),
        (2, 1.0, timedelta(hours=1)),
        (4, 1.0, timedelta(hours=4)),
        (20, 1.0, timedelta(hours=24)),  # the cap
        (2, 1.2, timedelta(hours=1, minutes=12)),
        (0, 1.0, timedelta(minutes=30)),
    ],
)
def test_backoff_doubles_from_the_interval_up_to_the_cap(failures, jitter, expected):
    assert backoff_delay(failures, timedelta(minutes=30), timedelta(hours=24), jitter) == expected


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        (None, NOW + timedelta(minutes=30)),
        (timedelta(minutes=5), NOW + timedelta(minutes=30)),  # asks for less: ours wins
        (timedelta(hours=3), NOW + timedelta(hours=3)),  # asks for more: the server wins
        (timedelta(days=9), NOW + timedelta(hours=24)),  # never beyond the cap
    ],
)
def test_retry_after_wins_when_it_asks_for_more(retry_after, expected):
    interval, cap = timedelta(minutes=30), timedelta(hours=24)
    assert next_attempt(NOW, 1, interval, cap, retry_after) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        ("Wed, 28 Aug 2019 11:00:00 GMT", timedelta(hours=1)),
        ("Wed, 28 Aug 2019 09:00:00 GMT", timedelta(0)),  # in the past
        ("bald", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_seconds_or_an_http_date(value, expected):
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("has_link", "follow", "guessed_date", "stored", "expected"),
    [
        (True, False, True, None, True),  # undated and new: its page has the date
        (True, True, False, None, True),  # full texts asked for
        (True, False, False, None, False),  # dated, no full text wanted
        (True, True, False, "fp", False),  # stored unchanged: read once is enough
        (True, True, False, "old", True),  # changed since: read again
        (False, True, True, None, False),  # no page to read
    ],
)
def test_whether_an_items_own_page_is_read(has_link, follow, guessed_date, stored, expected):
    assert needs_detail(has_link, follow, guessed_date, stored, "fp") is expected


@pytest.mark.parametrize(
    ("known", "next_url", "expected"),
    [
        ([False, False, False], "https://e.de/?page=2", True),  # all new: more may wait
        ([False, True, False], "https://e.de/?page=2", False),  # caught up
        ([], "https://e.de/?page=2", False),  # an empty page
        ([False, False], None, False),  # the last page
    ],
)
def test_whether_a_listing_is_followed_to_its_next_page(known, next_url, expected):
    assert keep_paging(known, next_url) is expected
