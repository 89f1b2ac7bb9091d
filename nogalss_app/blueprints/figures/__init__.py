"""Drill-down (SPEC §4): every panel figure's rows, as a page, as JSON and row by row, under the panel's scope.

`/figures/<dashboard>/<panel>/<key>` and `/api/figures/<dashboard>/<panel>/<key>` take the panel's own query
parameters (a super admin's `cooperative`/`member`, the panel's options) and answer with the same scope rules as
the dashboard: a role that may not open the dashboard gets 403, an unknown figure or a row outside it 404.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

from ...security import DASHBOARDS, require_roles, resolve_scope
from ...services import audit
from ...services.errors import NotFound, ValidationFailed
from ...services.figures import Figure, FigurePage, figure_page, figure_row, find_figure
from ...services.pages import list_query
from ...services.stats.registry import clean_options, find_panel
from ...services.stats.scope import Scope
from ..dashboards.render import scope_args
from ..web import iso

BY_SLUG = {spec["slug"]: key for key, spec in DASHBOARDS.items()}
MAX_EXTRA = 16
ENTITIES = ("transaction", "loan", "withdrawal", "expense")

bp = Blueprint("figures", __name__, url_prefix="/figures")
api = Blueprint("api_figures", __name__, url_prefix="/api/figures")
CHOOSER = {"leader": "cooperative", "cooperative": "cooperative", "parent_org": "organization"}


@bp.app_template_global("dashboard_slug")
def dashboard_slug(dashboard: str) -> str:
    """Return the URL slug of a dashboard key (e.g. parent_org → parent-organization) for figure links."""
    return DASHBOARDS[dashboard]["slug"]


def _resolve(slug: str, panel_name: str, key: str) -> tuple[str, Figure, Scope] | object:
    """Return (dashboard, figure, scope) for the caller, or the refusal the dashboard itself would give."""
    dashboard = BY_SLUG.get(slug)
    if dashboard is None:
        raise NotFound("No such figure.")
    refused = require_roles(DASHBOARDS[dashboard]["roles"])()
    if refused is not None:
        return refused
    figure = find_figure(dashboard, panel_name, key)
    panel = find_panel(dashboard, panel_name)
    if figure is None or panel is None:
        raise NotFound("No such figure.")
    scope = resolve_scope(dashboard, current_user, request.args)
    if scope is None:
        field = CHOOSER.get(dashboard, "member")
        raise ValidationFailed(f"Choose the {field} to view.", {field: "required for a super admin"})
    if scope_args(scope):
        audit.record_view_as(dashboard, actor_id=current_user.id, chosen=scope_args(scope))
    extra = {name: request.args[name] for name in figure.extra if request.args.get(name)}
    if any(len(value) > MAX_EXTRA or not value.isascii() for value in extra.values()):
        raise ValidationFailed("Check the figure's parameters.", {name: "not a value of this figure" for name in extra})
    return dashboard, figure, replace(scope, params={**clean_options(panel, request.args), **extra})


def _page(figure: Figure, scope: Scope) -> FigurePage:
    """Return the requested page of the figure's rows (page and per_page checked: 422 when malformed)."""
    query = list_query(request.args, {"date": None}, "date")
    return figure_page(figure, scope, page=query.page, per_page=query.per_page)


def _query_args(scope: Scope) -> dict[str, str]:
    """Return the panel's query parameters to carry into links: the super admin's choice and the options."""
    return {**{k: str(v) for k, v in scope_args(scope).items()}, **scope.params}


@api.get("/<slug>/<panel_name>/<key>")
def figure_json(slug: str, panel_name: str, key: str):
    """Return a figure's total, count and one page of its rows as JSON (amounts in integer kobo)."""
    resolved = _resolve(slug, panel_name, key)
    if not isinstance(resolved, tuple):
        return resolved
    _, figure, scope = resolved
    page = _page(figure, scope)
    return jsonify(
        {
            "figure": f"{slug}/{panel_name}/{key}",
            "label": figure.label,
            "total_kobo": page.total_kobo,
            "count": page.count,
            "page": page.page,
            "per_page": page.per_page,
            "pages": page.pages,
            "rows": [{**row, "date": iso(row["date"])} for row in page.rows],
        }
    )


@bp.get("/<slug>/<panel_name>/<key>")
def figure_html(slug: str, panel_name: str, key: str):
    """Show a figure's total and its rows, newest first, each linking to its record."""
    resolved = _resolve(slug, panel_name, key)
    if not isinstance(resolved, tuple):
        return resolved
    dashboard, figure, scope = resolved
    return render_template(
        "figures/figure.html",
        dashboard=dashboard,
        spec=DASHBOARDS[dashboard],
        slug=slug,
        figure=figure,
        page=_page(figure, scope),
        args=_query_args(scope),
    )


@bp.get("/<slug>/<panel_name>/<key>/rows/<entity>/<id:row_id>")
def figure_row_html(slug: str, panel_name: str, key: str, entity: str, row_id: int):
    """Show one row of a figure (a transaction, loan, withdrawal or expense); 404 when it is not in the figure."""
    resolved = _resolve(slug, panel_name, key)
    if not isinstance(resolved, tuple):
        return resolved
    dashboard, figure, scope = resolved
    if entity not in ENTITIES:
        raise NotFound("No such row.")
    row = figure_row(figure, scope, entity, row_id)
    return render_template(
        "figures/row.html", spec=DASHBOARDS[dashboard], slug=slug, figure=figure, row=row, args=_query_args(scope)
    )


def blueprints() -> list[Blueprint]:
    """Return the drill-down page and JSON blueprints."""
    return [bp, api]
