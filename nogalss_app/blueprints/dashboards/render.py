"""Rendering panels: fragments with an inline error instead of a broken page, and JSON-safe data."""

from __future__ import annotations

import dataclasses
import enum
import time
from datetime import datetime
from typing import Any

from flask import current_app, make_response, render_template

from ...metrics import PANEL_RENDER
from ...services.stats.panel import Panel
from ...services.stats.registry import clean_options
from ...services.stats.scope import Scope

# Roles whose dashboard is always their own: their panel URLs carry no choice.
OWN_SCOPE_ROLES = ("LEADER", "MEMBER", "COOPERATIVE", "PARENT_ORGANIZATION")


def scope_args(scope: Scope) -> dict[str, int]:
    """Return the query arguments that carry a super admin's choice into panel URLs."""
    if scope.viewer_role.value in OWN_SCOPE_ROLES:
        return {}
    if scope.organization_id is not None:
        return {"organization": scope.organization_id}
    if scope.member_id is not None:
        return {"member": scope.member_id}
    if scope.cooperative_id is not None:
        return {"cooperative": scope.cooperative_id}
    return {}


def render_panel(dashboard: str, panel: Panel, scope: Scope, extra: dict | None = None):
    """Build and render one panel; a failure becomes an inline panel error (500), never a broken page.

    `extra` carries a form's outcome into the partial: notice, form_error, field_errors, form_values.
    """
    started = time.perf_counter()
    extra = {"notice": None, "form_error": None, "field_errors": {}, "form_values": {}, **(extra or {})}
    try:
        data = panel.build(scope)
        html = render_template(
            "dashboards/panel.html",
            dashboard=dashboard,
            panel=panel,
            data=data,
            scope=scope,
            scope_args=scope_args(scope),
            partial=f"{dashboard}/partials/_{panel.name}.html",
            **extra,
        )
        status = 200
    except Exception:
        current_app.logger.exception("panel %s/%s failed", dashboard, panel.name)
        html = render_template("dashboards/panel_error.html", panel=panel, scope=scope)
        status = 500
    elapsed = time.perf_counter() - started
    PANEL_RENDER.labels(dashboard=dashboard, panel=panel.name).observe(elapsed)
    response = make_response(html, status)
    response.headers["Server-Timing"] = f"panel;dur={elapsed * 1000:.1f}"
    return response


def build_all(panels: list[Panel], scope: Scope, args) -> dict[str, Any]:
    """Build every panel's data for the JSON stats endpoint."""
    return {p.name: jsonable(p.build(dataclasses.replace(scope, params=clean_options(p, args)))) for p in panels}


def jsonable(value: Any) -> Any:
    """Convert panel data to JSON values: datetimes to ISO text, enums to names, dataclasses to dicts."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
