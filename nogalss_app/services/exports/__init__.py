"""Report exports: one table definition (columns with kinds, rows from a generator) out as CSV, XLSX or PDF.

No Flask in here: a view streams `csv_chunks`/`xlsx_chunks` into its response and sends `pdf_bytes` whole.
"""

from __future__ import annotations

from .csv_export import csv_chunks
from .pdf_export import pdf_bytes, render_html
from .table import Column, Kind, SummaryLine, Table
from .xlsx_export import xlsx_chunks

FORMATS = {
    "csv": ("text/csv; charset=utf-8; header=present", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}

__all__ = ["FORMATS", "Column", "Kind", "SummaryLine", "Table", "csv_chunks", "pdf_bytes", "render_html", "xlsx_chunks"]
