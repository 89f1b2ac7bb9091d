"""The Reports page's data: the period form, the report's filters, one page of rows as text, and the totals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...services.exports.table import Column, Kind, Totals, check_value, display_cell
from ...services.pages import list_query
from ...services.periods import PRESETS
from ...services.reports import Report, Request

PER_PAGE = 100


def page_context(report: Report, run: Request, args: Mapping[str, str]) -> dict[str, Any]:
    """Return the page's context: one page of rows (all rows summed), the totals line and the summary lines."""
    query = list_query(args, {"date": None}, "date", per_page=PER_PAGE)
    columns = report.columns(run)
    totals = Totals(columns)
    first = (query.page - 1) * PER_PAGE
    shown: list[list[str]] = []
    if report.paged is not None:
        count, rows = report.paged(run, first, PER_PAGE)
        shown = [_cells(columns, row) for row in rows]
    else:
        for row in report.rows(run):
            if first <= totals.count < first + PER_PAGE:
                shown.append(_cells(columns, row))
            totals.add([check_value(column, row.get(column.key)) for column in columns])
        count = totals.count
    summary = report.summary(run)
    pages = max(1, (count + PER_PAGE - 1) // PER_PAGE)
    grid = {
        "columns": [{"title": c.title, "kind": c.kind.value} for c in columns],
        "rows": shown,
        "totals": [display_cell(k, v) for k, v in totals.line()] if any(c.summed for c in columns) else None,
        "summary": [(line.label, display_cell(line.kind, line.value)) for line in summary],
    }
    base = {k: v for k, v in args.items() if k not in ("page", "format", "preset")}
    base.update(run.period.as_query())
    return {
        "report": report,
        "run": run,
        "grid": grid,
        "sums": totals.sums,
        "count": count,
        "page": query.page,
        "pages": pages,
        "presets": PRESETS,
        "query": base,
        "filter_query": {k: v for k, v in base.items() if k not in ("from", "to")},
        "filters": run.filters,
        "amount_kind": Kind.AMOUNT.value,
    }


def _cells(columns: list[Column], row: Mapping[str, Any]) -> list[str]:
    """Return one row as display text."""
    return [display_cell(c.kind, check_value(c, row.get(c.key))) for c in columns]
