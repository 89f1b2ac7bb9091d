"""What every dashboard package is built from: its page, each panel's fragment and its JSON stats (SPEC §4).

`make(key)` returns the two blueprints of one dashboard: the page blueprint (`/dashboard/<slug>`: the page, the
panel fragments `/panels/<name>`, and the forms its package adds) and the stats blueprint
(`/api/<slug>/dashboard-stats`). A panel URL names a function in services/stats/panels/<key>.py, whose figures come
from services/stats/queries_*.py.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from ...security import DASHBOARDS, require_roles, resolve_scope
from ...services import audit, realtime, records_search
from ...services.errors import ValidationFailed
from ...services.push import pusher
from ...services.stats.panel import Panel
from ...services.stats.registry import clean_options, dashboard_panels, find_panel
from ...services.stats.scope import Scope
from .picker import CHOICE_PARAM, picker_page
from .render import OWN_SCOPE_ROLES, build_all, jsonable, scope_args, shared_panel

# JSON stats live at /api/<slug>/dashboard-stats, except the super admin's at /api/admin/dashboard-stats.
API_SLUG = {"super_admin": "admin"}


def make(key: str) -> tuple[Blueprint, Blueprint]:
    """Return the page blueprint and the JSON stats blueprint of dashboard `key`, each behind its role guard."""
    spec = DASHBOARDS[key]
    pusher.slugs[key] = spec["slug"]
    return _page_blueprint(key, spec), _stats_blueprint(key, spec)


def _page_blueprint(key: str, spec: dict) -> Blueprint:
    """Create a dashboard's page blueprint: the page and the panel fragments."""
    bp = Blueprint(key, __name__, url_prefix=f"/dashboard/{spec['slug']}")
    bp.before_request(require_roles(spec["roles"]))

    @bp.get("")
    def index():
        """Show the dashboard page: one shell per panel, each loading through its own request."""
        scope = resolve_scope(key, current_user, request.args)
        if scope is None:
            return picker_page(key, spec)
        _audit_view_as(key, scope, "page")
        panels = sorted(dashboard_panels()[key], key=lambda p: not p.lead)  # what needs action first
        urls = {p.name: url_for(f"{key}.panel", name=p.name, **scope_args(scope)) for p in panels}
        return render_template(
            "layouts/dashboard.html",
            key=key,
            spec=spec,
            panels=panels,
            panel_urls=urls,
            scope=scope,
            viewing=_viewing_label(scope),
            live_v=realtime.latest_v(),
            view_params={name: str(value) for name, value in scope_args(scope).items()},
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
        _audit_view_as(key, scope, "panel")
        return shared_panel(key, found, _with_options(scope, found))

    return bp


def _audit_view_as(key: str, scope: Scope, surface: str) -> None:
    """Log a super admin's read of someone else's scope (audit.record_view_as keeps one row per 10 minutes)."""
    chosen = scope_args(scope)
    if chosen:
        audit.record_view_as(key, actor_id=current_user.id, chosen=chosen, surface=surface)


def _with_options(scope: Scope, panel: Panel) -> Scope:
    """Attach the panel's validated query options to the scope."""
    return replace(scope, params=clean_options(panel, request.args))


def _viewing_label(scope: Scope) -> str | None:
    """Describe whose dashboard a super admin is looking at."""
    if scope.viewer_role.value in OWN_SCOPE_ROLES:
        return None
    return records_search.viewing_label(
        cooperative_id=scope.cooperative_id, member_id=scope.member_id, organization_id=scope.organization_id
    )


def _stats_blueprint(key: str, spec: dict) -> Blueprint:
    """Create the JSON stats blueprint of one dashboard."""
    slug = API_SLUG.get(key, spec["slug"])
    bp = Blueprint(f"api_{key}_stats", __name__, url_prefix=f"/api/{slug}")
    bp.before_request(require_roles(spec["roles"]))

    @bp.get("/dashboard-stats")
    def dashboard_stats():
        """Return every figure of the dashboard as JSON (amounts in integer kobo)."""
        scope = resolve_scope(key, current_user, request.args)
        if scope is None:
            field = CHOICE_PARAM.get(key, "member")
            raise ValidationFailed(f"Choose the {field} to view.", {field: "required for a super admin"})
        _audit_view_as(key, scope, "stats")
        panels = dashboard_panels()[key]
        data = build_all(panels, scope, request.args)
        current_app.logger.debug("stats %s for user %s", key, current_user.id)
        return jsonify({"dashboard": key, "generated_at": jsonable(scope.now), **data})

    return bp
