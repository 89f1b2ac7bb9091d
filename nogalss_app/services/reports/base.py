"""What a report is: its name, who may run it, its columns, and a function that streams its rows for a period."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Recipient, Role
from ..exports import Column, SummaryLine
from ..periods import Period

ORGANISATION = "Nogalss Apex Body"
STREAM_BATCH = 1_000


@dataclass(frozen=True)
class Audience:
    """Who runs a report and what they may see: a leader their cooperative, a fund its own share."""

    viewer_id: int
    role: Role
    cooperative_id: int | None = None  # a leader's own cooperative, or a super admin's chosen one
    fund: Recipient | None = None  # APEX_FUNDS or NOGALSS_FUNDS see only their fund's share


@dataclass(frozen=True)
class Request:
    """One run of a report: for whom, which period, its validated filters and the moment it runs."""

    audience: Audience
    period: Period
    now: datetime
    filters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """One report of the catalogue (SPEC §10)."""

    name: str
    title: str
    roles: frozenset[Role]
    columns: Callable[[Request], list[Column]]
    rows: Callable[[Request], Iterator[dict[str, Any]]]
    summary: Callable[[Request], list[SummaryLine]] = lambda request: []
    description: str = ""
    # For long row-by-row reports (the audit log): (count, one page of rows) read with SQL COUNT/OFFSET, so a
    # page of the report does not read every row of the period.
    paged: Callable[[Request, int, int], tuple[int, list[dict[str, Any]]]] | None = None


def stream(select: sa.Select) -> Iterator[Any]:
    """Yield a SELECT's rows in batches from a server-side cursor, never the whole result at once."""
    result = db.session.execute(select.execution_options(yield_per=STREAM_BATCH))
    yield from result


def as_int(value: Any) -> int:
    """Return an SQL aggregate as int (PostgreSQL sums arrive as Decimal, empty sums as None)."""
    return int(value or 0)


def name_of(first: str | None, last: str | None) -> str:
    """Join a first and last name; an unknown person shows as a dash."""
    return f"{first or ''} {last or ''}".strip() or "—"
