"""The leader dashboard (one cooperative): its page and panels, the loan-decision form, and its JSON API."""

from __future__ import annotations

from flask import Blueprint

from .. import dashboards
from . import api, forms


def blueprints() -> list[Blueprint]:
    """Return the page blueprint (with its forms), the stats blueprint and the JSON API blueprints."""
    page, stats = dashboards.make("leader")
    forms.register(page)
    return [page, stats, *api.blueprints()]
