"""Reports (SPEC §10): a catalogue of report definitions run for an audience and a period, out as JSON rows with
totals or as a Table for the CSV/XLSX/PDF exports."""

from __future__ import annotations

from .base import ORGANISATION, Audience, Report, Request
from .catalogue import REPORTS, report_filters, reports_for
from .run import json_chunks, table_for, totals_of

__all__ = [
    "ORGANISATION",
    "REPORTS",
    "Audience",
    "Report",
    "Request",
    "json_chunks",
    "report_filters",
    "reports_for",
    "table_for",
    "totals_of",
]
