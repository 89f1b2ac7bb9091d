"""Rendering panels: fragments with an inline error instead of a broken page, and JSON-safe data."""

from __future__ import annotations

import dataclasses
import enum
import time
from datetime import datetime
from typing import Any

from flask import current_app, make_response, render_template, request

from ...extensions import db
from ...metrics import FRAGMENT_CACHE, PANEL_RENDER
from ...models.types import utcnow
from ...services import alerts, realtime, views
from ...services.delivery import dispatcher
from ...services.push import BANNER, BANNER_VIEW, pusher
from ...services.stats.panel import Panel
from ...services.stats.registry import clean_options
from ...services.stats.scope import Scope

# Roles whose dashboard is always their own: their panel URLs carry no choice.
OWN_SCOPE_ROLES = ("LEADER", "MEMBER", "COOPERATIVE", "PARENT_ORGANIZATION")


def _no_token() -> str:
    """Stand in for csrf_token() inside fragments: a fragment is shared, its forms post with the page's header."""
    return ""


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
    The X-Live-V header is the newest ChangeLog v this render reflects: live.js skips the refetch a signal of that v
    or older would cause. Answers from the shared cache (and 304s) carry the fragment's version, which is lower
    or equal: never a promise the fragment does not keep.
    """
    started = time.perf_counter()
    live_v = _latest_v()  # read before the data: the newest change this render surely reflects
    html, status = fragment_html(dashboard, panel, scope, extra)
    elapsed = time.perf_counter() - started
    response = make_response(html, status)
    response.headers["Server-Timing"] = f"panel;dur={elapsed * 1000:.1f}"
    response.headers["X-Live-V"] = str(live_v)
    return response


def _latest_v() -> int:
    try:
        return realtime.latest_v()
    except Exception:  # the render reports its own failure; the header then promises nothing
        db.session.rollback()
        return 0


def fragment_html(dashboard: str, panel: Panel, scope: Scope, extra: dict | None = None) -> tuple[str, int]:
    """Render one panel with its view's scope (the same HTML for every viewer of the view); return (html, status).

    No per-session value goes in: `csrf_token()` renders empty (htmx posts carry the page's token header).
    """
    started = time.perf_counter()
    scope = views.canonical_scope(dashboard, panel, scope)
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
            csrf_token=_no_token,
            **extra,
        )
        status = 200
    except Exception:
        current_app.logger.exception("panel %s/%s failed", dashboard, panel.name)
        html = render_template("dashboards/panel_error.html", panel=panel, scope=scope)
        status = 500
    PANEL_RENDER.labels(dashboard=dashboard, panel=panel.name).observe(time.perf_counter() - started)
    return html, status


def shared_panel(dashboard: str, panel: Panel, scope: Scope):
    """Answer a panel GET from the shared fragments: 304 for a matching If-None-Match, else the cached or new HTML.

    The ETag is (view, panel, options, version of the panel's topics in that view, UTC hour); see services/views.
    """
    config = current_app.config
    if not views.versioned(panel) or not views.shared(scope):
        return render_panel(dashboard, panel, scope)
    dispatcher.caught_up()  # a change another process signalled is in this process's versions before the ETag
    view = views.view_of(dashboard, panel, scope)
    version = views.versions.of(panel, view)
    etag = views.etag_for(view, panel, scope.params, version, scope.now)
    use_etags = config.get("FRAGMENT_ETAGS", True)
    if use_etags and request.if_none_match.contains(etag.strip('"')):
        FRAGMENT_CACHE.labels(outcome="not_modified").inc()
        return _cacheable(make_response("", 304), etag, version)
    key = (view.room, panel.name, tuple(sorted(scope.params.items())))
    html = views.cache.get(key, etag)
    if html is not None:
        FRAGMENT_CACHE.labels(outcome="hit").inc()
        response = make_response(html, 200)
        response.headers["X-Live-V"] = str(version)
    else:
        FRAGMENT_CACHE.labels(outcome="miss").inc()
        response = render_panel(dashboard, panel, scope)
        if response.status_code != 200:
            return response
        views.cache.put(key, etag, response.get_data(as_text=True))
    return _cacheable(response, etag) if use_etags else response


def shared_banner():
    """Answer the alert banner GET from the same shared fragment (and ETag) as the pushed banner."""
    dispatcher.caught_up()
    etag = views.etag_for(BANNER_VIEW, BANNER, {}, views.versions.of(BANNER, BANNER_VIEW), utcnow())
    use_etags = current_app.config.get("FRAGMENT_ETAGS", True)
    if use_etags and request.if_none_match.contains(etag.strip('"')):
        FRAGMENT_CACHE.labels(outcome="not_modified").inc()
        return _cacheable(make_response("", 304), etag, views.versions.of(BANNER, BANNER_VIEW))
    key = (BANNER_VIEW.room, BANNER.name, ())
    html = views.cache.get(key, etag)
    FRAGMENT_CACHE.labels(outcome="miss" if html is None else "hit").inc()
    if html is None:
        html = render_template("main/_alert_banner.html", alert=alerts.active_alert())
        views.cache.put(key, etag, html)
    response = make_response(html, 200)
    return _cacheable(response, etag) if use_etags else response


def _cacheable(response, etag: str, version: int | None = None):
    """Let the browser keep the fragment and revalidate it every time (private: it is one scope's)."""
    response.headers["ETag"] = etag
    if version is not None:
        response.headers["X-Live-V"] = str(version)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def push_render(dashboard: str, panel: Panel, scope: Scope) -> str | None:
    """Render a fragment for a push (outside any request of a viewer); None when it failed (viewers refetch)."""
    try:
        with current_app.test_request_context("/"):
            html, status = fragment_html(dashboard, panel, scope)
    finally:
        db.session.rollback()
    return html if status == 200 else None


def banner_html() -> str:
    """Render the alert banner fragment (the same for everyone)."""
    try:
        with current_app.test_request_context("/"):
            return render_template("main/_alert_banner.html", alert=alerts.active_alert())
    finally:
        db.session.rollback()


pusher.render = push_render
pusher.banner = banner_html


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
