"""The Reports page's data: the period form, the report's filters, one page of rows as text, and the totals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...services.exports.table import Kind, Totals, check_value, display_cell
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
    for row in report.rows(run):
        values = [check_value(column, row.get(column.key)) for column in columns]
        if first <= totals.count < first + PER_PAGE:
            shown.append([display_cell(c.kind, v) for c, v in zip(columns, values, strict=True)])
        totals.add(values)
    summary = report.summary(run)
    count = totals.count
    pages = max(1, (count + PER_PAGE - 1) // PER_PAGE)
    grid = {
        "columns": [{"title": c.title, "kind": c.kind.value} for c in columns],
        "rows": shown,
        "totals": [display_cell(kind, value) for kind, value in totals.line()],
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
