"""The cooperative dashboard (the cooperative's own login; a super admin chooses `?cooperative=`): read only."""

from __future__ import annotations

from flask import Blueprint

from .. import dashboards


def blueprints() -> list[Blueprint]:
    """Return the page blueprint (page and panel fragments) and the JSON stats blueprint."""
    page, stats = dashboards.make("cooperative")
    return [page, stats]
