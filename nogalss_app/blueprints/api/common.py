"""Helpers shared by the JSON API: body parsing, list parameters, paging, serialisation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import request

from ...extensions import db
from ...services.errors import ServiceError, ValidationFailed

MAX_PER_PAGE = 100


class Malformed(ServiceError):
    """The body is not the JSON object the endpoint expects (400)."""

    status = 400
    code = "bad_request"


def json_body() -> dict[str, Any]:
    """Return the request's JSON object, or refuse with 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Malformed("Send a JSON object with Content-Type: application/json.")
    return data


@dataclass(frozen=True)
class ListParams:
    """Validated list parameters: page, per_page (≤ 100), q, sort, order."""

    page: int
    per_page: int
    q: str
    sort: str
    order: str


def list_params(sortable: Mapping[str, Any], default_sort: str, default_order: str = "desc") -> ListParams:
    """Read page/per_page/q/sort/order from the query string; 422 with field errors when invalid."""
    errors: dict[str, str] = {}
    page = _positive_int("page", 1, errors)
    per_page = _positive_int("per_page", 20, errors)
    if per_page > MAX_PER_PAGE:
        errors["per_page"] = f"must be at most {MAX_PER_PAGE}"
    sort = request.args.get("sort", default_sort)
    if sort not in sortable:
        errors["sort"] = f"must be one of {', '.join(sorted(sortable))}"
    order = request.args.get("order", default_order)
    if order not in ("asc", "desc"):
        errors["order"] = "must be asc or desc"
    q = request.args.get("q", "").strip()
    if len(q) > 100:
        errors["q"] = "at most 100 characters"
    if errors:
        raise ValidationFailed("Check the list parameters.", errors)
    return ListParams(page, per_page, q, sort, order)


def _positive_int(name: str, default: int, errors: dict[str, str]) -> int:
    """Parse a positive integer query argument."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        errors[name] = "must be a positive whole number"
        return default
    return int(raw)


def paginate(
    query: sa.Select, params: ListParams, sortable: Mapping[str, Any], serialize: Callable[[Any], dict]
) -> dict[str, Any]:
    """Run a list query with sorting and paging; return items with paging metadata."""
    column = sortable[params.sort]
    ordered = query.order_by(column.asc() if params.order == "asc" else column.desc())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.scalars(ordered.limit(params.per_page).offset((params.page - 1) * params.per_page)).all()
    return {
        "items": [serialize(row) for row in rows],
        "page": params.page,
        "per_page": params.per_page,
        "total": total,
        "pages": (total + params.per_page - 1) // params.per_page,
    }


def iso(value) -> str | None:
    """Return a datetime as ISO 8601 text."""
    return None if value is None else value.isoformat()
