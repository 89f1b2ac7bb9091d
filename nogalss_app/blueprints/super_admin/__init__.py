"""The super admin dashboard: its page and panels, the management pages (people, content, settings, tokens,
cooperatives, the ledger), the expense decisions of its `expenses` panel, and the /api/admin JSON API.
"""

from __future__ import annotations

from flask import Blueprint

from .. import dashboards
from ..notifications import forms as notification_forms
from . import (
    api_content,
    api_records,
    api_users,
    content,
    cooperatives,
    expenses,
    parent_orgs,
    people,
    settings,
    transactions,
)


def blueprints() -> list[Blueprint]:
    """Return the page blueprint (with its management pages and forms), the stats blueprint and the JSON API."""
    page, stats = dashboards.make("super_admin")
    for module in (people, settings, content, transactions, cooperatives, parent_orgs, expenses):
        module.register(page)
    notification_forms.register(page, "super_admin")
    return [page, stats, *api_users.blueprints(), *api_records.blueprints(), *api_content.blueprints()]
