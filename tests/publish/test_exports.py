"""The export tables and their files: read back with the csv module and openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl

from aggregator.config.schema import Campaign, Config, MatchRules, Source, Window
from aggregator.core.kinds import Health
from aggregator.core.model import Item, StoredItem
from aggregator.publish.exports import campaign_items, participation
from aggregator.publish.health import SourceHealth
from aggregator.publish.spreadsheets import to_csv, to_xlsx
from tests.helpers.checks import present

CAMPAIGN = Campaign(
    id="aktionswoche-2019",
    title="Aktionswoche 2019",
    window=Window(start=date(2019, 8, 19), end=date(2019, 9, 6)),
    match=MatchRules(any=("Aktionswoche*",)),
)
SOURCES = (
    Source(
        id="spree-neisse",
        name="Landkreis Spree-Neiße",
        land="BB",
        kind="landkreis",
        ags="12071",
        feeds=("https://spn.example/rss",),
    ),
    Source(
        id="offenbach",
        name="Kreis Offenbach",
        land="HE",
        kind="landkreis",
        feeds=("https://of.example/rss",),
    ),
    Source(
        id="kaputt",
        name="Landkreis Kaputt",
        land="TH",
        kind="landkreis",
        feeds=("https://kaputt.example/rss",),
    ),
    Source(
        id="unbekannt", name="Stadt Ohneseite", land="BB", kind="kreisfreie-stadt", enabled=False
    ),
)
CONFIG = Config(version=1, campaigns=(CAMPAIGN,), sources=SOURCES)
BY_ID = {source.id: source for source in SOURCES}


def stored(source_id: str, key: str, title: str, published: datetime, **kw: object) -> StoredItem:
    item = Item(
        source_id=source_id,
        key=key,
        url=f"https://{source_id}.example/{key}",
        title=title,
        summary_html="",
        summary_text=str(kw.pop("teaser", "")),
        content_html="",
        published=published,
        date_is_guess=bool(kw.pop("guess", False)),
        fingerprint=key,
        fetched_from="https://x.example/",
    )
    return StoredItem(item, published, published, ("aktionswoche-2019",), **kw)  # type: ignore[arg-type]


ITEMS = [
    stored(
        "offenbach",
        "b",
        "Aktionswoche im Kreis Offenbach",
        datetime(2019, 8, 28, 9, tzinfo=UTC),
        group_id="g-1",
        group_size=2,
        teaser="Gemeinsam mit dem Landkreistag …",
    ),
    stored(
        "spree-neisse",
        "a",
        "Bundesweite Aktionswoche im Jobcenter Spree-Neiße",
        datetime(2019, 8, 26, 22, 30, tzinfo=UTC),
        guess=True,
    ),
    stored(
        "spree-neisse",
        "c",
        '=HYPERLINK("https://evil.example","Aktionswoche")\x07',
        datetime(2019, 8, 29, 12, tzinfo=UTC),
    ),
]
REASONS = {("offenbach", "b"): "title: Aktionswoche*", ("spree-neisse", "a"): "summary: x"}


def health(source_id: str, status: str, failures: int = 0) -> SourceHealth:
    problem = "HTTP 500 Internal Server Error" if failures else None
    return SourceHealth(source_id, None, None, Health(status), failures, None, 0, 0, problem)


def test_items_are_in_date_order_with_berlin_times_and_the_matching_rule():
    table = campaign_items(CAMPAIGN, ITEMS, BY_ID, REASONS)
    rows = [dict(zip(table.headings, row, strict=True)) for row in table.rows]
    assert [str(r["Titel"])[:20] for r in rows] == [
        "Bundesweite Aktionsw",
        "Aktionswoche im Krei",
        '=HYPERLINK("https://',
    ]
    # 22:30 UTC on the 26th is half past midnight on the 27th in Berlin (summer time)
    assert rows[0]["Datum"] == datetime(2019, 8, 27, 0, 30)
    assert rows[0]["Datum geschätzt"] == "ja" and rows[1]["Datum geschätzt"] == "nein"
    assert rows[0]["Jobcenter"] == "Landkreis Spree-Neiße" and rows[0]["Land"] == "Brandenburg"
    assert rows[1]["Gemeinsame Meldung"] == "g-1" and rows[1]["Jobcenter mit dieser Meldung"] == 2
    assert rows[0]["Gemeinsame Meldung"] is None
    assert rows[1]["Erkannt durch"] == "title: Aktionswoche*" and rows[2]["Erkannt durch"] is None
    assert rows[1]["Anriss"] == "Gemeinsam mit dem Landkreistag …" and rows[0]["Anriss"] is None


def test_participation_says_per_jobcenter_what_it_published_and_whether_we_could_see_it():
    states = [
        health("spree-neisse", "ok"),
        health("offenbach", "ok"),
        health("kaputt", "error", failures=3),
    ]
    table = participation(CONFIG, CAMPAIGN, ITEMS, states)
    rows = {row[0]: dict(zip(table.headings, row, strict=True)) for row in table.rows}
    assert list(rows) == [  # Länder in their usual order, then by name
        "Landkreis Spree-Neiße",
        "Stadt Ohneseite",
        "Kreis Offenbach",
        "Landkreis Kaputt",
    ]
    spn = rows["Landkreis Spree-Neiße"]
    assert (spn["Meldungen"], spn["AGS"], spn["Verfolgt"]) == (2, "12071", "ja")
    assert spn["Erste Meldung"] == datetime(2019, 8, 27, 0, 30)
    assert spn["Letzte Meldung"] == datetime(2019, 8, 29, 14, 0)
    assert rows["Landkreis Kaputt"]["Zustand der Quelle"] == "gestört"
    assert rows["Landkreis Kaputt"]["Problem"] == "HTTP 500 Internal Server Error"
    assert rows["Landkreis Kaputt"]["Meldungen"] == 0
    assert rows["Landkreis Kaputt"]["Erste Meldung"] is None
    assert rows["Stadt Ohneseite"]["Verfolgt"] == "nein"
    assert rows["Stadt Ohneseite"]["Art"] == "Kreisfreie Stadt"
    assert rows["Kreis Offenbach"]["Zustand der Quelle"] == "in Ordnung"


def test_csv_opens_in_german_excel_and_defuses_formulas():
    document = to_csv(campaign_items(CAMPAIGN, ITEMS, BY_ID, REASONS))
    assert document.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    assert b"\r\n" in document
    rows = list(csv.reader(io.StringIO(document.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Jobcenter", "Land", "Art", "Datum"]
    assert rows[1][0] == "Landkreis Spree-Neiße" and rows[1][3] == "27.08.2019 00:30"
    hostile = rows[3][6]
    assert hostile == "'" + '=HYPERLINK("https://evil.example","Aktionswoche")'  # no \x07
    assert all(len(row) == len(rows[0]) for row in rows)


def test_xlsx_holds_both_sheets_with_dates_as_dates_and_text_never_as_formula():
    items = campaign_items(CAMPAIGN, ITEMS, BY_ID, REASONS)
    per_jobcenter = participation(CONFIG, CAMPAIGN, ITEMS, [])
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(items, per_jobcenter)))
    assert workbook.sheetnames == ["Meldungen", "Beteiligung"]
    sheet = workbook["Meldungen"]
    assert [cell.value for cell in sheet[1]][:3] == ["Jobcenter", "Land", "Art"]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:L{len(ITEMS) + 1}"
    assert sheet["D2"].value == datetime(2019, 8, 27, 0, 30) and sheet["D2"].is_date
    hostile = sheet["G4"]
    assert hostile.data_type == "s"
    assert hostile.value == '=HYPERLINK("https://evil.example","Aktionswoche")'
    assert sheet["K3"].value == 2  # a number, not text
    waiting = workbook["Beteiligung"]
    assert waiting.max_row == len(SOURCES) + 1
    assert waiting["I3"].value == "nicht verfolgt (keine Seite bekannt)"
    assert waiting["I2"].value == "noch nicht abgerufen"


def test_a_day_without_a_known_time_is_exported_as_a_day():
    """Known only by its day (midnight in Berlin), an item shows "22.08.2019", not
    "22.08.2019 00:00"; one with its time keeps the time (issue 31, 9)."""
    items = [
        stored("offenbach", "tag", "Nur ein Tag", datetime(2019, 8, 21, 22, tzinfo=UTC)),
        stored("offenbach", "zeit", "Mit Uhrzeit", datetime(2019, 8, 22, 8, 15, tzinfo=UTC)),
    ]
    table = campaign_items(CAMPAIGN, items, BY_ID, {})
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig")), delimiter=";"))
    days = {row[6]: row[3] for row in rows[1:]}
    assert days == {"Nur ein Tag": "22.08.2019", "Mit Uhrzeit": "22.08.2019 10:15"}
    sheet = present(openpyxl.load_workbook(io.BytesIO(to_xlsx(table))).active)
    formats = {
        sheet.cell(row=n, column=7).value: sheet.cell(row=n, column=4).number_format for n in (2, 3)
    }
    assert formats == {"Nur ein Tag": "DD.MM.YYYY", "Mit Uhrzeit": "DD.MM.YYYY HH:MM"}
