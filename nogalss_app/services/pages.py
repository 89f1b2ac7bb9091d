"""Lists read one page at a time: the query-string rules (page, per_page, q, sort, order) and the page object.

A list service returns a `Page`; the HTML view renders its rows in a table and the JSON view serialises them, so
both show the same rows, total and order for the same arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from ..extensions import db
from .errors import ValidationFailed
from .fields import text_problem

T = TypeVar("T")
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE_DIGITS = 9
MAX_QUERY = 100


@dataclass(frozen=True)
class ListQuery:
    """Validated list arguments: page, per_page (≤ 100), q, sort (a key of the list's sort columns), order."""

    page: int
    per_page: int
    q: str
    sort: str
    order: str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows and where they sit in the whole (total, page, per_page, sort, order).

    `filters` are the list's own validated filters; `ignored` names the arguments a lenient list set aside.
    """

    rows: list[T]
    total: int
    query: ListQuery
    filters: Any = None
    ignored: dict[str, str] = field(default_factory=dict)

    @property
    def page(self) -> int:
        """Return the number of this page (from 1)."""
        return self.query.page

    @property
    def per_page(self) -> int:
        """Return the page size."""
        return self.query.per_page

    @property
    def sort(self) -> str:
        """Return the sort key."""
        return self.query.sort

    @property
    def order(self) -> str:
        """Return asc or desc."""
        return self.query.order

    @property
    def pages(self) -> int:
        """Return how many pages the whole list has."""
        return (self.total + self.per_page - 1) // self.per_page


def _positive(raw: str | None, default: int) -> int | None:
    """Return a positive whole number of at most nine digits (the default when absent), or None."""
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_PAGE_DIGITS or int(raw) < 1:
        return None
    return int(raw)


def list_query(
    args: Mapping[str, str],
    sortable: Mapping[str, Any],
    default_sort: str,
    default_order: str = "desc",
    *,
    per_page: int | None = None,
    lenient: bool = False,
) -> ListQuery:
    """Read page/per_page/q/sort/order; 422 with field errors, or (lenient, for pages) the defaults instead.

    A fixed `per_page` ignores the argument (the HTML lists show a set number of rows).
    """
    errors: dict[str, str] = {}
    page = _positive(args.get("page"), 1)
    if page is None:
        errors["page"] = "must be a positive whole number"
    size = per_page or _positive(args.get("per_page"), DEFAULT_PER_PAGE)
    if size is None:
        errors["per_page"] = "must be a positive whole number"
    elif size > MAX_PER_PAGE:
        errors["per_page"] = f"must be at most {MAX_PER_PAGE}"
    sort = args.get("sort", default_sort)
    if sort not in sortable:
        errors["sort"] = f"must be one of {', '.join(sorted(sortable))}"
    order = args.get("order", default_order)
    if order not in ("asc", "desc"):
        errors["order"] = "must be asc or desc"
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY or text_problem(q):
        errors["q"] = f"at most {MAX_QUERY} characters" if len(q) > MAX_QUERY else "must be one line of text"
    if errors and not lenient:
        raise ValidationFailed("Check the list parameters.", errors)
    return ListQuery(
        page=page if "page" not in errors else 1,
        per_page=size if "per_page" not in errors else (per_page or DEFAULT_PER_PAGE),
        q=q if "q" not in errors else (q[:MAX_QUERY] if not text_problem(q[:MAX_QUERY]) else ""),
        sort=sort if "sort" not in errors else default_sort,
        order=order if "order" not in errors else "desc",
    )


def paginate(select: sa.Select, query: ListQuery, sortable: Mapping[str, Any]) -> tuple[list[Any], int]:
    """Run a list SELECT sorted and paged; return this page's rows and the total count."""
    column = sortable[query.sort]
    ordered = select.order_by(column.asc() if query.order == "asc" else column.desc())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(select.order_by(None).subquery())) or 0
    offset = (query.page - 1) * query.per_page
    rows = db.session.scalars(ordered.limit(query.per_page).offset(offset)).all()
    return list(rows), total


def page_of(select: sa.Select, query: ListQuery, sortable: Mapping[str, Any], **extra: Any) -> Page:
    """Return one page of a list SELECT whose rows are shown as they are."""
    rows, total = paginate(select, query, sortable)
    return Page(rows=rows, total=total, query=query, **extra)
