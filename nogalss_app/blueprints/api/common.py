"""Helpers shared by the JSON API: body parsing, list parameters, paging, serialisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request

from ...services.errors import ServiceError
from ...services.pages import Page


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


def page_json(page: Page, serialize: Callable[[Any], dict]) -> dict[str, Any]:
    """Return a list page as the JSON API answers it: items with paging metadata."""
    return {
        "items": [serialize(row) for row in page.rows],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


def iso(value) -> str | None:
    """Return a datetime as ISO 8601 text."""
    return None if value is None else value.isoformat()
