"""CSV export: RFC 4180 (CRLF, quotes doubled), UTF-8, written and handed out in chunks as rows stream."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from .table import Kind, Table, Totals, checked_rows, plain_cell

MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
CHUNK_BYTES = 64 * 1024
# Excel opens a CSV as UTF-8 only when it starts with a byte-order mark; without one, names like "Ọlá" break.
BOM = "\ufeff"


def csv_chunks(table: Table, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield the table as CSV bytes: header, rows, totals line, then the summary lines after a blank row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    buffer.write(BOM)
    writer.writerow(plain_cell(Kind.TEXT, column.title) for column in table.columns)
    kinds = [column.kind for column in table.columns]
    totals = Totals(table.columns)
    for values in checked_rows(table, totals):
        writer.writerow([plain_cell(kind, value) for kind, value in zip(kinds, values, strict=True)])
        if buffer.tell() >= chunk_bytes:
            yield _drain(buffer)
    for line in _closing_lines(table, totals):
        writer.writerow(line)
    yield _drain(buffer)


def _closing_lines(table: Table, totals: Totals) -> list[Sequence[str]]:
    """Return the totals line and the summary lines (label, value) as CSV cells."""
    lines: list[Sequence[str]] = []
    if table.totals:
        lines.append([plain_cell(kind, value) for kind, value in totals.line()])
    if table.summary:
        lines.append([])
        lines.extend([plain_cell(Kind.TEXT, s.label), plain_cell(s.kind, s.value)] for s in table.summary)
    return lines


def _drain(buffer: io.StringIO) -> bytes:
    """Return what the buffer holds as UTF-8 and empty it."""
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate(0)
    return data
