"""One blueprint per dashboard, each guarded by the roles of security.DASHBOARDS."""

from __future__ import annotations

from flask import Blueprint, render_template

from ...security import DASHBOARDS, require_roles


def _make(key: str, spec: dict) -> Blueprint:
    """Create a dashboard blueprint whose every route is behind its role guard."""
    bp = Blueprint(key, __name__, url_prefix=f"/dashboard/{spec['slug']}")
    bp.before_request(require_roles(spec["roles"]))

    @bp.get("")
    def index():
        """Show the dashboard page."""
        return render_template("main/placeholder_dashboard.html", dashboard_title=f"{spec['title']} dashboard")

    return bp


def blueprints() -> list[Blueprint]:
    """Return the seven dashboard blueprints."""
    return [_make(key, spec) for key, spec in DASHBOARDS.items()]
