"""The member dashboard (self only): page, panels, forms (contribute, borrow, withdraw, mark read), JSON API."""

from __future__ import annotations

from flask import Blueprint

from .. import dashboards
from ..notifications import forms as notification_forms
from . import api, forms


def blueprints() -> list[Blueprint]:
    """Return the page blueprint (with its forms), the stats blueprint and the JSON API blueprints."""
    page, stats = dashboards.make("member")
    forms.register(page)
    notification_forms.register(page, "member")
    return [page, stats, *api.blueprints()]
