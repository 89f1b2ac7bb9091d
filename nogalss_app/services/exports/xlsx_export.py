"""XLSX export with XlsxWriter in constant-memory mode: rows go to a temporary file, then out in chunks.

Amounts are written as exact decimals: XlsxWriter serialises a number with `f"{number:.16G}"`, and for a
`Decimal` that is Decimal's own formatting, so the cell's XML holds "1234.50" as built from integer kobo and no
binary float is ever computed here. A spreadsheet reads numbers as IEEE doubles, exact to 15 significant
digits: amounts of 10^15 kobo (₦10 trillion) or more are written as text instead so no kobo is lost.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..stats.compute import LOCAL_TZ
from .table import Kind, Table, Totals, amount_text, checked_rows, safe_text

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_BYTES = 64 * 1024
EXACT_AMOUNT_LIMIT_KOBO = 10**15
NAIRA_FORMAT = '"\u20a6"#,##0.00;-"\u20a6"#,##0.00'
WIDTHS = {Kind.TEXT: 28, Kind.DATE: 12, Kind.DATETIME: 17, Kind.AMOUNT: 18, Kind.COUNT: 10}


def xlsx_chunks(table: Table, chunk_bytes: int = CHUNK_BYTES, tmpdir: str | None = None) -> Iterator[bytes]:
    """Yield the table as an XLSX file, built in a temporary directory that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="nogalss-xlsx-", dir=tmpdir) as workdir:
        path = os.path.join(workdir, "export.xlsx")
        _write_workbook(table, path, workdir)
        with open(path, "rb") as handle:
            while chunk := handle.read(chunk_bytes):
                yield chunk


def _write_workbook(table: Table, path: str, workdir: str) -> None:
    """Write the whole workbook to path, one row in memory at a time."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": workdir, "strings_to_numbers": False})
    workbook.set_properties({"title": f"{table.title}, {table.period.label}", "company": table.organisation})
    formats = {
        Kind.AMOUNT: workbook.add_format({"num_format": NAIRA_FORMAT}),
        Kind.DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        Kind.DATETIME: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    bold = {**formats, Kind.AMOUNT: workbook.add_format({"bold": True, "num_format": NAIRA_FORMAT})}
    bold[Kind.TEXT] = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(table.title[:31].translate(str.maketrans("[]:*?/\\", "       ")) or "Report")
    _page_setup(sheet, table)
    for index, column in enumerate(table.columns):
        sheet.set_column(index, index, WIDTHS[column.kind])
        sheet.write_string(0, index, safe_text(column.title), bold[Kind.TEXT])
    sheet.freeze_panes(1, 0)
    totals = Totals(table.columns)
    row = 0
    for row, values in enumerate(checked_rows(table, totals), start=1):
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            _write_cell(sheet, row, index, column.kind, value, formats)
    _write_closing(sheet, row, table, totals, formats, bold)
    workbook.close()


def _write_closing(sheet: Worksheet, row: int, table: Table, totals: Totals, formats: dict, bold: dict) -> None:
    """Write the totals line (bold) after the last row, then a blank row and the summary lines."""
    if table.totals:
        row += 1
        for index, (kind, value) in enumerate(totals.line()):
            _write_cell(sheet, row, index, kind, value, bold)
    if table.summary:
        row += 1
        for line in table.summary:
            row += 1
            _write_cell(sheet, row, 0, Kind.TEXT, line.label, formats)
            _write_cell(sheet, row, 1, line.kind, line.value, formats)


def _page_setup(sheet: Worksheet, table: Table) -> None:
    """Print with the organisation, title, period and generation time on top, page numbers below."""
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)

    def escape(text: str) -> str:
        return text.replace("&", "&&")

    header = f"&L{escape(table.organisation)}&C{escape(table.title)}, {escape(table.period.label)}"
    sheet.set_header(f"{header}&RGenerated {escape(table.generated_label)}"[:255])
    sheet.set_footer("&CPage &P of &N")


def _write_cell(sheet: Worksheet, row: int, col: int, kind: Kind, value: object, formats: dict) -> None:
    """Write one value with the type and format of its kind (never through XlsxWriter's guessing write())."""
    if value is None:
        return
    if kind is Kind.AMOUNT:
        if abs(value) < EXACT_AMOUNT_LIMIT_KOBO:  # type: ignore[arg-type]
            sheet.write_number(row, col, Decimal(amount_text(value)), formats[Kind.AMOUNT])  # type: ignore[arg-type]
        else:
            sheet.write_string(row, col, amount_text(value))  # type: ignore[arg-type]
    elif kind is Kind.COUNT:
        sheet.write_number(row, col, value)  # type: ignore[arg-type]
    elif kind is Kind.DATE:
        day: date = value  # type: ignore[assignment]
        sheet.write_datetime(row, col, datetime(day.year, day.month, day.day), formats[Kind.DATE])
    elif kind is Kind.DATETIME:
        instant: datetime = value  # type: ignore[assignment]
        local = instant.astimezone(LOCAL_TZ).replace(tzinfo=None, second=0, microsecond=0)
        sheet.write_datetime(row, col, local, formats[Kind.DATETIME])
    else:
        sheet.write_string(row, col, safe_text(value), formats.get(Kind.TEXT))
