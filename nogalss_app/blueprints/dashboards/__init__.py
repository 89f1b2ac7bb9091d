"""One blueprint per dashboard: the page, each panel's fragment, and the JSON stats (SPEC §4)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from ...security import DASHBOARDS, require_roles, resolve_scope
from ...services import audit, realtime, records_search
from ...services.stats.panel import Panel
from ...services.stats.registry import clean_options, dashboard_panels, find_panel
from ...services.stats.scope import Scope
from .. import actions
from .picker import picker_page
from .render import build_all, jsonable, render_panel, scope_args

# JSON stats live at /api/<slug>/dashboard-stats, except the super admin's at /api/admin/dashboard-stats.
API_SLUG = {"super_admin": "admin"}


def _make(key: str, spec: dict) -> Blueprint:
    """Create a dashboard blueprint whose every route is behind its role guard."""
    bp = Blueprint(key, __name__, url_prefix=f"/dashboard/{spec['slug']}")
    bp.before_request(require_roles(spec["roles"]))
    actions.register(key, bp)

    @bp.get("")
    def index():
        """Show the dashboard page: one shell per panel, each loading through its own request."""
        scope = resolve_scope(key, current_user, request.args)
        if scope is None:
            return picker_page(key, spec)
        if scope_args(scope):
            audit.record("dashboard.view_as", "dashboard", key, actor_id=current_user.id, after=scope_args(scope))
            from ...extensions import db

            db.session.commit()
        panels = dashboard_panels()[key]
        urls = {p.name: url_for(f"{key}.panel", name=p.name, **scope_args(scope)) for p in panels}
        return render_template(
            "dashboards/page.html",
            key=key,
            spec=spec,
            panels=panels,
            panel_urls=urls,
            scope=scope,
            viewing=_viewing_label(scope),
            live_v=realtime.latest_v(),
        )

    @bp.get("/panels/<name>")
    def panel(name: str):
        """Return one panel's fragment, rendered for the caller's scope."""
        found = find_panel(key, name)
        if found is None:
            abort(404)
        scope = resolve_scope(key, current_user, request.args)
        if scope is None:
            abort(404)
        return render_panel(key, found, _with_options(scope, found))

    return bp


def _with_options(scope: Scope, panel: Panel) -> Scope:
    """Attach the panel's validated query options to the scope."""
    from dataclasses import replace

    return replace(scope, params=clean_options(panel, request.args))


def _viewing_label(scope: Scope) -> str | None:
    """Describe whose dashboard a super admin is looking at."""
    if scope.viewer_role.value in ("LEADER", "MEMBER"):
        return None
    return records_search.viewing_label(cooperative_id=scope.cooperative_id, member_id=scope.member_id)


def _make_api(key: str, spec: dict) -> Blueprint:
    """Create the JSON stats blueprint of one dashboard."""
    slug = API_SLUG.get(key, spec["slug"])
    bp = Blueprint(f"api_{key}_stats", __name__, url_prefix=f"/api/{slug}")
    bp.before_request(require_roles(spec["roles"]))

    @bp.get("/dashboard-stats")
    def dashboard_stats():
        """Return every figure of the dashboard as JSON (amounts in integer kobo)."""
        scope = resolve_scope(key, current_user, request.args)
        if scope is None:
            from ...services.errors import ValidationFailed

            field = "cooperative" if key == "leader" else "member"
            raise ValidationFailed(f"Choose the {field} to view.", {field: "required for a super admin"})
        panels = dashboard_panels()[key]
        data = build_all(panels, scope, request.args)
        current_app.logger.debug("stats %s for user %s", key, current_user.id)
        return jsonify({"dashboard": key, "generated_at": jsonable(scope.now), **data})

    return bp


def blueprints() -> list[Blueprint]:
    """Return the dashboard blueprints and their JSON stats blueprints."""
    pages = [_make(key, spec) for key, spec in DASHBOARDS.items()]
    apis = [_make_api(key, spec) for key, spec in DASHBOARDS.items()]
    return pages + apis
