"""Reading a figure: its total and count in one SELECT, and its rows one page at a time, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Transaction
from ..errors import NotFound
from ..stats.scope import Scope
from .registry import Figure

PER_PAGE = 50


@dataclass(frozen=True)
class FigurePage:
    """One page of a figure's rows with the figure's total over all rows."""

    figure: Figure
    total_kobo: int
    count: int
    page: int
    per_page: int
    rows: list[dict[str, Any]]

    @property
    def pages(self) -> int:
        """Return how many pages the rows fill (at least one)."""
        return max(1, (self.count + self.per_page - 1) // self.per_page)


def _row(mapping: Any) -> dict[str, Any]:
    """Return one row as plain values."""
    date: datetime = mapping["date"]
    return {
        "entity": mapping["entity"],
        "id": int(mapping["id"]),
        "reference": mapping["reference"],
        "date": date,
        "description": mapping["description"] or "",
        "amount_kobo": int(mapping["amount_kobo"]),
    }


def figure_page(figure: Figure, scope: Scope, page: int = 1, per_page: int = PER_PAGE) -> FigurePage:
    """Return the figure's total and count, and one page of its rows (newest first)."""
    rows = figure.rows(scope).subquery()
    head = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(rows.c.amount_kobo), 0), sa.func.count()).select_from(rows)
    ).one()
    listed = db.session.execute(
        sa.select(rows)
        .order_by(rows.c.date.desc(), rows.c.entity, rows.c.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return FigurePage(
        figure=figure,
        total_kobo=int(head[0] or 0),
        count=int(head[1] or 0),
        page=page,
        per_page=per_page,
        rows=[_row(r._mapping) for r in listed],
    )


def figure_row(figure: Figure, scope: Scope, entity: str, row_id: int) -> dict[str, Any]:
    """Return one row of the figure; a row outside it (or outside the viewer's scope) is a 404."""
    rows = figure.rows(scope).subquery()
    found = db.session.execute(sa.select(rows).where(rows.c.entity == entity, rows.c.id == row_id)).first()
    if found is None:
        raise NotFound("That row is not part of this figure.")
    row = _row(found._mapping)
    if entity == "transaction":
        tx = db.session.get(Transaction, row_id)
        if tx is not None:
            row["ledger"] = {"type": tx.type.label, "category": tx.category.label, "status": tx.status.label}
    return row
