"""Shared by the form routes: the scope of the posting user, and answering with the re-rendered panel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ...security import resolve_scope
from ...services.errors import NotFound, ServiceError
from ...services.stats.registry import clean_options, find_panel
from ..dashboards.render import render_panel


def panel_reply(
    dashboard: str,
    panel_name: str,
    *,
    notice: str | None = None,
    error: ServiceError | None = None,
    form_values: dict | None = None,
):
    """Re-render one panel for the poster, with a success notice or the refusal (fields keep their values).

    A refused form answers with the refusal's status (422, 409, …); htmx 4 swaps error responses, so the
    panel shows the message in place.
    """
    panel = find_panel(dashboard, panel_name)
    scope = resolve_scope(dashboard, current_user, request.args)
    if panel is None or scope is None:
        raise NotFound("Not found.")
    scope = replace(scope, params=clean_options(panel, request.args))
    extra = {
        "notice": notice,
        "form_error": error.message if error else None,
        "field_errors": error.fields if error else {},
        "form_values": form_values or {},
    }
    response = render_panel(dashboard, panel, scope, extra)
    if error is not None:
        response.status_code = error.status
    return response


def refused(exc: ServiceError, page: Callable[..., Any], **extra: Any):
    """Re-render a page with the refusal's message, field errors and the values typed (never a password)."""
    values = MultiDict([(k, v) for k, v in request.form.items(multi=True) if k not in ("password", "csrf_token")])
    return page(exc.status, form_error=exc.message, field_errors=exc.fields, form_values=values, **extra)
