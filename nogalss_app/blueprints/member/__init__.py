"""The member dashboard (self only): its page and panels, the contribute/borrow/withdraw forms, and its JSON API."""

from __future__ import annotations

from flask import Blueprint

from .. import dashboards
from . import api, forms


def blueprints() -> list[Blueprint]:
    """Return the page blueprint (with its forms), the stats blueprint and the JSON API blueprints."""
    page, stats = dashboards.make("member")
    forms.register(page)
    return [page, stats, *api.blueprints()]
