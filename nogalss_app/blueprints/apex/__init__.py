"""The apex dashboard: its page and panels, the member-fee and loan forms, and its JSON API."""

from __future__ import annotations

from flask import Blueprint

from .. import dashboards
from . import api, forms


def blueprints() -> list[Blueprint]:
    """Return the page blueprint (with its forms), the stats blueprint and the JSON API blueprints."""
    page, stats = dashboards.make("apex")
    forms.register(page)
    return [page, stats, *api.blueprints()]
