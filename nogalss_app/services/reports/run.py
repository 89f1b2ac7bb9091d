"""Running a report: as a Table for the CSV/XLSX/PDF exports, or as streamed JSON rows with their totals."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from ..exports import Column, Table
from .base import ORGANISATION, Report, Request

JSON_BATCH = 500


def table_for(report: Report, request: Request) -> Table:
    """Return the report as an export table (rows are read once, as the export writes them)."""
    columns = report.columns(request)
    return Table(
        title=report.title,
        organisation=ORGANISATION,
        period=request.period,
        generated_at=request.now,
        columns=columns,
        rows=report.rows(request),
        summary=report.summary(request),
        totals=any(column.summed for column in columns),
        filename_stem=report.name,
    )


def totals_of(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Return the sum of each summed column over the rows."""
    keys = [column.key for column in columns if column.summed]
    sums = dict.fromkeys(keys, 0)
    for row in rows:
        for key in keys:
            sums[key] += row.get(key) or 0
    return sums


def _plain(value: Any) -> Any:
    """Return a cell as a JSON value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def json_chunks(report: Report, request: Request) -> Iterator[bytes]:
    """Yield the report's JSON: {report, from, to, rows, totals}, rows streamed and summed as they pass."""
    columns = report.columns(request)
    keys = [column.key for column in columns]
    summed = [column.key for column in columns if column.summed]
    sums = dict.fromkeys(summed, 0)
    head = {"report": report.name, **request.period.as_query()}
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [').encode()
    batch: list[str] = []
    first = True
    for row in report.rows(request):
        for key in summed:
            sums[key] += row.get(key) or 0
        batch.append(json.dumps({key: _plain(row.get(key)) for key in keys}, ensure_ascii=False))
        if len(batch) >= JSON_BATCH:
            yield (("" if first else ", ") + ", ".join(batch)).encode()
            first, batch = False, []
    if batch:
        yield (("" if first else ", ") + ", ".join(batch)).encode()
    totals: dict[str, int] = dict(sums)
    for line in report.summary(request):
        totals[_summary_key(line.label)] = line.value  # type: ignore[assignment]
    yield ('], "totals": ' + json.dumps(totals) + "}").encode()


def _summary_key(label: str) -> str:
    """Return the JSON key of a summary line: 'Opening position' → 'opening_kobo'."""
    return label.split()[0].lower() + "_kobo"
