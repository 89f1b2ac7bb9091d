"""The parent organization dashboard (its cooperatives; a super admin chooses `?organization=`): read only."""

from __future__ import annotations

from flask import Blueprint

from .. import dashboards


def blueprints() -> list[Blueprint]:
    """Return the page blueprint (page and panel fragments) and the JSON stats blueprint."""
    page, stats = dashboards.make("parent_org")
    return [page, stats]
