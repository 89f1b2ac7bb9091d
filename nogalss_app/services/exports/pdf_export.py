"""PDF export: the report's Jinja template rendered to HTML, laid out by WeasyPrint with page headers and footers.

A PDF is laid out as a whole (page count in every footer), so unlike CSV and XLSX it is built in memory; its row
count is capped and a larger request is refused with a message pointing to CSV or XLSX. The layout runs in a
child process by default (pdf_worker), so the server's event loop keeps serving while it works.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..errors import ValidationFailed
from .pdf_layout import layout_pdf
from .table import Table, Totals, checked_rows, display_cell

MEDIA_TYPE = "application/pdf"
# WeasyPrint lays out 60-100 table rows a second here and holds ~0.15 MB per row (bench/README.md).
MAX_ROWS = 2_000
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
LAYOUT_TIMEOUT_SECONDS = 300
PROJECT_ROOT = Path(__file__).resolve().parents[3]  # where `python -m nogalss_app...` finds the package

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


def pdf_bytes(table: Table, max_rows: int = MAX_ROWS, in_child: bool = True) -> bytes:
    """Return the report as a PDF, laid out in a child process unless in_child is False."""
    html = render_html(table, max_rows)
    if not in_child:
        return layout_pdf(html)
    worker = [sys.executable, "-m", "nogalss_app.services.exports.pdf_worker"]
    done = subprocess.run(
        worker,
        input=html.encode("utf-8"),
        capture_output=True,
        cwd=PROJECT_ROOT,
        timeout=LAYOUT_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"PDF layout failed: {done.stderr.decode(errors='replace')[-2000:]}")
    return done.stdout
