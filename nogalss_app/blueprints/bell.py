"""The top bar's notification bell: the signed-in user's unread count and where their notifications are shown."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user

from ..security import dashboards_open_to
from ..services import notifications
from ..services.stats.registry import dashboard_panels


def bell_context() -> dict[str, Any]:
    """Return `bell` for the templates: unread count and the link to the first dashboard with a notifications
    panel (None when the user's dashboards have none), or None when nobody is signed in."""
    if not current_user.is_authenticated or current_user.role is None:
        return {"bell": None}
    panels = dashboard_panels()
    link = next(
        (
            url_for(f"{key}.index") + "#panel-notifications"
            for key in dashboards_open_to(current_user.role)
            if any(p.name == "notifications" for p in panels.get(key, ()))
        ),
        None,
    )
    return {"bell": {"unread": notifications.unread_count(current_user.id), "link": link}}
