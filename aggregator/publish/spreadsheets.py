"""Tables as files German Excel opens as they are: CSV in UTF-8 with a byte order mark
and `;` (Excel's German list separator), and XLSX written by openpyxl (imported here
only: the feeds never load it).

Scraped text is hostile: a title beginning with `=` would be a formula in Excel (CSV
injection), and a control character makes openpyxl refuse the whole file. In XLSX every
text is a text cell; in CSV a text that begins like a formula gets a leading apostrophe,
as OWASP recommends; what XML cannot carry is dropped in both (core.text.xml_safe).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from aggregator.core.text import xml_safe
from aggregator.publish.exports import Cell, Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_DATE = "%d.%m.%Y %H:%M"
CSV_DAY = "%d.%m.%Y"
XLSX_DATE = "DD.MM.YYYY HH:MM"
XLSX_DAY = "DD.MM.YYYY"


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(CSV_DATE)
    if isinstance(value, date):  # a day without a known time
        return value.strftime(CSV_DAY)
    if isinstance(value, int):
        return str(value)
    text = xml_safe(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(table: Table) -> bytes:
    """The table as CSV: UTF-8 with BOM, `;` between fields, CRLF between rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headings)
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


WIDEST = 60  # characters: a column of titles wraps no wider than this


def to_xlsx(*tables: Table) -> bytes:
    """The tables as sheets of one workbook: bold, frozen headings with filters, dates as
    dates, texts as texts (never formulas), columns as wide as their content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append(list(table.headings))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(heading) for heading in table.headings]
        for number, row in enumerate(table.rows, start=2):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=number, column=column)
                if isinstance(value, str):
                    cell.value = xml_safe(value)
                    cell.data_type = "s"  # openpyxl would read "=..." as a formula
                else:
                    cell.value = value
                if isinstance(value, datetime):
                    cell.number_format = XLSX_DATE
                elif isinstance(value, date):
                    cell.number_format = XLSX_DAY
                shown = 16 if isinstance(value, date) else len(str(value or ""))
                widths[column - 1] = max(widths[column - 1], min(shown, WIDEST))
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width + 2
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
