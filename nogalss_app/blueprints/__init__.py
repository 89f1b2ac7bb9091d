"""Every blueprint of the app: one package per dashboard (page, panels, forms, JSON), plus auth, the public pages,
payments and ops. `dashboards` builds each dashboard's page and stats; `web` holds what every view shares.
"""

from __future__ import annotations

from flask import Blueprint

from . import (
    apex,
    apex_funds,
    auth,
    cooperative,
    finance,
    leader,
    main,
    member,
    nogalss_funds,
    ops,
    parent_org,
    payments,
    public,
    super_admin,
)
from .notifications import api as notifications_api

DASHBOARD_PACKAGES = (super_admin, finance, apex_funds, nogalss_funds, apex, leader, member, cooperative, parent_org)


def all_blueprints() -> list[Blueprint]:
    """Return every blueprint, in registration order."""
    dashboards = [bp for package in DASHBOARD_PACKAGES for bp in package.blueprints()]
    return [
        main.bp,
        *public.blueprints(),
        ops.bp,
        auth.bp,
        *dashboards,
        *notifications_api.blueprints(),
        *payments.blueprints(),
    ]
