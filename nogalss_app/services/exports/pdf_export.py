"""PDF export: the report's Jinja template rendered to HTML, laid out by WeasyPrint with page headers and footers.

A PDF is laid out as a whole (page count in every footer), so unlike CSV and XLSX it is built in memory; its row
count is capped and a larger request is refused with a message pointing to CSV or XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import weasyprint
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..errors import ValidationFailed
from .table import Table, Totals, checked_rows, display_cell

MEDIA_TYPE = "application/pdf"
# WeasyPrint lays out about 100 table rows a second here and holds ~0.13 MB per row (bench/README.md).
MAX_ROWS = 2_000
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STYLESHEET = Path(__file__).resolve().with_name("pdf.css")

_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
)


@dataclass(frozen=True)
class Grid:
    """A table as the template sees it: every cell already text."""

    columns: list[dict[str, str]]
    rows: list[list[str]]
    totals: list[str] | None
    summary: list[tuple[str, str]]


def grid(table: Table, max_rows: int = MAX_ROWS) -> Grid:
    """Read the table's rows into display text, refusing more than max_rows."""
    totals = Totals(table.columns)
    kinds = [column.kind for column in table.columns]
    rows: list[list[str]] = []
    for values in checked_rows(table, totals):
        if len(rows) == max_rows:
            message = f"a PDF holds at most {max_rows:,} rows; choose fewer dates or download CSV or XLSX"
            raise ValidationFailed("This report is too long for a PDF.", {"format": message})
        rows.append([display_cell(kind, value) for kind, value in zip(kinds, values, strict=True)])
    return Grid(
        columns=[{"title": column.title, "kind": column.kind.value} for column in table.columns],
        rows=rows,
        totals=[display_cell(kind, value) for kind, value in totals.line()] if table.totals else None,
        summary=[(line.label, display_cell(line.kind, line.value)) for line in table.summary],
    )


def render_html(table: Table, max_rows: int = MAX_ROWS) -> str:
    """Return the report's printable HTML."""
    return _env.get_template("exports/document.html").render(
        title=table.title,
        organisation=table.organisation,
        period=table.period.label,
        generated=table.generated_label,
        grid=grid(table, max_rows),
    )


def pdf_bytes(table: Table, max_rows: int = MAX_ROWS) -> bytes:
    """Return the report as a PDF; nothing outside the document is ever fetched."""
    no_fetching = weasyprint.URLFetcher(allowed_protocols=frozenset())
    html = weasyprint.HTML(string=render_html(table, max_rows), url_fetcher=no_fetching)
    stylesheet = weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=no_fetching)
    return html.write_pdf(stylesheets=[stylesheet])
