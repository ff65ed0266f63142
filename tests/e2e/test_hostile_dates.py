"""Odd years never break a reader of the store (issue 29, 1).

A feed dated year -1, year 0 or year 9999 is kept, marked as undated and said so; the
feed files, the dashboard and every feed of the service keep answering. A store written
by an older version, which wrote year 1 as '1-01-01…', is repaired when it is opened.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import httpx
from hypothesis import given
from hypothesis import strategies as st

from aggregator.core.model import Entry
from aggregator.normalize.entries import EARLIEST, normalize_entry
from aggregator.parse.dates import parse_date
from aggregator.store.rows import stored_time, to_text
from tests.helpers.atom import assert_valid_atom
from tests.helpers.cli import run_cli
from tests.helpers.old_schemas import DROP_AFTER_18
from tests.helpers.service import service
from tests.siteserver import Route

ODD_DATES = {
    "minus": "-0001-01-01T00:00:00Z",
    "zero": "0000-01-01T00:00:00Z",
    "zero-rfc": "Sat, 01 Jan 0000 00:00:00 GMT",
    "far": "9999-12-31T23:59:59-05:00",
    "old": "1970-01-01T00:00:00Z",
}
FEED = (
    "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
    "<title>Kreis</title><id>urn:kreis</id><updated>2019-08-28T10:00:00Z</updated>"
    "<link href='https://kreis.example/'/>"
    + "".join(
        f"<entry><title>Meldung {name}</title><id>urn:kreis:{name}</id>"
        f"<link href='https://kreis.example/{name}.html'/><updated>{value}</updated>"
        f"<summary>Text {name}</summary></entry>"
        for name, value in ODD_DATES.items()
    )
    + "<entry><title>Meldung gut</title><id>urn:kreis:gut</id>"
    "<link href='https://kreis.example/gut.html'/><updated>2019-08-28T10:00:00Z</updated>"
    "<summary>Text gut</summary></entry></feed>"
).encode()


def _config(site, write_config):
    site.routes["/odd.atom"] = Route(body=FEED, headers={"Content-Type": "application/atom+xml"})
    return write_config(
        "version: 1\ndefaults: {host_delay: 0s, workers: 0}\nsources:\n"
        "  - {id: kreis, name: Landkreis Beispiel, land: BB, kind: landkreis, "
        f"feeds: ['{site.url('odd.atom')}']}}\n"
    )


def test_odd_years_are_kept_undated_and_every_output_still_works(site, tmp_path, write_config):
    config = _config(site, write_config)
    db = tmp_path / "odd.db"
    env = {"AGGREGATOR_DB": str(db)}
    fetched = run_cli("--config", str(config), "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr.decode()
    said = (fetched.stdout + fetched.stderr).decode()
    assert "before 1990" in said and "0 or negative" in said, said
    rows = sqlite3.connect(db).execute("SELECT title, published, date_is_guess FROM items")
    stored = {title: (published, guess) for title, published, guess in rows}
    assert len(stored) == 6  # every item kept
    for name in ODD_DATES:
        published, guess = stored[f"Meldung {name}"]
        assert guess == 1 and published >= "2026", (name, published)
    assert stored["Meldung gut"] == ("2019-08-28T10:00:00.000000+00:00", 0)

    out = tmp_path / "out"
    written = run_cli("--config", str(config), "feed", "--out", f"{out}/", env=env)
    assert written.returncode == 0, written.stderr.decode()
    assert_valid_atom((out / "feeds" / "all.atom").read_bytes())

    with service(config, db) as (base, _process):
        for path in ("/", "/feeds/all.atom", "/feeds/all.json", "/feeds/sources/kreis.atom"):
            assert httpx.get(base + path).status_code == 200, path


def test_a_store_with_a_short_year_from_an_older_version_is_read(site, tmp_path, write_config):
    config = _config(site, write_config)
    db = tmp_path / "old.db"
    env = {"AGGREGATOR_DB": str(db)}
    assert run_cli("--config", str(config), "fetch", env=env).returncode == 0
    with sqlite3.connect(db) as connection:  # what the older version wrote for year 1
        connection.execute(
            "UPDATE items SET published = '1-01-01T00:00:00.000000+00:00', date_is_guess = 0"
            " WHERE title = 'Meldung gut'"
        )
        connection.execute("ALTER TABLE items DROP COLUMN held")  # as schema 15 was
        connection.executescript(DROP_AFTER_18)
        connection.execute("PRAGMA user_version = 15")  # before the repair
    written = run_cli("--config", str(config), "feed", env=env)
    assert written.returncode == 0, written.stderr.decode()
    assert b"Meldung gut" in written.stdout
    published, guess = (
        sqlite3.connect(db)
        .execute("SELECT published, date_is_guess FROM items WHERE title = 'Meldung gut'")
        .fetchone()
    )
    assert guess == 1 and published >= "2026"


NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


@given(st.text(max_size=60))
def test_any_date_text_parses_or_is_none(text):
    value = parse_date(text)
    assert value is None or value.tzinfo is not None


@given(st.datetimes(timezones=st.timezones()))
def test_a_normalised_item_is_always_dated_between_1990_and_tomorrow(value):
    entry = Entry("Titel", "https://kreis.example/a.html", published=value)
    item, _notes = normalize_entry(
        entry, source_id="kreis", base_url="https://kreis.example/", fetched_from="x", now=NOW
    )
    assert item is not None
    assert EARLIEST <= item.published <= NOW + timedelta(days=1)
    assert item.date_is_guess == (item.published == NOW)
    assert stored_time(to_text(item.published)) == item.published


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_stored_times_round_trip_and_sort_as_text(value):
    aware = value.replace(tzinfo=UTC)
    text = to_text(aware)
    assert stored_time(text) == aware
    assert (text < to_text(aware + timedelta(microseconds=1))) is True


@given(st.text(max_size=40))
def test_a_stored_time_never_raises(text):
    assert stored_time(text).tzinfo is not None


LINK_PIECES = st.sampled_from(
    [
        "http://",
        "https://",
        "at://",
        "javascript:",
        "//",
        "[",
        "]",
        "::1",
        ":99999",
        ":80",
        "kreis.example",
        "/presse/",
        "?utm_source=x",
        "#frag",
        "%zz",
        " ",
        "\x00",
        "ä",
        "..",
        "user@",
        "did:plc:abc",
        "127.0.0.1",
        "xn--",
        ";jsessionid=1",
    ]
)


@given(st.lists(LINK_PIECES, max_size=8).map("".join) | st.text(max_size=40))
def test_any_link_or_guid_yields_an_item_or_a_note_never_an_exception(link):
    entry = Entry("Titel", link, guid=link)
    item, _notes = normalize_entry(
        entry,
        source_id="kreis",
        base_url="https://kreis.example/presse/",
        fetched_from="x",
        now=NOW,
    )
    assert item is not None
    assert item.url is None or item.url.startswith(("http://", "https://"))
    assert item.key
