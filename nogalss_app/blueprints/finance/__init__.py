"""The finance dashboard: its page and panels, the withdrawal-queue and expense forms, and its JSON API."""

from __future__ import annotations

from flask import Blueprint

from .. import dashboards
from ..notifications import forms as notification_forms
from . import api, forms


def blueprints() -> list[Blueprint]:
    """Return the page blueprint (with its forms), the stats blueprint and the JSON API blueprints."""
    page, stats = dashboards.make("finance")
    forms.register(page)
    notification_forms.register(page, "finance")
    return [page, stats, *api.blueprints()]
